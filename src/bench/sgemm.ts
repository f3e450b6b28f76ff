// The machine's 128-bit SIMD peak and the sgemm rate of the recurrent step product, both on the wasm module the
// engine runs (the product: B packed once beforehand, as the engine packs weights once per update; also plain sgemm,
// which packs B in every call). Peak: `simdPeak` runs 12 independent chains of f32x4 mul + add, 96 flop per iteration; on N
// threads every thread runs it at the same moment (worker threads instantiating the same module) and the rates
// add up, so a machine whose "cores" share execution units shows it. sgemm: C (m, n) = A (m, k) B (k, n) with
// all three resident in wasm memory (no copies), on one thread (the raw kernel) and on the engine's thread pool.
// Shapes: step product (B, H) by (H, G·H), B = 32.
import { initWasmSync, type WasmInstance } from '../kernels/wasm/backend.js';
import { init } from '../kernels/runtime.js';
import { ensureGemmChoice } from '../kernels/wasm/gemm-variants.js';
import { ensureSplitChoice } from '../kernels/wasm/split-choice.js';
import { spawnWorker, threadPool } from '../kernels/wasm/threads.js';
import { stepProductShape, type BenchCell } from './flops.js';
import { now, timeWindows } from './timing.js';

/** 96 flop per iteration; 4M iterations take a few ms to tens of ms on current cores. */
const PEAK_FLOP_PER_ITER = 96;
const PEAK_ITERS = 4_000_000;

export interface SimdPeak {
  /** GFLOP/s of one thread (best of several calls). */
  perThread: number;
  /** GFLOP/s of `threads` threads running at once (summed); equals perThread for one thread. */
  allThreads: number;
  threads: number;
  /** False when the threads could not run at once (no shared memory): allThreads is perThread · threads then. */
  measuredTogether: boolean;
}

function bestPeakSeconds(inst: WasmInstance, reps: number): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    inst.exports.simdPeak(PEAK_ITERS, 0.5);
    best = Math.min(best, now() - t0);
  }
  return best;
}

// Each worker instantiates the module on the shared memory, says it is ready, waits for the start signal, and
// writes its best time into the shared block (Node worker threads and Web Workers alike: no reply message).
// Block: Int32 [0] ready, [1] go, [2] done; Float64 from byte 16: each worker's best seconds.
const PEAK_WORKER = `
const run = ({ module, memory, control, index, iters, reps }) => {
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const c = new Int32Array(control, 0, 4);
  ex.simdPeak(1000, 0.5);
  Atomics.add(c, 0, 1);
  Atomics.wait(c, 1, 0);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    ex.simdPeak(iters, 0.5);
    best = Math.min(best, performance.now() - t0);
  }
  new Float64Array(control, 16)[index] = best / 1000;
  Atomics.add(c, 2, 1);
};
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', run);
else self.onmessage = (e) => run(e.data);
`;

/** Polls the shared block until slot `slot` reaches `count` (asynchronously: the workers need this thread free to start). */
async function untilCount(c: Int32Array, slot: number, count: number, what: string): Promise<void> {
  for (let tries = 0; Atomics.load(c, slot) < count; tries++) {
    if (tries > 3000) throw new Error(`bench: the SIMD peak workers did not ${what} within 30 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The 128-bit SIMD peak of one thread and of `threads` threads at once. Takes about `seconds` (0.2-0.5 s). */
export async function measureSimdPeak(threads = 1, seconds = 0.3): Promise<SimdPeak> {
  const inst = initWasmSync();
  inst.exports.simdPeak(1000, 0.5);
  const once = bestPeakSeconds(inst, 1);
  const reps = Math.max(3, Math.min(50, Math.round(seconds / 2 / once)));
  const flop = PEAK_FLOP_PER_ITER * PEAK_ITERS;
  // One thread is measured before and after the threads-together run and the better kept: a machine shared with
  // other processes can only make a measurement slower.
  let perThread = flop / bestPeakSeconds(inst, reps) / 1e9;
  if (threads <= 1) {
    perThread = Math.max(perThread, flop / bestPeakSeconds(inst, reps) / 1e9);
    return { perThread, allThreads: perThread, threads: 1, measuredTogether: true };
  }
  if (!inst.shared) return { perThread, allThreads: perThread * threads, threads, measuredTogether: false };

  const control = new SharedArrayBuffer(16 + 8 * threads);
  const c = new Int32Array(control, 0, 4);
  const workers = Array.from({ length: threads - 1 }, () => spawnWorker(PEAK_WORKER)).filter((w) => w !== null);
  try {
    if (workers.length < threads - 1) throw new Error('bench: this runtime cannot start worker threads for the SIMD peak');
    workers.forEach((w, index) => w.postMessage({ module: inst.module, memory: inst.memory, control, index, iters: PEAK_ITERS, reps }));
    await untilCount(c, 0, workers.length, 'start');
    Atomics.store(c, 1, 1);
    Atomics.notify(c, 1);
    const mine = bestPeakSeconds(inst, reps);
    await untilCount(c, 2, workers.length, 'finish');
    const theirs = [...new Float64Array(control, 16, workers.length)];
    const allThreads = [mine, ...theirs].reduce((sum, s) => sum + flop / s / 1e9, 0);
    perThread = Math.max(perThread, flop / bestPeakSeconds(inst, reps) / 1e9);
    return { perThread, allThreads, threads, measuredTogether: true };
  } finally {
    for (const w of workers) void w.terminate();
  }
}

export interface SgemmOptions {
  cell?: BenchCell;
  hidden: number;
  /** Threads of the pooled run (default: the library's thread count, i.e. the cores available). */
  threads?: number;
  batch?: number;
  /** Seconds per measurement (two measurements are made). */
  seconds?: number;
}

export interface SgemmResult {
  m: number;
  n: number;
  k: number;
  /** The step product as the engine runs it, B packed once (per update) beforehand, on one thread. */
  gflops1Thread: number;
  /** The same product with B packed inside every call (plain sgemm), on one thread. */
  gflops1ThreadPackPerCall: number;
  /** The step product (B packed once) on the engine's thread pool with `threads` threads. */
  gflops: number;
  /** Threads that actually shared the pooled products. */
  threads: number;
}

/** GFLOP/s of the step product (B, H) by (H, G·H) on wasm memory: one thread, and the engine's thread pool. */
export async function benchSgemm(options: SgemmOptions): Promise<SgemmResult> {
  const { cell = 'lstm', hidden, batch = 32, seconds = 0.3 } = options;
  const { m, n, k } = stepProductShape(cell, hidden, batch);
  await init({ threads: options.threads ?? 'auto' }); // the engine's threads, as training runs them
  const inst = initWasmSync();
  // The pool allocates its scratch from the same bump allocator: create it before marking, so releasing the
  // operands below cannot free it.
  const pool = threadPool(inst);
  await pool.ready();
  ensureSplitChoice(inst, pool); // as the engine's first product would
  ensureGemmChoice(inst);
  const ex = inst.exports;
  const saved = ex.mark();
  try {
    const a = ex.alloc(m * k * 4), b = ex.alloc(k * n * 4), c = ex.alloc(m * n * 4);
    const packed = ex.alloc(ex.packedBFloats(k, n) * 4);
    let seed = 12345;
    const fill = (ptr: number, len: number) => {
      const view = new Float32Array(inst.memory.buffer, ptr, len);
      for (let i = 0; i < len; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        view[i] = seed / 4294967296 - 0.5;
      }
    };
    fill(a, m * k);
    fill(b, k * n);
    ex.packAllB(k, n, b, 0, packed);
    const flop = 2 * m * n * k;
    const timing = { seconds, warmup: 3, windows: 8 };
    const one = timeWindows(() => ex.sgemmPackedColumns(m, n, k, a, packed, c, 0, 0, 0, n, 0), flop, timing);
    const perCall = timeWindows(() => ex.sgemm(m, n, k, a, b, c, 0, 0, 0), flop, timing);
    const many = timeWindows(() => pool.gemmPacked(m, n, k, a, packed, c, 0, 0), flop, timing);
    return { m, n, k, gflops1Thread: one.best / 1e9, gflops1ThreadPackPerCall: perCall.best / 1e9, gflops: many.best / 1e9, threads: pool.active };
  } finally {
    ex.release(saved);
  }
}

