// The messages between the bench page and its Web Worker (bench/browser/worker.ts), and what the page keeps for
// bench/browser.mjs to read: the page passes the options in its URL (?options=<JSON>), the worker answers with
// each row as it is measured, then the whole run (or an error). Shapes: none.
import type { BenchPart, BenchRow, BenchSummary } from '../../src/bench/index.js';
import type { BenchCell } from '../../src/bench/flops.js';
import type { RuntimeInfo } from '../../src/kernels/runtime.js';

/** `lstm bench`'s options, as the page's URL carries them. */
export interface PageBenchOptions {
  cells: BenchCell[];
  hidden: number[];
  /** Threads asked for (the runtime gives 1 where the page is not cross-origin isolated). */
  threads: number;
  seconds: number;
  length: number;
  parts?: BenchPart[];
  batch?: number;
  steps?: number;
  seed?: number;
  /** sgemm variants to run instead of the fastest at start-up (init's kernelVariant). */
  gemm?: string;
}

export type FromBenchWorker =
  | { type: 'row'; row: BenchRow }
  | { type: 'done'; rows: BenchRow[]; summary: BenchSummary; runtime: RuntimeInfo; userAgent: string; crossOriginIsolated: boolean }
  | { type: 'error'; message: string };
