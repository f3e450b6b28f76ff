// Gradient-norm utilities used between backward() and optimizer.step().
// Symbols: g_k = grad of parameter k (null grads count as zero), ‖g‖ = sqrt(Σ_k Σ_j g_k[j]²), the global L2 norm
// over all parameters as if their gradients were concatenated into one vector (as torch.nn.utils.clip_grad_norm_).
// Clipping rescales every g_k by c = min(1, maxNorm / (‖g‖ + 1e-6)), so the direction is kept and ‖c·g‖ ≤ maxNorm.

import type { Tensor } from '../core/tensor.js';
import { optimKernels } from '../kernels/index.js';

/** Global L2 norm of all gradients; a parameter whose grad is null contributes zero. Accumulates in float64. */
export function gradNorm(params: readonly Tensor[]): number {
  const k = optimKernels();
  let sumSq = 0;
  for (const p of params) if (p.grad !== null) sumSq += k.sumSquares(p.grad);
  return Math.sqrt(sumSq);
}

/**
 * Scales all gradients in place so their global norm is at most `maxNorm`, and returns the norm *before* clipping
 * (log it: a norm that keeps hitting the ceiling means the learning rate or the clip is too tight).
 *
 * As PyTorch: c = min(1, maxNorm / (norm + 1e-6)); the 1e-6 keeps c finite for a zero gradient. A NaN/Inf norm makes
 * c NaN/0 and poisons the grads exactly as in PyTorch, so check `hasNonFinite` first if a step might blow up.
 * `norm` is the gradients' current norm, for a caller that has just computed it (saves a pass over them).
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number, norm = gradNorm(params)): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be a positive number, got ${maxNorm}`);
  const coef = Math.min(maxNorm / (norm + 1e-6), 1);
  if (coef !== 1) {
    const k = optimKernels();
    for (const p of params) if (p.grad !== null) k.scaleInPlace(p.grad, coef);
  }
  return norm;
}

/** True if any gradient holds a NaN or ±Infinity (skip the step, or lower the learning rate). */
export function hasNonFinite(params: readonly Tensor[]): boolean {
  for (const p of params) {
    const g = p.grad;
    if (g === null) continue;
    for (let j = 0; j < g.length; j++) if (!Number.isFinite(g[j]!)) return true;
  }
  return false;
}
