// Types for the TypeScript benches that write records through records.mjs (the record writer is plain JavaScript,
// shared with the .mjs side-by-side benches).
export interface LoadSample {
  when: string;
  load1: number;
  load5: number;
  load15: number;
  idle?: number;
}
export const RECORDS_DIR: string;
export function loadNow(when: string, idle?: number | null): LoadSample;
export function machineInfo(): { cpu: string; vendor: string | null; family: string | null; model: string | null; simd: string; cores: number };
export function writeRecord(kind: string, body: Record<string, unknown>, options?: { dir?: string; note?: string | null }): string;
