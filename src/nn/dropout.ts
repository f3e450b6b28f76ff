// Dropout as a module, as nn.Dropout: in training each element is zeroed with probability p and the survivors
// scaled by 1/(1-p) (the `dropout` op); in eval mode it passes x through. Shapes: any.
// Masks come from the generator given (or seeded), else from the global one at each call, as PyTorch draws them.
import type { Tensor } from '../core/tensor.js';
import { defaultRandom, Random } from '../core/random.js';
import { dropout } from '../core/ops/index.js';
import { Module } from './module.js';

export interface DropoutOptions {
  random?: Random;
  seed?: number;
}

export class Dropout extends Module {
  readonly p: number;
  /** Draws the masks; null means the global generator (see manualSeed). Assignable to replay masks. */
  random: Random | null;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: probability must be in [0, 1), got ${p}`);
    this.p = p;
    this.random = options.random ?? (options.seed === undefined ? null : new Random(options.seed));
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.random ?? defaultRandom(), this.training);
  }
}
