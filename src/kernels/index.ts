// The kernels the rest of the library calls, chosen by the runtime face (runtime.ts: `init`, `runtimeInfo`):
// ops call `kernels().gemm(...)`, optimizers `optimKernels()`, the fused engine `createEngineBackend()`.
// Nothing registers itself on import. The switches below are internal, for tests that hold one table against
// another; users choose with `init({ backend })`.
import { createWasmKernels } from './wasm/backend.js';
import { createWasmOptimKernels } from './wasm/optim.js';
import { probeWasm } from './wasm/probe.js';
import { overrideRuntime, refKernels, refOptimKernels } from './runtime.js';

export {
  createEngineBackend, init, initSync, kernels, optimKernels, refKernels, refOptimKernels, runtimeInfo,
  type BackendName, type GemmArgs, type Kernels, type OptimKernels, type RuntimeInfo, type RuntimeOptions,
} from './runtime.js';

/** Internal: runs the autograd products on one table ('wasm' throws where SIMD is missing). */
export function useBackend(name: string): void {
  if (name !== 'ref' && name !== 'wasm') throw new Error(`useBackend: unknown backend "${name}"; available: ${availableBackends().join(', ')}`);
  overrideRuntime({ kernels: name === 'ref' ? refKernels : createWasmKernels() });
}

/** Internal: the tables this runtime can run: always `ref`, plus `wasm` where SIMD is there. */
export function availableBackends(): string[] {
  return probeWasm().simd ? ['ref', 'wasm'] : ['ref'];
}

/** Internal: runs the optimizers and clipping on 'ref' or 'wasm' (throws where SIMD is missing). */
export function useOptimKernels(name: 'ref' | 'wasm'): void {
  overrideRuntime({ optim: name === 'ref' ? refOptimKernels : createWasmOptimKernels() });
}
