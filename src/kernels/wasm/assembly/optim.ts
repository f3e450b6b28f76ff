// Optimizer and clipping kernels over f32 arrays, as src/kernels/ref/optim.ts: Σ g² (accumulated in f64), g *= c,
// the SGD update (momentum, Nesterov, L2 weight decay) and the Adam/AdamW update with its bias corrections passed
// in. Four lanes at a time, the tail one by one. Shapes: every array (n,); pointers are byte offsets.
// The updates also return max(|p|·wScale, |state|·sScale) over what they wrote (NaN if anything is NaN, since
// f32x4.max and f32.max propagate it): with wScale, sScale the inverse bounds of core/limits.ts, a result above 1
// tells the trainer a value left its bound, without a second pass over the arrays.

@inline function at(p: usize, k: i32): usize {
  return p + ((<usize>k) << 2);
}

/** Σ g[k]² in f64 (two f64x2 accumulators per four floats). */
export function sumSquares(n: i32, g: usize): f64 {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const v = v128.load(at(g, k));
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    lo = f64x2.add(lo, f64x2.mul(a, a));
    hi = f64x2.add(hi, f64x2.mul(b, b));
  }
  const s = f64x2.add(lo, hi);
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; k < n; k++) {
    const x = <f64>load<f32>(at(g, k));
    sum += x * x;
  }
  return sum;
}

/** g *= c. */
export function scaleInPlace(n: i32, g: usize, c: f32): void {
  const cv = f32x4.splat(c);
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(at(g, k), f32x4.mul(v128.load(at(g, k)), cv));
  for (; k < n; k++) store<f32>(at(g, k), load<f32>(at(g, k)) * c);
}

/** The largest lane of a max-accumulator, NaN if any lane is NaN. */
@inline function maxLanes(v: v128): f32 {
  return Mathf.max(Mathf.max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), Mathf.max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** g ← g + λp; b ← μb + g; d = nesterov ? g + μb : b (d = g without momentum, buf = 0); p ← p − ηd. */
export function sgdUpdate(n: i32, p: usize, g: usize, buf: usize, lr: f32, mu: f32, wd: f32, nesterov: i32, wScale: f32, sScale: f32): f32 {
  const lrv = f32x4.splat(lr), muv = f32x4.splat(mu), wdv = f32x4.splat(wd), wsv = f32x4.splat(wScale), ssv = f32x4.splat(sScale);
  let worst = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const pk = v128.load(at(p, k));
    let d = f32x4.add(v128.load(at(g, k)), f32x4.mul(wdv, pk));
    if (buf != 0) {
      const b = f32x4.add(f32x4.mul(muv, v128.load(at(buf, k))), d);
      v128.store(at(buf, k), b);
      worst = f32x4.max(worst, f32x4.mul(f32x4.abs(b), ssv));
      d = nesterov != 0 ? f32x4.add(d, f32x4.mul(muv, b)) : b;
    }
    const next = f32x4.sub(pk, f32x4.mul(lrv, d));
    v128.store(at(p, k), next);
    worst = f32x4.max(worst, f32x4.mul(f32x4.abs(next), wsv));
  }
  let tail: f32 = 0;
  for (; k < n; k++) {
    const pk = load<f32>(at(p, k));
    let d = load<f32>(at(g, k)) + wd * pk;
    if (buf != 0) {
      const b = mu * load<f32>(at(buf, k)) + d;
      store<f32>(at(buf, k), b);
      tail = Mathf.max(tail, Mathf.abs(b) * sScale);
      d = nesterov != 0 ? d + mu * b : b;
    }
    const next = pk - lr * d;
    store<f32>(at(p, k), next);
    tail = Mathf.max(tail, Mathf.abs(next) * wScale);
  }
  return Mathf.max(maxLanes(worst), tail);
}

/**
 * g ← g + l2·p; m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; p ← shrink·p − stepSize · m / (√v / √(1 − β2ᵗ) + ε),
 * with stepSize = η / (1 − β1ᵗ); shrink = 1 − η λ for AdamW (l2 = 0), shrink = 1 and l2 = λ for Adam.
 */
export function adamUpdate(n: i32, p: usize, g: usize, m: usize, v: usize, stepSize: f32, sqrtBc2: f32, beta1: f32, beta2: f32, eps: f32, shrink: f32, l2: f32, wScale: f32, sScale: f32): f32 {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(1 - beta1), b2 = f32x4.splat(beta2), c2 = f32x4.splat(1 - beta2);
  const sv = f32x4.splat(stepSize), bc = f32x4.splat(sqrtBc2), ev = f32x4.splat(eps), sh = f32x4.splat(shrink), l2v = f32x4.splat(l2);
  const wsv = f32x4.splat(wScale), ssv = f32x4.splat(sScale);
  let worst = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const pk = v128.load(at(p, k));
    const gk = f32x4.add(v128.load(at(g, k)), f32x4.mul(l2v, pk));
    const mk = f32x4.add(f32x4.mul(b1, v128.load(at(m, k))), f32x4.mul(c1, gk));
    const vk = f32x4.add(f32x4.mul(b2, v128.load(at(v, k))), f32x4.mul(f32x4.mul(c2, gk), gk));
    v128.store(at(m, k), mk);
    v128.store(at(v, k), vk);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vk), bc), ev);
    const next = f32x4.sub(f32x4.mul(pk, sh), f32x4.mul(sv, f32x4.div(mk, denom)));
    v128.store(at(p, k), next);
    // v >= 0 unless NaN, so |m| and v bound the state; both go through max to let a NaN through.
    worst = f32x4.max(worst, f32x4.mul(f32x4.max(f32x4.abs(mk), vk), ssv));
    worst = f32x4.max(worst, f32x4.mul(f32x4.abs(next), wsv));
  }
  let tail: f32 = 0;
  for (; k < n; k++) {
    const pk = load<f32>(at(p, k));
    const gk = load<f32>(at(g, k)) + l2 * pk;
    const mk = beta1 * load<f32>(at(m, k)) + (1 - beta1) * gk;
    const vk = beta2 * load<f32>(at(v, k)) + (1 - beta2) * gk * gk;
    store<f32>(at(m, k), mk);
    store<f32>(at(v, k), vk);
    const next = pk * shrink - stepSize * (mk / (Mathf.sqrt(vk) / sqrtBc2 + eps));
    store<f32>(at(p, k), next);
    tail = Mathf.max(tail, Mathf.max(Mathf.abs(mk), vk) * sScale);
    tail = Mathf.max(tail, Mathf.abs(next) * wScale);
  }
  return Mathf.max(maxLanes(worst), tail);
}
