// Optimizer and clipping kernels in plain TypeScript: Σ g², g *= c, the SGD update and the Adam/AdamW update,
// each over one parameter's arrays. The reference for wasm/assembly/optim.ts and the path for float64 parameters.
// Symbols: p parameter, g gradient, b momentum buffer, m and v Adam's moments; every array (n,).
// The updates return max(|p|·wScale, |state|·sScale) over what they wrote, NaN if any value is NaN (Math.max
// propagates it): above 1 means a value left its bound (core/limits.ts), found in the same pass as the update.
import { MAX_STATE, MAX_WEIGHT } from '../../core/limits.js';

export type Floats = Float32Array | Float64Array;

/** Inverse bounds for the returned ratio; default 1/MAX_WEIGHT for parameters, 1/MAX_STATE for buffers. */
export interface BoundScales {
  wScale?: number;
  sScale?: number;
}

export const DEFAULT_SCALES = { wScale: 1 / MAX_WEIGHT, sScale: 1 / MAX_STATE } as const;

export interface SGDHyper extends BoundScales {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

/** Per step: stepSize = η / (1 − β1ᵗ), sqrtBc2 = √(1 − β2ᵗ); AdamW: shrink = 1 − ηλ, l2 = 0; Adam: shrink = 1, l2 = λ. */
export interface AdamHyper extends BoundScales {
  stepSize: number;
  sqrtBc2: number;
  beta1: number;
  beta2: number;
  eps: number;
  shrink: number;
  l2: number;
}

/** Σ g[k]², accumulated in float64. */
export function sumSquares(g: Floats): number {
  let sum = 0;
  for (let k = 0; k < g.length; k++) sum += g[k]! * g[k]!;
  return sum;
}

export function scaleInPlace(g: Floats, c: number): void {
  for (let k = 0; k < g.length; k++) g[k]! *= c;
}

/** g ← g + λp; b ← μb + g; d = nesterov ? g + μb : b (d = g without momentum); p ← p − ηd. */
export function sgdUpdate(p: Floats, g: Floats, b: Floats | null, h: SGDHyper): number {
  const { lr, momentum: mu, weightDecay: wd, nesterov } = h;
  const { wScale = DEFAULT_SCALES.wScale, sScale = DEFAULT_SCALES.sScale } = h;
  let worst = 0;
  if (b === null && wd === 0) {
    for (let j = 0; j < p.length; j++) {
      p[j] = p[j]! - lr * g[j]!;
      worst = Math.max(worst, Math.abs(p[j]!) * wScale);
    }
    return worst;
  }
  for (let j = 0; j < p.length; j++) {
    let d = g[j]! + wd * p[j]!;
    if (b !== null) {
      b[j] = mu * b[j]! + d;
      worst = Math.max(worst, Math.abs(b[j]!) * sScale);
      d = nesterov ? d + mu * b[j]! : b[j]!;
    }
    p[j] = p[j]! - lr * d;
    worst = Math.max(worst, Math.abs(p[j]!) * wScale);
  }
  return worst;
}

/** g ← g + l2·p; m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; p ← shrink·p − stepSize · m / (√v / sqrtBc2 + ε). */
export function adamUpdate(p: Floats, g: Floats, m: Floats, v: Floats, h: AdamHyper): number {
  const { stepSize, sqrtBc2, beta1, beta2, eps, shrink, l2 } = h;
  const { wScale = DEFAULT_SCALES.wScale, sScale = DEFAULT_SCALES.sScale } = h;
  let worst = 0;
  for (let j = 0; j < p.length; j++) {
    const gj = g[j]! + l2 * p[j]!;
    m[j] = beta1 * m[j]! + (1 - beta1) * gj;
    v[j] = beta2 * v[j]! + (1 - beta2) * gj * gj;
    const denom = Math.sqrt(v[j]!) / sqrtBc2 + eps;
    p[j] = p[j]! * shrink - stepSize * (m[j]! / denom);
    worst = Math.max(worst, Math.max(Math.abs(m[j]!), v[j]!) * sScale, Math.abs(p[j]!) * wScale);
  }
  return worst;
}
