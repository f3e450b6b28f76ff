// Reductions: sum and mean over every element or along one axis (and the mean/sum/none choice losses share).
// Backward spreads dy back over the reduced axis: dx[.., j, ..] += dy[..] (times 1/n for the mean).
// Shapes: x (..., N, ...) -> y (..., ...) or with keepDims (..., 1, ...); with no axis, y is a scalar of shape ().
import { Tensor, allocLike, shapeString } from '../tensor.js';

export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  return a;
}

/** (outer, n, inner) such that x viewed as (outer, n, inner) has the axis in the middle. */
export function splitAtAxis(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, shape[axis]!, inner];
}

export function sum(x: Tensor, axis?: number, keepDims = false): Tensor {
  return reduce('sum', x, axis, keepDims);
}

export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  return reduce('mean', x, axis, keepDims);
}

function reduce(op: 'sum' | 'mean', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  const X = x.data;
  if (axis === undefined) {
    if (x.size === 0 && op === 'mean') throw new Error(`mean: tensor of shape ${shapeString(x.shape)} is empty`);
    const w = op === 'mean' ? 1 / x.size : 1;
    let acc = 0;
    for (let k = 0; k < X.length; k++) acc += X[k]!;
    const y = allocLike(1, x);
    y[0] = acc * w;
    const shape = keepDims ? x.shape.map(() => 1) : [];
    return Tensor.fromOp(y, shape, [x], (out) => {
      const g = out.grad![0]! * w;
      const dx = x.gradBuffer();
      for (let k = 0; k < dx.length; k++) dx[k]! += g;
    });
  }
  const a = normalizeAxis(op, axis, x.shape.length);
  const [outer, n, inner] = splitAtAxis(x.shape, a);
  const w = op === 'mean' ? 1 / n : 1;
  const y = allocLike(outer * inner, x);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < inner; i++) y[o * inner + i]! += X[(o * n + j) * inner + i]! * w;
  const shape = keepDims ? x.shape.map((d, k) => (k === a ? 1 : d)) : x.shape.filter((_, k) => k !== a);
  return Tensor.fromOp(y, shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < n; j++)
        for (let i = 0; i < inner; i++) dx[(o * n + j) * inner + i]! += dy[o * inner + i]! * w;
  });
}

/** How a loss reduces its per-element values: their mean (the default), their sum, or none (kept per element). */
export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(op: string, reduction: Reduction | undefined): Reduction {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  return r;
}

/** A loss's per-element values reduced as asked: a scalar for 'mean' and 'sum', the values themselves for 'none'. */
export function reduceLoss(op: string, values: Tensor, reduction: Reduction | undefined): Tensor {
  const r = checkReduction(op, reduction);
  return r === 'none' ? values : r === 'sum' ? sum(values) : mean(values);
}
