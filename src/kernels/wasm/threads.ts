// Threads for the wasm kernels: workers instantiate the same module on the same shared memory and each computes
// a band of columns of a product (C[:, j0:j1]), a band of rows of a narrow one, or a band of batch rows of a
// layer's time loop; the caller takes the first band and then spins on a counter.
// Spinning on Atomics.load costs about a microsecond per barrier where Atomics.wait/notify costs tens, so workers
// poll for about 16K rounds after a job (generation's next token comes within that) and only then sleep.
// Workers are unref'd: they never keep a process alive.
import { nodeBuiltin } from '../../platform/node.js';
import type { WasmExports, WasmInstance } from './backend.js';
import { STEP_KERNEL_NAMES, type StepKernel } from './step-kernels.js';

/** Int32 slots of the control block shared with the workers. */
const SEQ = 0; // job counter, bumped to start a job
const DONE = 1; // workers that finished, cumulative
const READY = 2; // workers that have instantiated the module
const QUIT = 3;
const JOB = 4; // m, n, k, a, b, c, transA, transB, beta
const OP = 14; // 0: sgemmColumns, 1: sgemmPackedColumns (b is a packed B̂), 2: sgemm on a band of rows, 3..: a time loop
const BAND = 16; // worker w's columns (or rows): [16 + 2w] .. [17 + 2w]
const SCRATCH = 48; // worker w's packing scratch pointer: [48 + w]
const ARGS = 64; // time loops: their arguments before (b0, b1, scratch)
const MAX_ARGS = 16;
const MAX_WORKERS = 15;
/** The calling thread and at most MAX_WORKERS workers. */
export const MAX_THREADS = MAX_WORKERS + 1;
const CONTROL_INTS = 96;
/** A layer's time loop (step-kernels.ts) has op code 3 + its index, and runs (args..., b0, b1, scratch). */
const OP_STEPS = 3;
/** Packing scratch per thread: panels of up to 8192 columns by a 256-deep k slice, plus a row block. */
const SCRATCH_BYTES = 9 << 20;
/** Below this many multiply-adds a product runs on one thread (until timed): the barrier would cost more than it saves. */
const MIN_PARALLEL_MACS = 1 << 17;

// Runs inside each worker (Node worker_threads or a browser Web Worker): instantiate, mark ready, then serve jobs.
const WORKER_SOURCE = `
const start = ({ module, memory, control, index }) => {
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const c = new Int32Array(memory.buffer, control, ${CONTROL_INTS});
  let seen = Atomics.load(c, ${SEQ});
  Atomics.add(c, ${READY}, 1);
  for (;;) {
    let spins = 0;
    while (Atomics.load(c, ${SEQ}) === seen) {
      if (++spins === 1 << 14) { Atomics.wait(c, ${SEQ}, seen, 50); spins = 0; }
    }
    seen = Atomics.load(c, ${SEQ});
    if (Atomics.load(c, ${QUIT}) !== 0) return;
    const j0 = c[${BAND} + 2 * index], j1 = c[${BAND + 1} + 2 * index];
    const op = c[${OP}];
    if (op >= ${OP_STEPS}) {
      if (j0 < j1) {
        const args = [];
        for (let q = 0; q < c[${JOB}]; q++) args.push(c[${ARGS} + q]);
        ex[${JSON.stringify(STEP_KERNEL_NAMES)}[op - ${OP_STEPS}]](...args, j0, j1, c[${SCRATCH} + index]);
      }
    } else if (j0 < j1 && op === 1) ex.sgemmPackedColumns(c[${JOB}], c[${JOB + 1}], c[${JOB + 2}], c[${JOB + 3}], c[${JOB + 4}], c[${JOB + 5}], c[${JOB + 6}], c[${JOB + 8}], j0, j1, c[${SCRATCH} + index]);
    else if (j0 < j1 && op === 2) ex.sgemmColumns(j1 - j0, c[${JOB + 1}], c[${JOB + 2}], c[${JOB + 3}] + j0 * c[${JOB + 2}] * 4, c[${JOB + 4}], c[${JOB + 5}] + j0 * c[${JOB + 1}] * 4, 0, c[${JOB + 7}], c[${JOB + 8}], 0, c[${JOB + 1}], c[${SCRATCH} + index]);
    else if (j0 < j1) ex.sgemmColumns(c[${JOB}], c[${JOB + 1}], c[${JOB + 2}], c[${JOB + 3}], c[${JOB + 4}], c[${JOB + 5}], c[${JOB + 6}], c[${JOB + 7}], c[${JOB + 8}], j0, j1, c[${SCRATCH} + index]);
    Atomics.add(c, ${DONE}, 1);
    Atomics.notify(c, ${DONE});
  }
};
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', start);
else self.onmessage = (e) => start(e.data);
`;

export interface AnyWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
  unref?(): void;
}

/** Cores this runtime reports (Node: os.availableParallelism; browsers: navigator.hardwareConcurrency). */
export function availableCores(): number {
  const os = nodeBuiltin('node:os');
  if (os !== undefined) return os.availableParallelism();
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

/**
 * A worker running `source` (a classic script that takes its first message from parentPort in Node, from
 * self.onmessage elsewhere): a Node worker thread, or a Web Worker from a blob URL; null where there are none.
 */
export function spawnWorker(source: string = WORKER_SOURCE): AnyWorker | null {
  const threads = nodeBuiltin('node:worker_threads');
  if (threads !== undefined) return new threads.Worker(source, { eval: true });
  const g = globalThis as { Worker?: new (url: string) => AnyWorker; Blob?: new (parts: string[], o: { type: string }) => unknown; URL?: { createObjectURL(b: unknown): string } };
  if (g.Worker === undefined || g.Blob === undefined || g.URL === undefined) return null;
  return new g.Worker(g.URL.createObjectURL(new g.Blob([source], { type: 'text/javascript' })));
}

/**
 * Watches how long the calling thread waits for the workers after finishing its own share. On a busy machine a
 * worker gets descheduled and every split job waits for it, so two threads run slower than one. Over each WINDOW
 * of split jobs, if the waits add up to more than the time spent on the own shares, the pool runs the next
 * SOLO jobs on the calling thread alone, then tries the workers again. Summing over a window keeps a small job
 * with unequal bands (a 28-column decoder product) from deciding anything.
 */
export class LagMonitor {
  static readonly WINDOW = 12;
  static readonly SOLO = 64;
  private jobs = 0;
  private ownMs = 0;
  private waitMs = 0;
  private solo = 0;

  /** Whether the next job should be split over the workers (counts down a solo stretch). */
  split(): boolean {
    if (this.solo === 0) return true;
    this.solo--;
    return false;
  }

  /** One split job: `ownMs` computing this thread's share, then `waitMs` waiting for the workers. */
  record(ownMs: number, waitMs: number): void {
    this.ownMs += ownMs;
    this.waitMs += waitMs;
    if (++this.jobs < LagMonitor.WINDOW) return;
    if (this.waitMs > this.ownMs) this.solo = LagMonitor.SOLO;
    this.jobs = 0;
    this.ownMs = 0;
    this.waitMs = 0;
  }
}

export class ThreadPool {
  private readonly ex: WasmExports;
  /**
   * The control block shared with the workers; null without shared memory (a page that is not cross-origin
   * isolated), where the pool runs everything on the calling thread. It is only ever kept over a shared buffer:
   * an unshared memory's buffer is detached whenever the memory grows, and a view kept over it would fail.
   */
  private readonly control: Int32Array | null = null;
  private readonly mainScratch: number;
  private readonly workers: AnyWorker[] = [];
  private readonly lag = new LagMonitor();
  /** Whether jobs go solo while the workers lag (LagMonitor); tests turn it off to know how a job was split. */
  adaptive = true;
  /** Products with fewer multiply-adds run on one thread (the barrier would cost more); gemm-variants.ts times it. */
  minParallelMacs = MIN_PARALLEL_MACS;

  /** `threads` counts the calling thread: 2 means one worker. */
  constructor(inst: WasmInstance, readonly threads: number) {
    this.ex = inst.exports;
    this.mainScratch = this.ex.alloc(SCRATCH_BYTES);
    if (!inst.shared) return; // no shared memory (a page without cross-origin isolation): one thread
    const workers = Math.max(0, Math.min(MAX_WORKERS, threads - 1));
    const controlPtr = this.ex.alloc(CONTROL_INTS * 4);
    const scratch = Array.from({ length: workers }, () => this.ex.alloc(SCRATCH_BYTES));
    const control = new Int32Array(inst.memory.buffer, controlPtr, CONTROL_INTS);
    this.control = control.fill(0);
    for (let w = 0; w < workers; w++) {
      const worker = spawnWorker();
      if (worker === null) break;
      worker.unref?.();
      control[SCRATCH + w] = scratch[w]!;
      worker.postMessage({ module: inst.module, memory: inst.memory, control: controlPtr, index: w });
      this.workers.push(worker);
    }
  }

  /** Threads that will share the next job: 1 while workers start up, or for a while after they lagged. */
  private threadsForJob(): number {
    const threads = this.active;
    return threads > 1 && (this.lag.split() || !this.adaptive) ? threads : 1;
  }

  /** Resolves with `active` once every worker has started (or after `timeoutMs`, with however many have). */
  async ready(timeoutMs = 5000): Promise<number> {
    for (const end = Date.now() + timeoutMs; this.active !== this.threads && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    return this.active;
  }

  /** Threads that can share a product (workers still starting up do not count yet). */
  get active(): number {
    if (this.control === null) return 1;
    return Atomics.load(this.control, READY) === this.workers.length ? this.workers.length + 1 : 1;
  }

  /**
   * C = op(A) op(B) + beta·C on byte pointers, split by column bands over the ready threads; a narrow product
   * (fewer than 32 columns, such as the decoder's logits) with A untransposed is split by bands of rows instead,
   * so each thread packs only its own rows of A.
   */
  gemm(m: number, n: number, k: number, a: number, b: number, c: number, transA: number, transB: number, beta: number): void {
    const threads = this.threadsForJob();
    if (threads > 1 && n < 32 && transA === 0 && m >= 4 * threads && m * n * k >= this.minParallelMacs) {
      this.run(2, Math.ceil(m / threads / 2) * 2, m, n, k, a, b, c, transA, transB, beta);
      return;
    }
    const band = Math.ceil(n / threads / 16) * 16;
    if (threads === 1 || m === 1 || n < 32 || m * n * k < this.minParallelMacs || this.ex.sgemmScratchBytes(band, k) > SCRATCH_BYTES) {
      this.ex.sgemm(m, n, k, a, b, c, transA, transB, beta);
      return;
    }
    this.run(0, band, m, n, k, a, b, c, transA, transB, beta);
  }

  /** C = op(A) B̂ + beta·C with B̂ packed by packAllB (weights packed once per update), split like `gemm`. */
  gemmPacked(m: number, n: number, k: number, a: number, packed: number, c: number, transA: number, beta: number): void {
    const threads = this.threadsForJob();
    const band = Math.ceil(n / threads / 16) * 16;
    if (threads === 1 || n < 32 || m * n * k < this.minParallelMacs) {
      this.ex.sgemmPackedColumns(m, n, k, a, packed, c, transA, beta, 0, n, this.mainScratch);
      return;
    }
    this.run(1, band, m, n, k, a, packed, c, transA, 0, beta);
  }

  /**
   * A layer's whole time loop with its batch rows split over the threads: each thread runs its rows through every
   * step (rows never meet within a sequence), so there is one dispatch per loop and no barrier between steps.
   * With `work` (each row's share, e.g. its length when rows differ) the bands carry equal work instead of equal
   * rows. Returns the number of threads that shared it.
   */
  steps(kernel: StepKernel, B: number, args: readonly number[], work?: ArrayLike<number>): number {
    if (args.length > MAX_ARGS) throw new Error(`ThreadPool.steps: ${kernel} takes ${args.length} arguments, the control block holds ${MAX_ARGS}`);
    const fn = this.ex[kernel] as (...args: number[]) => void;
    const threads = this.threadsForJob();
    const ends = bandEnds(B, threads, work);
    if (threads === 1 || ends[0]! >= B) {
      fn(...args, 0, B, this.mainScratch);
      return 1;
    }
    const ctl = this.control!;
    ctl[OP] = OP_STEPS + STEP_KERNEL_NAMES.indexOf(kernel);
    ctl[JOB] = args.length;
    ctl.set(args, ARGS);
    for (let w = 0; w < this.workers.length; w++) {
      ctl[BAND + 2 * w] = ends[w] ?? B;
      ctl[BAND + 2 * w + 1] = ends[w + 1] ?? B;
    }
    this.dispatch(() => fn(...args, 0, ends[0]!, this.mainScratch));
    return ends.filter((end, k) => end > (k === 0 ? 0 : ends[k - 1]!)).length;
  }

  /** Hands bands 2.. (of columns, or of rows for op 2) to the workers, computes band 1 here, then waits. */
  private run(op: number, band: number, m: number, n: number, k: number, a: number, b: number, c: number, transA: number, transB: number, beta: number): void {
    const ctl = this.control!;
    const extent = op === 2 ? m : n;
    ctl[OP] = op;
    ctl.set([m, n, k, a, b, c, transA, transB, beta], JOB);
    for (let w = 0; w < this.workers.length; w++) {
      ctl[BAND + 2 * w] = Math.min(extent, band * (w + 1));
      ctl[BAND + 2 * w + 1] = Math.min(extent, band * (w + 2));
    }
    this.dispatch(() => {
      if (op === 1) this.ex.sgemmPackedColumns(m, n, k, a, b, c, transA, beta, 0, Math.min(n, band), this.mainScratch);
      else if (op === 2) this.ex.sgemmColumns(Math.min(m, band), n, k, a, b, c, 0, transB, beta, 0, n, this.mainScratch);
      else this.ex.sgemmColumns(m, n, k, a, b, c, transA, transB, beta, 0, Math.min(n, band), this.mainScratch);
    });
  }

  /** Starts the job written into the control block, runs this thread's share, and waits for the workers. */
  private dispatch(ownShare: () => void): void {
    const ctl = this.control!;
    const target = (Atomics.load(ctl, DONE) + this.workers.length) | 0;
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    const started = performance.now();
    ownShare();
    const own = performance.now();
    // Spin briefly (the worker usually finishes within microseconds of us), then sleep in short waits, so an
    // oversubscribed machine does not lose a core to spinning.
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctl, DONE);
      if (((done - target) | 0) >= 0) break;
      if (spins > 20000 && this.canWait) this.waitBriefly(ctl, done);
    }
    this.lag.record(own - started, performance.now() - own);
  }

  /** A page's main thread may not block (Atomics.wait throws there): it then keeps spinning instead. */
  private canWait = true;

  private waitBriefly(ctl: Int32Array, done: number): void {
    try {
      Atomics.wait(ctl, DONE, done, 1);
    } catch {
      this.canWait = false;
    }
  }

  close(): void {
    const ctl = this.control;
    if (ctl === null) return;
    Atomics.store(ctl, QUIT, 1);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/**
 * Where each of `threads` bands of rows [0, B) ends: equal rows, or with `work`, equal shares of Σ work (rows
 * sorted longest first give the first band fewer rows). Bands hold an even number of rows where they can, so the
 * sgemm's row pairs are never split between threads.
 */
export function bandEnds(B: number, threads: number, work?: ArrayLike<number>): number[] {
  const even = (r: number): number => Math.min(B, r + (r & 1));
  if (work === undefined) {
    const rows = Math.ceil(B / threads);
    const band = rows > 1 ? rows + (rows & 1) : rows;
    return Array.from({ length: threads }, (_, k) => Math.min(B, band * (k + 1)));
  }
  let total = 0;
  for (let b = 0; b < B; b++) total += work[b]!;
  const ends: number[] = [];
  let sum = 0;
  let b = 0;
  for (let k = 1; k < threads; k++) {
    const target = (total * k) / threads;
    while (b < B && sum + work[b]! / 2 < target) sum += work[b++]!;
    ends.push(Math.max(ends[k - 2] ?? 0, even(b)));
  }
  ends.push(B);
  return ends;
}

let pool: ThreadPool | null = null;
let requested: number | null = null;

/** Sets how many threads products use (default: the cores available); takes effect for the next product. */
export function setThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  requested = threads;
  if (pool !== null && pool.threads !== threads) {
    pool.close();
    pool = null;
  }
}

export function threadCount(): number {
  return requested ?? availableCores();
}

/** The pool if one has been created (no workers are started by asking). */
export function currentThreadPool(): ThreadPool | null {
  return pool;
}

/** The pool for this instance, created on first use. */
export function threadPool(inst: WasmInstance): ThreadPool {
  pool ??= new ThreadPool(inst, threadCount());
  return pool;
}
