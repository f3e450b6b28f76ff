// The runtime face: one call, `init`, probes the runtime (WebAssembly, SIMD, shared memory), instantiates the
// kernels and chooses, for everything at once, which kernels run (the autograd products, the optimizers and
// clipping, the fused engine) and on how many threads; `runtimeInfo` says what was chosen and why. Without a
// call, the first kernel used initialises with the defaults. Everything else in src/kernels is internal.
import { gemm, type GemmArgs } from './ref/gemm.js';
import * as refOptim from './ref/optim.js';
import { createRefBackend, type Backend } from './backend.js';
import { createWasmKernelsOn, initWasm, initWasmSync, type WasmInstance } from './wasm/backend.js';
import { createWasmBackend } from './wasm/engine-backend.js';
import { ensureGemmChoice, gemmChoice, gemmVariants, setGemmVariant } from './wasm/gemm-variants.js';
import { createWasmOptimKernelsOn, type OptimKernels } from './wasm/optim.js';
import { probeWasm } from './wasm/probe.js';
import { availableCores, MAX_THREADS, setThreads, threadPool } from './wasm/threads.js';

/** A table of the autograd path's kernels (today one: the matrix product). */
export interface Kernels {
  readonly name: string;
  gemm(args: GemmArgs): void;
}

export type BackendName = 'wasm' | 'ref';

export interface RuntimeOptions {
  /** 'auto' (default): WebAssembly SIMD where the runtime has it, else the plain TypeScript reference. */
  backend?: 'auto' | BackendName;
  /**
   * 'auto' (default): the cores available where WebAssembly memory can be shared between threads (Node; pages
   * that are cross-origin isolated), else 1. A number asks for that many (still 1 where memory cannot be shared).
   */
  threads?: 'auto' | number;
  /**
   * The sgemm register tiles: 'auto' (default) times them at start-up and keeps the fastest; a name (or a tile and
   * a row tile, comma-separated: '4x8,row32') forces them (see `runtimeInfo().kernelVariants`). Results are the
   * same bits whichever runs.
   */
  kernelVariant?: 'auto' | string;
}

export interface RuntimeInfo {
  /** The kernels in use for every path: autograd products, optimizers, the fused engine. */
  backend: BackendName;
  /** Why this backend, in a sentence. */
  backendReason: string;
  /** Threads the products and time loops are split over. */
  threads: number;
  /** Why this many threads, in a sentence. */
  threadsReason: string;
  /** Cores the runtime reports (os.availableParallelism, navigator.hardwareConcurrency). */
  cores: number;
  simd: boolean;
  /** Whether WebAssembly memory can be shared between threads (SharedArrayBuffer). */
  sharedMemory: boolean;
  /** A page's `crossOriginIsolated`; null outside a browser. */
  crossOriginIsolated: boolean | null;
  /** The sgemm register tiles in use, "tile,rowTile" (null on the reference backend), and the ones available. */
  kernelVariant: string | null;
  kernelVariants: string[];
  /** Float64 tensors (gradient checks) always run on the reference: the wasm kernels are float32. */
  float64: 'ref';
}

interface Runtime {
  info: RuntimeInfo;
  kernels: Kernels;
  optim: OptimKernels;
  engineBackend: () => Backend;
}

export const refKernels: Kernels = { name: 'ref', gemm };
export const refOptimKernels: OptimKernels = { name: 'ref', ...refOptim };

let current: Runtime | null = null;

function crossOriginIsolated(): boolean | null {
  const g = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node !== undefined) return null;
  return typeof g.crossOriginIsolated === 'boolean' ? g.crossOriginIsolated : null;
}

function checkOptions(options: RuntimeOptions): Required<RuntimeOptions> {
  const { backend = 'auto', threads = 'auto', kernelVariant = 'auto' } = options;
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'ref') throw new Error(`init: backend must be 'auto', 'wasm' or 'ref', got ${JSON.stringify(backend)}`);
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1)) throw new Error(`init: threads must be 'auto' or a positive integer, got ${JSON.stringify(threads)}`);
  if (typeof kernelVariant !== 'string') throw new Error(`init: kernelVariant must be 'auto' or a variant's name, got ${JSON.stringify(kernelVariant)}`);
  return { backend, threads, kernelVariant };
}

/**
 * The sgemm register tiles in use: timed on this CPU at first use ('auto'), or the ones named, comma-separated
 * ('4x8', 'row32' or '4x8,row32': a tile and/or a row tile). Every tile sums in the same order, so the choice
 * changes speed only. Reported as "tile,rowTile", the form `kernelVariant` takes.
 */
function chooseKernelVariant(inst: WasmInstance, requested: string): { variant: string; variants: string[] } {
  const variants = gemmVariants().map((v) => v.name);
  if (requested === 'auto') ensureGemmChoice(inst);
  else {
    const names = requested.split(',');
    const unknown = names.find((name) => !variants.includes(name));
    if (unknown !== undefined) throw new Error(`init: unknown kernelVariant ${JSON.stringify(unknown)}; available: ${variants.join(', ')}`);
    for (const name of names) setGemmVariant(name);
  }
  const chosen = gemmChoice();
  return { variant: `${chosen.tile},${chosen.rowTile}`, variants };
}

/** Why WebAssembly cannot run here, or null when it can. */
function wasmUnavailable(): string | null {
  const support = probeWasm();
  if (!support.wasm) return 'this runtime has no WebAssembly';
  if (!support.simd) return 'this runtime has no WebAssembly SIMD';
  return null;
}

function refRuntime(backendReason: string): Runtime {
  const support = probeWasm();
  const info: RuntimeInfo = {
    backend: 'ref', backendReason, threads: 1, threadsReason: 'the reference kernels run on the calling thread',
    cores: availableCores(), simd: support.simd, sharedMemory: support.sharedMemory, crossOriginIsolated: crossOriginIsolated(),
    kernelVariant: null, kernelVariants: [], float64: 'ref',
  };
  return { info, kernels: refKernels, optim: refOptimKernels, engineBackend: createRefBackend };
}

function wasmRuntime(inst: WasmInstance, options: Required<RuntimeOptions>, backendReason: string): Runtime {
  const { variant, variants } = chooseKernelVariant(inst, options.kernelVariant);
  const cores = availableCores();
  const isolated = crossOriginIsolated();
  let threads: number;
  let threadsReason: string;
  if (!inst.shared) {
    threads = 1;
    threadsReason = isolated === false
      ? 'the page is not cross-origin isolated (no COOP/COEP headers), so there is no SharedArrayBuffer for worker threads'
      : 'this runtime cannot share WebAssembly memory between threads (no SharedArrayBuffer)';
  } else if (options.threads === 'auto') {
    threads = Math.min(cores, MAX_THREADS);
    threadsReason = threads < cores ? `the cores available (${cores}), capped at ${MAX_THREADS}` : 'the cores available';
  } else {
    threads = Math.min(options.threads, MAX_THREADS);
    threadsReason = threads < options.threads ? `asked for ${options.threads}, capped at ${MAX_THREADS}` : 'asked for';
  }
  setThreads(threads);
  const support = probeWasm();
  const info: RuntimeInfo = {
    backend: 'wasm', backendReason, threads, threadsReason, cores, simd: support.simd, sharedMemory: inst.shared,
    crossOriginIsolated: isolated, kernelVariant: variant, kernelVariants: variants, float64: 'ref',
  };
  return { info, kernels: createWasmKernelsOn(inst), optim: createWasmOptimKernelsOn(inst), engineBackend: createWasmBackend };
}

/** Whether `options` lead to the wasm kernels here (and why), or to the reference (and why). */
function decide(options: Required<RuntimeOptions>): { wasm: boolean; reason: string } {
  if (options.backend === 'ref') return { wasm: false, reason: 'asked for' };
  const missing = wasmUnavailable();
  if (missing === null) return { wasm: true, reason: options.backend === 'wasm' ? 'asked for' : 'WebAssembly SIMD is available' };
  if (options.backend === 'wasm') throw new Error(`init: backend 'wasm' was asked for, but ${missing}`);
  return { wasm: false, reason: `${missing}; the plain TypeScript kernels run instead` };
}

function install(next: Runtime): RuntimeInfo {
  current = next;
  return { ...next.info };
}

/**
 * Chooses the kernels and threads for everything (call it once, before training; calling again switches).
 * Awaits the WebAssembly compile (required on a page's main thread) and the worker threads' start-up, so the
 * first step does not wait for them.
 */
export async function init(options: RuntimeOptions = {}): Promise<RuntimeInfo> {
  const checked = checkOptions(options);
  const { wasm, reason } = decide(checked);
  const next = wasm ? wasmRuntime(await initWasm(), checked, reason) : refRuntime(reason);
  if (next.info.backend === 'wasm' && next.info.threads > 1) {
    const started = await threadPool(initWasmSync()).ready();
    if (started < next.info.threads) next.info.threadsReason += `, but only ${started} started within 5 s`;
  }
  return install(next);
}

/** `init` without waiting for the compile or the workers (Node and Web Workers; a page's main thread awaits `init`). */
export function initSync(options: RuntimeOptions = {}): RuntimeInfo {
  return install(buildSync(checkOptions(options)));
}

function buildSync(options: Required<RuntimeOptions>): Runtime {
  const { wasm, reason } = decide(options);
  if (!wasm) return refRuntime(reason);
  let inst: WasmInstance;
  try {
    inst = initWasmSync();
  } catch (err) {
    // A page's main thread may refuse to compile a module synchronously: the defaults then fall back to the
    // reference and say so, rather than fail the first forward pass.
    if (options.backend === 'wasm') throw err;
    return refRuntime(`the WebAssembly kernels could not be compiled synchronously here (${(err as Error).message}); await init() first to use them`);
  }
  return wasmRuntime(inst, options, reason);
}

function runtime(): Runtime {
  if (current === null) install(buildSync(checkOptions({})));
  return current!;
}

/** What `init` chose (initialising with the defaults if nothing has run yet). */
export function runtimeInfo(): RuntimeInfo {
  return { ...runtime().info };
}

/** The autograd path's kernels in use. */
export function kernels(): Kernels {
  return runtime().kernels;
}

/** The optimizer and clipping kernels in use. */
export function optimKernels(): OptimKernels {
  return runtime().optim;
}

/** A fresh backend for a fused engine, on the kernels in use. */
export function createEngineBackend(): Backend {
  return runtime().engineBackend();
}

/** Internal (tests): swaps one table of the current runtime, leaving the rest as it is. */
export function overrideRuntime(part: { kernels?: Kernels; optim?: OptimKernels; engineBackend?: () => Backend }): void {
  const r = runtime();
  current = { ...r, ...part };
}

export type { GemmArgs, OptimKernels };
