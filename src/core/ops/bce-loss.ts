// Binary cross-entropy on logits, as torch.nn.functional.binary_cross_entropy_with_logits, in the stable form
// (softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}), never overflowing), with positive-class weight p:
//   l = w [ (1 - y) x + (1 + (p - 1) y) softplus(-x) ]    (= -w [p y log σ(x) + (1 - y) log(1 - σ(x))])
//   dl/dx = w [ (1 - y) - (1 + (p - 1) y) σ(-x) ]         dl/dy = w [ -x + (p - 1) softplus(-x) ]
// then reduced 'mean' (over all elements, weighted ones included, as PyTorch), 'sum' or 'none'.
// Shapes: x and y (..., C) alike; weight broadcast to x (e.g. (C,) or (N, 1)); posWeight (C,) along the last axis.
import { Tensor, allocLike, shapeString } from '../tensor.js';
import { mul } from './elementwise.js';
import { reduceLoss, type Reduction } from './reduce.js';
import { checkTargetShape } from './regression-loss.js';

export interface BCEWithLogitsOptions {
  reduction?: Reduction;
  /** Rescales each element's loss; broadcast to the input's shape. */
  weight?: Tensor;
  /** p_c > 1 weighs the positives of class c up (C values, one per entry of the last axis). */
  posWeight?: Tensor | ArrayLike<number>;
}

const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

/** True when b broadcasts onto shape a without enlarging it. */
function broadcastsOnto(b: readonly number[], a: readonly number[]): boolean {
  return b.length <= a.length && b.every((d, k) => d === 1 || d === a[a.length - b.length + k]);
}

export function bceWithLogitsLoss(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  const op = 'bceWithLogitsLoss';
  checkTargetShape(op, input, target);
  const C = input.shape.length === 0 ? 1 : input.shape[input.shape.length - 1]!;
  const raw = options.posWeight;
  const p = raw === undefined ? null : raw instanceof Tensor ? raw.data : raw;
  if (p !== null && p.length !== C) throw new Error(`${op}: posWeight must have ${C} values (the input's last axis), got ${p.length}`);
  const { weight } = options;
  if (weight !== undefined && !broadcastsOnto(weight.shape, input.shape)) {
    throw new Error(`${op}: weight of shape ${shapeString(weight.shape)} does not broadcast to the input's shape ${shapeString(input.shape)}`);
  }
  const n = input.size;
  const X = input.data;
  const Y = target.data;
  const out = allocLike(n, input, target);
  const pk = (k: number): number => (p === null ? 1 : p[k % C]!);
  for (let k = 0; k < n; k++) out[k] = (1 - Y[k]!) * X[k]! + (1 + (pk(k) - 1) * Y[k]!) * softplus(-X[k]!);
  const values = Tensor.fromOp(out, input.shape, [input, target], (o) => {
    const g = o.grad!;
    const dx = input.requiresGrad ? input.gradBuffer() : null;
    const dy = target.requiresGrad ? target.gradBuffer() : null;
    for (let k = 0; k < n; k++) {
      const x = X[k]!;
      const y = Y[k]!;
      if (dx !== null) dx[k]! += g[k]! * ((1 - y) - (1 + (pk(k) - 1) * y) / (1 + Math.exp(x)));
      if (dy !== null) dy[k]! += g[k]! * (-x + (pk(k) - 1) * softplus(-x));
    }
  });
  return reduceLoss(op, weight === undefined ? values : mul(values, weight), options.reduction);
}
