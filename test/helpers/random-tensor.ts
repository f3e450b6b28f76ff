// Test inputs: tensors of seeded normal values, so every test draws the same numbers on every run.
import { Tensor } from '../../src/core/tensor.js';
import { Random } from '../../src/core/random.js';

/** A tensor of normal(0, std) values from its own seed. */
export function randn(shape: readonly number[], seed: number, std = 1): Tensor {
  const r = new Random(seed);
  const t = Tensor.zeros(shape);
  for (let k = 0; k < t.size; k++) t.data[k] = std * r.normal();
  return t;
}
