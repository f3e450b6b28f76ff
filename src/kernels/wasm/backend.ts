// The WebAssembly kernel backend: instantiates the AssemblyScript module (bytes.generated.ts) on a JS-created
// linear memory (shared when SharedArrayBuffer is available) and wraps it as a `Kernels` table. `gemm` copies
// A, B (and C when beta = 1) into wasm memory, runs sgemm, copies C back, except for arrays that live in wasm
// memory already (tensors placed there: storage.ts), which it passes where they are; Float64Array data uses the
// reference.
// Shapes: op(A) (M, K), op(B) (K, N), C (M, N), row-major. Sync init for Node/Workers, async `initWasm` for pages.
import { gemm as refGemm, type GemmArgs } from '../ref/gemm.js';
import type { Kernels } from '../runtime.js';
import { probeWasm } from './probe.js';
import { wasmApi, type WasmApi, type WasmMemory, type WasmModule } from './wasm-api.js';
import { wasmBytesBase64, wasmMemory, wasmMemoryFlagOffset } from './bytes.generated.js';
import type { WasmExports } from './exports.generated.js';
import { ensureGemmChoice } from './gemm-variants.js';
import { storageOf } from './storage.js';

export type { WasmExports };

export interface WasmInstance {
  readonly exports: WasmExports;
  /** The compiled module, which worker threads instantiate on the same (shared) memory. */
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  /** Whether `memory` is a SharedArrayBuffer-backed memory (usable from several threads). */
  readonly shared: boolean;
}

let instance: WasmInstance | null = null;
let compiled: WasmModule | null = null;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The module bytes; with `shared = false` the memory import is patched to an unshared memory. */
export function wasmModuleBytes(shared: boolean): Uint8Array {
  const bytes = decodeBase64(wasmBytesBase64);
  if (!shared) bytes[wasmMemoryFlagOffset] = 0x01;
  return bytes;
}

function makeInstance(api: WasmApi, module: WasmModule, shared: boolean): WasmInstance {
  const memory = new api.Memory({ initial: wasmMemory.initial, maximum: wasmMemory.maximum, shared });
  const inst = new api.Instance(module, { env: { memory } });
  return { exports: inst.exports as unknown as WasmExports, module, memory, shared };
}

function requireSimd(): { api: WasmApi; shared: boolean } {
  const support = probeWasm();
  const api = wasmApi();
  if (!support.simd || api === undefined) throw new Error('wasm backend: WebAssembly SIMD is not available in this runtime');
  return { api, shared: support.sharedMemory };
}

/** Instantiates synchronously (fine in Node and Workers; browser main threads should await `initWasm`). */
export function initWasmSync(): WasmInstance {
  if (instance !== null) return instance;
  const { api, shared } = requireSimd();
  compiled ??= new api.Module(wasmModuleBytes(shared));
  instance = makeInstance(api, compiled, shared);
  return instance;
}

/** Compiles asynchronously (required on browser main threads for large modules), then instantiates. */
export async function initWasm(): Promise<WasmInstance> {
  if (instance !== null) return instance;
  const { api, shared } = requireSimd();
  compiled ??= await api.compile(wasmModuleBytes(shared));
  instance ??= makeInstance(api, compiled, shared);
  return instance;
}

/** The instance if `initWasm`/`initWasmSync` has run, else null. */
export function wasmInstance(): WasmInstance | null {
  return instance;
}

function gemmWasm(inst: WasmInstance, args: GemmArgs): void {
  const { m, n, k, a, b, c, transA = false, transB = false, beta = 0 } = args;
  if (!(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array)) {
    refGemm(args); // float64 (gradcheck) or mixed precision: the reference is exact enough
    return;
  }
  if (m === 0 || n === 0) return;
  const ex = inst.exports;
  const aLen = m * k, bLen = k * n, cLen = m * n;
  // Found before anything is allocated: a view of a non-shared memory goes stale when an allocation grows it, so
  // arrays in wasm memory are passed by where they are and never read through their views below.
  const [ha, hb, hc] = [a, b, c].map((x) => {
    const storage = storageOf(x);
    return storage !== undefined && storage.inst === inst ? storage.byteOffset : -1;
  }) as [number, number, number];
  const saved = ex.mark();
  try {
    const pa = ha >= 0 ? ha : ex.alloc(aLen * 4), pb = hb >= 0 ? hb : ex.alloc(bLen * 4), pc = hc >= 0 ? hc : ex.alloc(cLen * 4);
    let buf = inst.memory.buffer;
    if (ha < 0) new Float32Array(buf, pa, aLen).set(a.subarray(0, aLen));
    if (hb < 0) new Float32Array(buf, pb, bLen).set(b.subarray(0, bLen));
    if (beta !== 0 && hc < 0) new Float32Array(buf, pc, cLen).set(c.subarray(0, cLen));
    ex.sgemm(m, n, k, pa, pb, pc, transA ? 1 : 0, transB ? 1 : 0, beta !== 0 ? 1 : 0);
    buf = inst.memory.buffer; // sgemm may have grown memory for its packing scratch
    if (hc < 0) c.set(new Float32Array(buf, pc, cLen));
  } finally {
    ex.release(saved);
  }
}

/** The kernel table on an instance (the register tile is timed at first use). */
export function createWasmKernelsOn(inst: WasmInstance): Kernels {
  ensureGemmChoice(inst);
  return { name: 'wasm', gemm: (args: GemmArgs) => gemmWasm(inst, args) };
}

/** Instantiates the module (sync) and returns its kernel table; throws if SIMD is unavailable. */
export function createWasmKernels(): Kernels {
  return createWasmKernelsOn(initWasmSync());
}
