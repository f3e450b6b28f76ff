// How much memory a model may take: what this machine can give (Node: the memory available now, or the cgroup
// limit when lower), or in a web page a fixed budget, since a page cannot ask and a tab dies long before the
// machine runs out. Checked before anything is allocated for a model a file or a flag describes, so a 45 KB
// checkpoint cannot make the process grow by gigabytes; the error says how much was needed.
import { nodeBuiltin } from '../platform/node.js';

/** A page's budget: WebAssembly memories stop at 4 GiB and browsers kill tabs well before; 1 GiB is safe on phones too. */
export const PAGE_MEMORY_BUDGET = 2 ** 30;

/** The most elements one typed array can hold in V8 (Node 20): 2^32. */
export const MAX_ARRAY_ELEMENTS = 2 ** 32;

let override: number | null = null;

/** Replaces the measured budget (bytes), e.g. to allow more than a page's default; null measures again. */
export function setMemoryBudget(bytes: number | null): void {
  if (bytes !== null && !(Number.isFinite(bytes) && bytes > 0)) throw new Error(`setMemoryBudget: expected a positive number of bytes or null, got ${bytes}`);
  override = bytes;
}

/** The budget in bytes and where it comes from, for error messages. */
export function memoryBudget(): { bytes: number; from: string } {
  if (override !== null) return { bytes: override, from: 'the budget set with setMemoryBudget' };
  // node:os through src/platform/node.ts: synchronously, without an import a bundler would see; absent in a page.
  const os = nodeBuiltin('node:os');
  if (os === undefined) return { bytes: PAGE_MEMORY_BUDGET, from: "a web page's budget" };
  const free = os.freemem();
  const limit = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  return limit > 0 && limit < free ? { bytes: limit, from: "this process's memory limit" } : { bytes: free, from: 'the memory available on this machine' };
}

/** 1536 -> "1.5 KiB", 3.2e9 -> "3.0 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === units.length - 1 && value >= 1024) return `${bytes.toExponential(1)} bytes`;
  return unit === 0 ? `${Math.round(value)} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Throws one line `<what> needs about N of memory, more than <budget>` when `bytes` does not fit. */
export function assertFitsInMemory(bytes: number, what: string): void {
  const budget = memoryBudget();
  if (!(bytes <= budget.bytes)) {
    throw new Error(`${what} needs about ${formatBytes(bytes)} of memory, more than the ${formatBytes(budget.bytes)} of ${budget.from}`);
  }
}

/** Throws when one array of `elements` could not exist, naming it. */
export function assertArrayLength(elements: number, what: string): void {
  if (!(elements <= MAX_ARRAY_ELEMENTS)) {
    throw new Error(`${what} would hold ${elements.toExponential(2)} numbers, more than one array can (${MAX_ARRAY_ELEMENTS.toExponential(2)})`);
  }
}
