// Losses between a prediction x and a target y of the same shape, on d = x - y, as torch.nn.functional:
//   mse:   l = d²                         dl/dx = 2d
//   l1:    l = |d|                        dl/dx = sign(d)  (0 at d = 0, as PyTorch)
//   huber: l = d²/2 if |d| <= δ, else δ(|d| - δ/2)    dl/dx = clamp(d, -δ, δ)
// and dl/dy = -dl/dx, so a target that requires grad gets one. Then reduced: 'mean' (default), 'sum' or 'none'.
// Shapes: x and y (...) alike; the loss () or, with 'none', (...).
import { Tensor, allocLike, shapeString } from '../tensor.js';
import { reduceLoss, type Reduction } from './reduce.js';

export interface LossOptions {
  reduction?: Reduction;
}

export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (δ > 0); 1 by default, as PyTorch. */
  delta?: number;
}

/** Same shape or a one-line error naming both; PyTorch would broadcast with a warning, which hides bugs. */
export function checkTargetShape(op: string, input: Tensor, target: Tensor): void {
  if (!(target instanceof Tensor)) throw new Error(`${op}: target must be a Tensor of shape ${shapeString(input.shape)}, got ${typeof target}`);
  if (input.shape.length !== target.shape.length || input.shape.some((d, k) => d !== target.shape[k])) {
    throw new Error(`${op}: target must have the input's shape ${shapeString(input.shape)}, got ${shapeString(target.shape)}`);
  }
}

/** Per-element l(d) with d = x - y, and its backward dx += dy·l'(d), dy_target -= dy·l'(d). */
function onDifference(op: string, input: Tensor, target: Tensor, l: (d: number) => number, dl: (d: number) => number): Tensor {
  checkTargetShape(op, input, target);
  const n = input.size;
  const X = input.data;
  const Y = target.data;
  const out = allocLike(n, input, target);
  for (let k = 0; k < n; k++) out[k] = l(X[k]! - Y[k]!);
  return Tensor.fromOp(out, input.shape, [input, target], (o) => {
    const g = o.grad!;
    const dx = input.requiresGrad ? input.gradBuffer() : null;
    const dy = target.requiresGrad ? target.gradBuffer() : null;
    for (let k = 0; k < n; k++) {
      const v = g[k]! * dl(X[k]! - Y[k]!);
      if (dx !== null) dx[k]! += v;
      if (dy !== null) dy[k]! -= v;
    }
  });
}

export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const values = onDifference('mseLoss', input, target, (d) => d * d, (d) => 2 * d);
  return reduceLoss('mseLoss', values, options.reduction);
}

export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const values = onDifference('l1Loss', input, target, Math.abs, Math.sign);
  return reduceLoss('l1Loss', values, options.reduction);
}

export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const delta = options.delta ?? 1;
  if (!(delta > 0 && Number.isFinite(delta))) throw new Error(`huberLoss: delta must be a finite number > 0, got ${delta}`);
  const values = onDifference(
    'huberLoss', input, target,
    (d) => (Math.abs(d) <= delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta)),
    (d) => Math.min(delta, Math.max(-delta, d)),
  );
  return reduceLoss('huberLoss', values, options.reduction);
}
