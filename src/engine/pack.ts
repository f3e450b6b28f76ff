// Packing per-gate parameters into the engine's fused matrices and back. Gate g's (rows, H) matrix becomes
// columns g·H .. g·H + H - 1 of one (rows, G·H) matrix, so a single product computes every gate:
// [x W_i | x W_f | x W_o | x W_a] = x [W_i | W_f | W_o | W_a]. Unpacking adds the packed gradients to `.grad`.
import type { Tensor } from '../core/tensor.js';
import type { Backend } from '../kernels/backend.js';

/** Writes [mats[0] | mats[1] | ...] (each (rows, H)) at `at`; a missing matrix packs as zeros. */
export function packColumns(m: Float32Array, at: number, mats: ReadonlyArray<Tensor | undefined>, rows: number, H: number): void {
  const width = mats.length * H;
  mats.forEach((t, g) => {
    for (let r = 0; r < rows; r++) {
      const dst = at + r * width + g * H;
      if (t === undefined) m.fill(0, dst, dst + H);
      else m.set(t.data.subarray(r * H, (r + 1) * H), dst);
    }
  });
}

/**
 * Adds columns g·H .. of the packed (rows, G·H) gradient at `at` into mats[g].grad (skipping missing ones), through
 * `scratch` (rows·H floats) on the backend: a fresh gradient is the gate's block copied out; an existing float32
 * one is copied in, gets the block added there (SIMD on wasm), and is copied back, three passes that beat one
 * element-by-element JavaScript loop.
 */
export function addPackedGrads(be: Backend, at: number, mats: ReadonlyArray<Tensor | undefined>, rows: number, H: number, scratch: number): void {
  const n = rows * H;
  mats.forEach((t, g) => {
    if (t === undefined) return;
    if (t.grad instanceof Float32Array) {
      be.f32.set(t.grad, scratch);
      be.gatherColumns(rows, H, mats.length, at, g, scratch, 1);
      t.grad.set(be.f32.subarray(scratch, scratch + n));
      return;
    }
    be.gatherColumns(rows, H, mats.length, at, g, scratch, 0);
    addGrad(t, be.f32.subarray(scratch, scratch + n));
  });
}

/** param.grad += values (a copy when the parameter has no gradient yet, the usual case after zeroGrad). */
export function addGrad(param: Tensor, values: Float32Array): void {
  if (param.grad === null) {
    param.grad = param.data instanceof Float64Array ? Float64Array.from(values) : values.slice();
    return;
  }
  const grad = param.grad;
  for (let k = 0; k < grad.length; k++) grad[k]! += values[k]!;
}
