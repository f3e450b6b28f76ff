// Log-softmax over the last axis and the cross-entropy loss of logits against integer targets.
// log_softmax(x)_j = x_j - log Σ_k exp(x_k) (computed after subtracting the row max, so exp never overflows);
// backward dx_j += dy_j - softmax_j Σ_k dy_k. Cross-entropy: L = -(1/N) Σ_n log_softmax(x_n)[t_n], dx_n = (p_n - e_t)/N.
// Shapes: x (N, C), targets (N,), L a scalar ().
import { Tensor, allocLike, shapeString, type Data } from '../tensor.js';
import type { Ids } from './lookup.js';

/** Row-wise log-softmax of x (N, C), written into a new buffer. */
function logSoftmaxRows(X: Data, rows: number, classes: number, out: Data): void {
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

function rowsAndClasses(op: string, x: Tensor): [number, number] {
  if (x.shape.length < 1 || x.shape[x.shape.length - 1]! === 0) throw new Error(`${op}: expected (..., C) with C > 0, got ${shapeString(x.shape)}`);
  const classes = x.shape[x.shape.length - 1]!;
  return [x.size / classes, classes];
}

export function logSoftmax(x: Tensor): Tensor {
  const [rows, classes] = rowsAndClasses('logSoftmax', x);
  const y = allocLike(x.size, x);
  logSoftmaxRows(x.data, rows, classes, y);
  return Tensor.fromOp(y, x.shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let r = 0; r < rows; r++) {
      const base = r * classes;
      let total = 0;
      for (let j = 0; j < classes; j++) total += dy[base + j]!;
      for (let j = 0; j < classes; j++) dx[base + j]! += dy[base + j]! - Math.exp(y[base + j]!) * total;
    }
  });
}

export interface CrossEntropyOptions {
  reduction?: 'mean' | 'sum';
}

/** Cross-entropy of logits (N, C) against class ids (N,); the mean over rows by default, as PyTorch. */
export function crossEntropy(logits: Tensor, targets: Ids, options: CrossEntropyOptions = {}): Tensor {
  if (logits.shape.length !== 2) throw new Error(`crossEntropy: logits must be (N, C), got ${shapeString(logits.shape)}`);
  const [rows, classes] = logits.shape as [number, number];
  if (targets.length !== rows) throw new Error(`crossEntropy: ${targets.length} targets for ${rows} rows of logits`);
  for (let n = 0; n < rows; n++) {
    const t = targets[n]!;
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new Error(`crossEntropy: target ${t} at row ${n} is outside [0, ${classes})`);
  }
  const logp = allocLike(logits.size, logits);
  logSoftmaxRows(logits.data, rows, classes, logp);
  const w = options.reduction === 'sum' ? 1 : 1 / rows;
  let total = 0;
  for (let n = 0; n < rows; n++) total -= logp[n * classes + targets[n]!]!;
  const loss = allocLike(1, logits);
  loss[0] = total * w;
  return Tensor.fromOp(loss, [], [logits], (out) => {
    const g = out.grad![0]! * w;
    const dx = logits.gradBuffer();
    for (let n = 0; n < rows; n++) {
      const base = n * classes;
      for (let j = 0; j < classes; j++) dx[base + j]! += g * Math.exp(logp[base + j]!);
      dx[base + targets[n]!]! -= g;
    }
  });
}
