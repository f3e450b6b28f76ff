// Where the fused engine keeps the parameters it trains: in its backend's own memory (Backend.adopt; the default
// wherever the backend has such memory: WebAssembly), so the per-update packing, the gradients and the optimizer's
// update all work on them in place; or in JavaScript arrays, copied in and out at every update (the reference
// backend, float64 tensors and user-written cells always; on WebAssembly only when switched off, which the
// benches and tests use to compare the two). The switch is read when an engine is built.
import type { Tensor } from '../core/tensor.js';
import type { Backend } from '../kernels/backend.js';

let resident = true;

/** Internal (benches, tests): engines built from now on keep the weights in their backend's memory, or copy them. */
export function useResidentWeights(on: boolean): void {
  resident = on;
}

/**
 * Moves the parameters (values and gradients) into the backend's memory when the switch is on and the backend has
 * such memory; returns whether the engine works on them there. Called again before every update: a parameter
 * that left (its `data` reassigned) comes back.
 */
export function adoptParameters(be: Backend, params: readonly Tensor[], on = resident): boolean {
  return on && be.adopt(params, true);
}
