// Parameter initialisation as PyTorch does it: recurrent and linear layers draw every weight and bias uniform(-k, k)
// with k = 1/√fan, fan = hidden size (recurrent) or input width (linear); unit-variance normal noise, as in the
// original design, would push σ and tanh into saturation, where their gradients vanish. An embedding table is
// not behind a squashing function and nn.Embedding draws it N(0, 1).
import { Tensor } from '../core/tensor.js';
import type { Random } from '../core/random.js';

export function uniformParameter(shape: readonly number[], bound: number, random: Random): Tensor {
  const t = Tensor.zeros(shape, { requiresGrad: true });
  for (let k = 0; k < t.size; k++) t.data[k] = random.uniform(-bound, bound);
  return t;
}

/** N(0, 1) entries, as nn.Embedding initialises its table. */
export function normalParameter(shape: readonly number[], random: Random): Tensor {
  const t = Tensor.zeros(shape, { requiresGrad: true });
  for (let k = 0; k < t.size; k++) t.data[k] = random.normal();
  return t;
}
