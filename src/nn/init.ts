// Parameter initialisation as PyTorch does it for recurrent and linear layers: every weight and bias drawn
// uniform(-k, k) with k = 1/√fan, fan = hidden size (recurrent) or input width (linear). Unit-variance normal
// noise, as in the original design, would push σ and tanh into saturation, where their gradients vanish.
import { Tensor } from '../core/tensor.js';
import type { Random } from '../core/random.js';

export function uniformParameter(shape: readonly number[], bound: number, random: Random): Tensor {
  const t = Tensor.zeros(shape, { requiresGrad: true });
  for (let k = 0; k < t.size; k++) t.data[k] = random.uniform(-bound, bound);
  return t;
}
