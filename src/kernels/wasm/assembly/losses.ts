// Losses on a head's outputs with their gradients, as in src/kernels/ref/losses.ts: softmax cross-entropy with
// optional class weights (the language model's, on every step, and the classifier's), and the regression losses
// (MSE, L1, Huber). Each returns the sum of the per-row (per-value) losses in f64 and writes the gradient of
// `scale` times that sum; the caller divides (the mean, or the weighted mean). Shapes: logits, dLogits (N, C);
// targets (N,) i32; weights (C,); pred, target, dPred (n,). Pointers are byte offsets.
import { expv } from './vmath';

@inline function at(p: usize, k: i32): usize {
  return p + ((<usize>k) << 2);
}

/**
 * Σ_r w_{t_r}·(-log softmax(logits_r)[t_r]) (in f64; w = 1 when weights == 0); writes
 * dLogits = (softmax - onehot(t)) · scale · w_t. Four classes at a time.
 */
export function softmaxCrossEntropy(n: i32, classes: i32, logits: usize, targets: usize, weights: usize, dLogits: usize, scale: f32): f64 {
  let total: f64 = 0;
  const full = classes & ~3;
  for (let r = 0; r < n; r++) {
    const x = at(logits, r * classes);
    const d = at(dLogits, r * classes);
    let mv = f32x4.splat(-Infinity);
    for (let j = 0; j < full; j += 4) mv = f32x4.max(mv, v128.load(at(x, j)));
    let max = Mathf.max(Mathf.max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), Mathf.max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (let j = full; j < classes; j++) max = Mathf.max(max, load<f32>(at(x, j)));
    // e_j = exp(x_j - max), kept in dLogits until the sum z is known.
    const maxv = f32x4.splat(max);
    let zv = f32x4.splat(0);
    for (let j = 0; j < full; j += 4) {
      const e = expv(f32x4.sub(v128.load(at(x, j)), maxv));
      v128.store(at(d, j), e);
      zv = f32x4.add(zv, e);
    }
    let z = f32x4.extract_lane(zv, 0) + f32x4.extract_lane(zv, 1) + f32x4.extract_lane(zv, 2) + f32x4.extract_lane(zv, 3);
    for (let j = full; j < classes; j++) {
      const e = Mathf.exp(load<f32>(at(x, j)) - max);
      store<f32>(at(d, j), e);
      z += e;
    }
    const t = load<i32>(at(targets, r));
    const l = Math.log(<f64>z) + <f64>max - <f64>load<f32>(at(x, t));
    // Without weights exactly the unweighted sums (the language model's numbers are pinned).
    const wt = weights == 0 ? <f32>1 : load<f32>(at(weights, t));
    total += weights == 0 ? l : <f64>wt * l;
    const s = weights == 0 ? scale : scale * wt;
    const w = s / z;
    const wv = f32x4.splat(w);
    for (let j = 0; j < full; j += 4) v128.store(at(d, j), f32x4.mul(v128.load(at(d, j)), wv));
    for (let j = full; j < classes; j++) store<f32>(at(d, j), load<f32>(at(d, j)) * w);
    store<f32>(at(d, t), load<f32>(at(d, t)) - s);
  }
  return total;
}

/**
 * Σ_k l(pred_k - target_k) over n values (each l rounded to f32, summed in f64), writing dPred = scale · l'(d):
 *   kind 0, MSE: l = d², l' = 2d;  1, L1: l = |d|, l' = sign d (0 at 0);
 *   2, Huber: l = d²/2 for |d| ≤ δ, else δ(|d| - δ/2); l' = clamp(d, -δ, δ).
 */
export function regressionLoss(n: i32, kind: i32, delta: f64, pred: usize, target: usize, dPred: usize, scale: f32): f64 {
  let total: f64 = 0;
  for (let k = 0; k < n; k++) {
    const d = <f64>load<f32>(at(pred, k)) - <f64>load<f32>(at(target, k));
    const a = Math.abs(d);
    let l: f64, dl: f64;
    if (kind == 0) {
      l = d * d;
      dl = 2 * d;
    } else if (kind == 1) {
      l = a;
      dl = d > 0 ? 1 : d < 0 ? -1 : 0;
    } else {
      l = a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
      dl = Math.min(delta, Math.max(-delta, d));
    }
    total += <f64><f32>l;
    store<f32>(at(dPred, k), <f32>(<f64>scale * dl));
  }
  return total;
}
