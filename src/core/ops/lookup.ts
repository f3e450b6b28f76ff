// Token ids to vectors: one-hot encoding (a constant, no gradient) and embedding lookup, the row gather
// y[n] = E[id[n]] whose backward scatters dE[id[n]] += dy[n]. Shapes: ids (N...) -> (N..., V) or (N..., D),
// with E (V, D).
import { Tensor, allocLike, shapeString, sizeOf, type Data } from '../tensor.js';

/** Integer ids: an Int32Array, a number[] or the data of a Tensor of whole numbers (checked where used). */
export type Ids = ArrayLike<number>;

function checkIds(op: string, ids: Ids, shape: readonly number[], depth: number): void {
  if (ids.length !== sizeOf(shape)) throw new Error(`${op}: ${ids.length} ids do not fill shape ${shapeString(shape)}`);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    if (!Number.isInteger(id) || id < 0 || id >= depth) throw new Error(`${op}: id ${id} at position ${k} is outside [0, ${depth})`);
  }
}

/** One-hot vectors of length `depth` for ids laid out in `shape`: result shape (...shape, depth). */
export function oneHot(ids: Ids, shape: readonly number[], depth: number): Tensor {
  checkIds('oneHot', ids, shape, depth);
  const y = new Float32Array(ids.length * depth);
  for (let k = 0; k < ids.length; k++) y[k * depth + ids[k]!] = 1;
  return new Tensor(y, [...shape, depth]);
}

/** Rows of the embedding matrix E (V, D) for ids laid out in `shape`: result shape (...shape, D). */
export function embedding(weight: Tensor, ids: Ids, shape: readonly number[]): Tensor {
  if (weight.shape.length !== 2) throw new Error(`embedding: weight must be (V, D), got ${shapeString(weight.shape)}`);
  const [vocab, dim] = weight.shape as [number, number];
  checkIds('embedding', ids, shape, vocab);
  const E: Data = weight.data;
  const y = allocLike(ids.length * dim, weight);
  for (let k = 0; k < ids.length; k++) y.set(E.subarray(ids[k]! * dim, (ids[k]! + 1) * dim), k * dim);
  return Tensor.fromOp(y, [...shape, dim], [weight], (out) => {
    const dy = out.grad!;
    const dE = weight.gradBuffer();
    for (let k = 0; k < ids.length; k++) {
      const row = ids[k]! * dim;
      for (let j = 0; j < dim; j++) dE[row + j]! += dy[k * dim + j]!;
    }
  });
}
