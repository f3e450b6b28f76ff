// The one kernel dispatcher: an explicit, type-checked table of kernels per backend, and the backend in use.
// Ops call `kernels().gemm(...)`; nothing registers itself on import. The plain TypeScript table (`ref`) is
// always present; faster backends are added to `backends` by an explicit call (`enableWasm`) and chosen with
// `useBackend`. The optimizer kernels (Σ g², clipping's scale, SGD, Adam) have their own table: WebAssembly
// SIMD by default where the probe finds it (decided at first use, not at import), `useOptimKernels` to choose.
import { gemm, type GemmArgs } from './ref/gemm.js';
import * as refOptim from './ref/optim.js';
import { createWasmKernels } from './wasm/backend.js';
import { createWasmOptimKernels, type OptimKernels } from './wasm/optim.js';
import { probeWasm, type WasmSupport } from './wasm/probe.js';

export interface Kernels {
  readonly name: string;
  gemm(args: GemmArgs): void;
}

export const refKernels: Kernels = { name: 'ref', gemm };

const backends: Record<string, Kernels> = { ref: refKernels };
let active: Kernels = refKernels;

export function kernels(): Kernels {
  return active;
}

/** Registered backends: always `ref`, plus `wasm` once `enableWasm()` has found SIMD and instantiated it. */
export function availableBackends(): string[] {
  return Object.keys(backends);
}

/** What the runtime supports (WebAssembly, SIMD, shared memory), without instantiating anything. */
export function probeBackends(): WasmSupport {
  return probeWasm();
}

/**
 * Probes for WebAssembly SIMD, instantiates the wasm kernels synchronously and registers them as `wasm`.
 * Returns whether it worked; does not switch the active backend (call `useBackend('wasm')` for that).
 */
export function enableWasm(): boolean {
  if (backends.wasm !== undefined) return true;
  if (!probeWasm().simd) return false;
  try {
    backends.wasm = createWasmKernels();
    return true;
  } catch {
    return false;
  }
}

export function useBackend(name: string): void {
  const chosen = backends[name];
  if (chosen === undefined) {
    const hint = name === 'wasm' ? ' (call enableWasm() first)' : '';
    throw new Error(`useBackend: unknown backend "${name}"${hint}; available: ${availableBackends().join(', ')}`);
  }
  active = chosen;
}

export type { GemmArgs };

export const refOptimKernels: OptimKernels = { name: 'ref', ...refOptim };
let optim: OptimKernels | null = null;

/** The optimizer kernels in use: wasm where WebAssembly SIMD is available, else the reference. */
export function optimKernels(): OptimKernels {
  if (optim === null) {
    try {
      optim = probeWasm().simd ? createWasmOptimKernels() : refOptimKernels;
    } catch {
      optim = refOptimKernels;
    }
  }
  return optim;
}

/** Runs the optimizers and clipping on 'ref' (plain TypeScript) or 'wasm' (throws where SIMD is missing). */
export function useOptimKernels(name: 'ref' | 'wasm'): void {
  optim = name === 'ref' ? refOptimKernels : createWasmOptimKernels();
}

export type { OptimKernels };
