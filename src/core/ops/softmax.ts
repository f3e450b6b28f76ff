// Softmax and log-softmax along one axis (the last by default), computed after subtracting the max so exp never
// overflows. softmax: y_j = e^{x_j} / Σ_k e^{x_k}, backward dx_j += y_j (dy_j - Σ_k dy_k y_k).
// log_softmax: y_j = x_j - log Σ_k e^{x_k}, backward dx_j += dy_j - e^{y_j} Σ_k dy_k.
// Shapes: x (..., C, ...) with C on `axis`; y has the shape of x.
import { Tensor, allocLike, shapeString, type Data } from '../tensor.js';
import { normalizeAxis, splitAtAxis } from './reduce.js';

/** Row-wise log-softmax of X viewed as (rows, classes), contiguous rows, into out. */
export function logSoftmaxRows(X: Data, rows: number, classes: number, out: Data): void {
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, X[base + j]!);
    let total = 0;
    for (let j = 0; j < classes; j++) total += Math.exp(X[base + j]! - max);
    const logZ = max + Math.log(total);
    for (let j = 0; j < classes; j++) out[base + j] = X[base + j]! - logZ;
  }
}

/** (outer, n, inner) of x around `axis`, refusing an empty axis. */
function layout(op: string, x: Tensor, axis: number): [number, number, number] {
  const a = normalizeAxis(op, axis, x.shape.length);
  const [outer, n, inner] = splitAtAxis(x.shape, a);
  if (n === 0) throw new Error(`${op}: axis ${axis} of ${shapeString(x.shape)} is empty`);
  return [outer, n, inner];
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const [outer, n, inner] = layout('logSoftmax', x, axis);
  const y = allocLike(x.size, x);
  const X = x.data;
  if (inner === 1) logSoftmaxRows(X, outer, n, y);
  else lanes(outer, n, inner, (at) => {
    let max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, X[at(k)]!);
    let total = 0;
    for (let k = 0; k < n; k++) total += Math.exp(X[at(k)]! - max);
    const logZ = max + Math.log(total);
    for (let k = 0; k < n; k++) y[at(k)] = X[at(k)]! - logZ;
  });
  return Tensor.fromOp(y, x.shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    lanes(outer, n, inner, (at) => {
      let total = 0;
      for (let k = 0; k < n; k++) total += dy[at(k)]!;
      for (let k = 0; k < n; k++) dx[at(k)]! += dy[at(k)]! - Math.exp(y[at(k)]!) * total;
    });
  });
}

export function softmax(x: Tensor, axis = -1): Tensor {
  const [outer, n, inner] = layout('softmax', x, axis);
  const y = allocLike(x.size, x);
  const X = x.data;
  lanes(outer, n, inner, (at) => {
    let max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, X[at(k)]!);
    let total = 0;
    for (let k = 0; k < n; k++) total += Math.exp(X[at(k)]! - max);
    for (let k = 0; k < n; k++) y[at(k)] = Math.exp(X[at(k)]! - max) / total;
  });
  return Tensor.fromOp(y, x.shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    lanes(outer, n, inner, (at) => {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += dy[at(k)]! * y[at(k)]!;
      for (let k = 0; k < n; k++) dx[at(k)]! += y[at(k)]! * (dy[at(k)]! - dot);
    });
  });
}

/** Calls fn once per lane along the axis with `at(k)`, the flat index of the lane's k-th element. */
function lanes(outer: number, n: number, inner: number, fn: (at: (k: number) => number) => void): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * n * inner + i;
      fn((k) => start + k * inner);
    }
  }
}
