// Packing per-gate parameters into the engine's fused matrices and back. Gate g's (rows, H) matrix becomes
// columns g·H .. g·H + H - 1 of one (rows, G·H) matrix, so a single product computes every gate:
// [x W_i | x W_f | x W_o | x W_a] = x [W_i | W_f | W_o | W_a]. Unpacking adds the packed gradients to `.grad`.
// A tensor the backend holds in its own memory (Backend.adopt: WebAssembly) is read and written there by kernels,
// in place; one in a JavaScript array is copied in and its gradient copied out, as on the reference backend.
import type { Tensor } from '../core/tensor.js';
import type { Backend } from '../kernels/backend.js';

/** Offset of a tensor the backend holds (its values, or with `grad` its gradient); throws if it holds none. */
export function heldAt(be: Backend, t: Tensor, grad = false): number {
  const at = be.offsetOf(grad ? t.gradStorage : t.storage);
  if (at === null) throw new Error(`fused engine: a parameter ${shapeOf(t)} left the engine's memory`);
  return at;
}

const shapeOf = (t: Tensor): string => `(${t.shape.join(', ')})`;

/** Offset of t's values on the backend: where the backend holds them, or else a copy written at `slot`. */
export function weightsAt(be: Backend, t: Tensor, slot: number): number {
  const held = be.offsetOf(t.storage);
  if (held !== null) return held;
  be.f32.set(t.data, slot);
  return slot;
}

/** Writes [mats[0] | mats[1] | ...] (each (rows, H)) at `at`; a missing matrix packs as zeros. */
export function packColumns(be: Backend, at: number, mats: ReadonlyArray<Tensor | undefined>, rows: number, H: number): void {
  const G = mats.length;
  const width = G * H;
  mats.forEach((t, g) => {
    const held = t === undefined ? null : be.offsetOf(t.storage);
    if (held !== null) return be.scatterColumns(rows, H, G, held, g, at);
    const m = be.f32;
    for (let r = 0; r < rows; r++) {
      const dst = at + r * width + g * H;
      if (t === undefined) m.fill(0, dst, dst + H);
      else m.set(t.data.subarray(r * H, (r + 1) * H), dst);
    }
  });
}

/**
 * Adds columns g·H .. of the packed (rows, G·H) gradient at `at` into mats[g].grad (skipping missing ones). A
 * gradient the backend holds gets the block written in place (copied when there was none yet, added otherwise).
 * Any other goes through `scratch` (rows·H floats) on the backend: a fresh gradient is the gate's block copied out;
 * an existing float32 one is copied in, gets the block added there (SIMD on wasm), and is copied back, three passes
 * that beat one element-by-element JavaScript loop.
 */
export function addPackedGrads(be: Backend, at: number, mats: ReadonlyArray<Tensor | undefined>, rows: number, H: number, scratch: number): void {
  const n = rows * H;
  mats.forEach((t, g) => {
    if (t === undefined) return;
    const held = be.offsetOf(t.gradStorage);
    if (held !== null) return be.gatherColumns(rows, H, mats.length, at, g, held, t.claimGradStorage() ? 1 : 0);
    if (scratch < 0) throw new Error(`fused engine: the gradient of a parameter ${shapeOf(t)} left the engine's memory`);
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

/** param.grad += the n floats at `from` on the backend: in place where the backend holds the gradient. */
export function addGradFrom(be: Backend, param: Tensor, from: number, n: number): void {
  const held = be.offsetOf(param.gradStorage);
  if (held !== null) be.gatherColumns(1, n, 1, from, 0, held, param.claimGradStorage() ? 1 : 0);
  else addGrad(param, be.f32.subarray(from, from + n));
}

/** param.grad += values (a copy when the parameter has no gradient yet, the usual case after zeroGrad). */
function addGrad(param: Tensor, values: Float32Array): void {
  if (param.grad === null) {
    param.grad = param.data instanceof Float64Array ? Float64Array.from(values) : values.slice();
    return;
  }
  const grad = param.grad;
  for (let k = 0; k < grad.length; k++) grad[k]! += values[k]!;
}
