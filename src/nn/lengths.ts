// Variable lengths as pack_padded_sequence(enforce_sorted=False) gives them: row b of a padded batch has
// lengths[b] real steps. The time loop runs the rows sorted longest first, so at step t the rows still running
// are a prefix of the batch, of size active[t] = #{b : lengths[b] > t} (PyTorch's batch_sizes); outputs and final
// states are put back in the caller's row order at the end. Shapes: lengths (B,), active (T,).
import { Tensor, shapeString } from '../core/tensor.js';

export interface Packing {
  /** Original row indices, longest first (stable among equal lengths). */
  order: Int32Array;
  /** inverse[b]: where original row b sits in `order`. */
  inverse: Int32Array;
  /** active[t]: rows (a prefix of the sorted batch) with a real step t. */
  active: Int32Array;
  /** True when `order` is the identity (nothing to permute). */
  sorted: boolean;
}

/** Checks lengths against a (T, B) batch, naming what was expected and what came. */
export function packLengths(lengths: ArrayLike<number> | Tensor, batch: number, steps: number): Packing {
  const values = lengths instanceof Tensor ? lengths.data : lengths;
  if (lengths instanceof Tensor && lengths.shape.length !== 1) throw new Error(`forward: lengths must be (B,) = (${batch},), got ${shapeString(lengths.shape)}`);
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') throw new Error(`forward: lengths must be an array of ${batch} integers, got ${typeof values}`);
  if (values.length !== batch) throw new Error(`forward: lengths must have one entry per sequence (B = ${batch}), got ${values.length}`);
  for (let b = 0; b < batch; b++) {
    const n = values[b]!;
    if (!Number.isInteger(n) || n < 1 || n > steps) throw new Error(`forward: lengths[${b}] is ${n}; each length must be an integer in [1, T = ${steps}]`);
  }
  const order = Int32Array.from({ length: batch }, (_, b) => b).sort((a, b) => values[b]! - values[a]! || a - b);
  const inverse = new Int32Array(batch);
  order.forEach((b, k) => (inverse[b] = k));
  const active = new Int32Array(steps);
  for (let b = 0; b < batch; b++) for (let t = 0; t < values[b]!; t++) active[t]!++;
  return { order, inverse, active, sorted: order.every((b, k) => b === k) };
}
