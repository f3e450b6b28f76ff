// Feature probe for the WebAssembly backend: WebAssembly itself, 128-bit SIMD (validating a hand-written module
// that uses v128 instructions) and shared memory (SharedArrayBuffer-backed WebAssembly.Memory, which browsers
// only allow when cross-origin isolated). Pure checks, cached; nothing is instantiated. Shapes: none.
import { wasmApi, type WasmApi } from './wasm-api.js';

export interface WasmSupport {
  /** The WebAssembly global exists and validates a module. */
  wasm: boolean;
  /** Fixed-width 128-bit SIMD validates (required by the wasm kernels). */
  simd: boolean;
  /** A shared WebAssembly.Memory can be created (needed later for multi-threaded kernels). */
  sharedMemory: boolean;
}

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
const SIMD_MODULE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // code: i32.const 0; i8x16.splat; i8x16.popcnt; end
];
// (module) — the smallest valid module.
const EMPTY_MODULE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

let cached: WasmSupport | null = null;

function validates(api: WasmApi, bytes: number[]): boolean {
  try {
    return api.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

function sharedMemoryWorks(api: WasmApi): boolean {
  try {
    if (typeof SharedArrayBuffer === 'undefined') return false;
    const mem = new api.Memory({ initial: 1, maximum: 1, shared: true });
    return mem.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

export function probeWasm(): WasmSupport {
  if (cached !== null) return cached;
  const api = wasmApi();
  if (api === undefined || !validates(api, EMPTY_MODULE)) cached = { wasm: false, simd: false, sharedMemory: false };
  else cached = { wasm: true, simd: validates(api, SIMD_MODULE), sharedMemory: sharedMemoryWorks(api) };
  return cached;
}
