// Cross-entropy of logits against class ids, as torch.nn.functional.cross_entropy: class weights w, label
// smoothing ε and an ignored id. With p = softmax(x_n), C classes and target t (rows whose target is ignoreIndex
// count nowhere):
//   l_n = (1-ε) w_t (-log p_t) + (ε/C) Σ_c w_c (-log p_c)
//   dl_n/dx_j = (1-ε) w_t (p_j - [j = t]) + (ε/C) (p_j Σ_c w_c - w_j)
// reduction 'mean' divides Σ_n l_n by Σ_n w_{t_n} (the number of rows without weights), 'sum' does not,
// 'none' gives l_n per row. Shapes: logits (N, C), targets (N,) ids, weight (C,); the loss () or (N,).
import { Tensor, allocLike, shapeString } from '../tensor.js';
import type { Ids } from './lookup.js';
import { checkReduction, type Reduction } from './reduce.js';
import { logSoftmaxRows } from './softmax.js';

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Per-class weights w (C values), as `weight` in PyTorch. */
  weight?: Tensor | ArrayLike<number>;
  /** Rows whose target is this id are skipped (PyTorch's default -100). */
  ignoreIndex?: number;
  /** ε in [0, 1]: the target distribution becomes (1-ε) one-hot + ε uniform. */
  labelSmoothing?: number;
}

function classWeights(weight: CrossEntropyOptions['weight'], classes: number): ArrayLike<number> | null {
  if (weight === undefined) return null;
  const w = weight instanceof Tensor ? weight.data : weight;
  if (w.length !== classes) throw new Error(`crossEntropy: weight must have ${classes} values (one per class), got ${w.length}`);
  for (let c = 0; c < classes; c++) if (!Number.isFinite(w[c]!)) throw new Error(`crossEntropy: weight[${c}] is ${w[c]}, expected a finite number`);
  return w;
}

/** Cross-entropy of logits (N, C) against class ids (N,); the (weighted) mean over rows by default, as PyTorch. */
export function crossEntropy(logits: Tensor, targets: Ids | Tensor, options: CrossEntropyOptions = {}): Tensor {
  if (logits.shape.length !== 2) throw new Error(`crossEntropy: logits must be (N, C), got ${shapeString(logits.shape)}`);
  const [rows, classes] = logits.shape as [number, number];
  const ids = targets instanceof Tensor ? targets.data : targets;
  if (targets instanceof Tensor && targets.shape.length !== 1) throw new Error(`crossEntropy: targets must be (${rows},), got ${shapeString(targets.shape)}`);
  if (ids.length !== rows) throw new Error(`crossEntropy: expected ${rows} targets for logits ${shapeString(logits.shape)}, got ${ids.length}`);
  const reduction = checkReduction('crossEntropy', options.reduction);
  const ignore = options.ignoreIndex ?? -100;
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const w = classWeights(options.weight, classes);
  for (let n = 0; n < rows; n++) {
    const t = ids[n]!;
    if (t !== ignore && (!Number.isInteger(t) || t < 0 || t >= classes)) throw new Error(`crossEntropy: target ${t} at row ${n} is outside [0, ${classes})`);
  }
  let wSum = 0; // Σ_c w_c, the smoothing term's weight
  for (let c = 0; c < classes; c++) wSum += w === null ? 1 : w[c]!;

  const logp = allocLike(logits.size, logits);
  logSoftmaxRows(logits.data, rows, classes, logp);
  const perRow = allocLike(rows, logits);
  let total = 0;
  let denominator = 0;
  for (let n = 0; n < rows; n++) {
    const t = ids[n]!;
    if (t === ignore) continue;
    const wt = w === null ? 1 : w[t]!;
    let l = -wt * logp[n * classes + t]!;
    if (eps > 0) {
      let smooth = 0;
      for (let c = 0; c < classes; c++) smooth -= (w === null ? 1 : w[c]!) * logp[n * classes + c]!;
      l = (1 - eps) * l + (eps / classes) * smooth;
    }
    perRow[n] = l;
    total += l;
    denominator += wt;
  }
  // Each row's upstream gradient: dL/dl_n.
  const rowGrad = (out: Tensor, n: number): number => (reduction === 'none' ? out.grad![n]! : out.grad![0]! * (reduction === 'mean' ? 1 / denominator : 1));
  const backward = (out: Tensor): void => {
    const dx = logits.gradBuffer();
    for (let n = 0; n < rows; n++) {
      const t = ids[n]!;
      if (t === ignore) continue;
      const base = n * classes;
      const g = rowGrad(out, n);
      const wt = w === null ? 1 : w[t]!;
      // Written so that without weights or smoothing it is g·p_j, then -g at the target, exactly as always.
      const onP = eps > 0 ? g * ((1 - eps) * wt + (eps / classes) * wSum) : g * wt;
      for (let j = 0; j < classes; j++) dx[base + j]! += onP * Math.exp(logp[base + j]!);
      dx[base + t]! -= eps > 0 ? g * (1 - eps) * wt : g * wt;
      if (eps > 0) for (let j = 0; j < classes; j++) dx[base + j]! -= g * (eps / classes) * (w === null ? 1 : w[j]!);
    }
  };
  if (reduction === 'none') return Tensor.fromOp(perRow, [rows], [logits], backward);
  const loss = allocLike(1, logits);
  loss[0] = reduction === 'mean' ? total * (1 / denominator) : total;
  return Tensor.fromOp(loss, [], [logits], backward);
}
