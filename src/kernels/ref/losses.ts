// Losses on a head's outputs with their gradients, over one Float32Array heap (target ids in its Int32Array view):
// softmax cross-entropy with optional class weights (the language model's, on every step, and the classifier's),
// and the regression losses (MSE, L1, Huber). Each returns the sum of the per-row (per-value) losses and writes
// the gradient of `scale` times that sum; the caller divides (the mean, or the weighted mean). The reference for
// wasm/assembly/losses.ts. Shapes: logits, dLogits (N, C); targets (N,); weights (C,); pred, target, dPred (n,).

/**
 * Σ_r w_{t_r}·(-log softmax(logits_r)[t_r]) (w = 1 when weights < 0); writes dLogits = (softmax - onehot(t))·scale·w_t.
 * Rows are shifted by their max before exp.
 */
export function softmaxCrossEntropy(
  m: Float32Array, ids: Int32Array, n: number, classes: number, logits: number, targetsAt: number, weights: number, dLogits: number, scale: number,
): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    const x = logits + r * classes;
    const d = dLogits + r * classes;
    let max = -Infinity;
    for (let j = 0; j < classes; j++) max = Math.max(max, m[x + j]!);
    let z = 0;
    for (let j = 0; j < classes; j++) z += Math.exp(m[x + j]! - max);
    const t = ids[targetsAt + r]!;
    const l = Math.log(z) + max - m[x + t]!;
    // Without weights exactly the unweighted sums (the language model's numbers are pinned).
    const wt = weights < 0 ? 1 : m[weights + t]!;
    total += weights < 0 ? l : wt * l;
    const s = weights < 0 ? scale : scale * wt;
    for (let j = 0; j < classes; j++) m[d + j] = (Math.exp(m[x + j]! - max) / z) * s;
    m[d + t]! -= s;
  }
  return total;
}

/** 0: MSE, 1: L1 (MAE), 2: Huber. */
export const REGRESSION_LOSSES = ['mse', 'mae', 'huber'] as const;

/**
 * Σ_k l(pred_k - target_k) over n values (each l rounded to float32, as the autograd losses store them), writing
 * dPred = scale · l'(d):  MSE l = d², l' = 2d;  L1 l = |d|, l' = sign d (0 at 0);
 * Huber l = d²/2 for |d| ≤ δ, else δ(|d| - δ/2), l' = clamp(d, -δ, δ).
 */
export function regressionLoss(m: Float32Array, n: number, kind: number, delta: number, pred: number, target: number, dPred: number, scale: number): number {
  const s = Math.fround(scale); // a float32 as the gradient buffer holds it (and the wasm kernel takes it)
  let total = 0;
  for (let k = 0; k < n; k++) {
    const d = m[pred + k]! - m[target + k]!;
    const a = Math.abs(d);
    let l: number;
    let dl: number;
    if (kind === 0) {
      l = d * d;
      dl = 2 * d;
    } else if (kind === 1) {
      l = a;
      dl = Math.sign(d);
    } else {
      l = a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
      dl = Math.min(delta, Math.max(-delta, d));
    }
    total += Math.fround(l);
    m[dPred + k] = s * dl;
  }
  return total;
}
