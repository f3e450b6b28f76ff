// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, as torch.optim.SGD
// (dampening 0). Per parameter p with gradient g, momentum μ, weight decay λ, learning rate η:
//   g ← g + λ·p;   b ← μ·b + g;   d = nesterov ? g + μ·b : b   (d = g when μ = 0);   p ← p − η·d
// PyTorch starts b as a copy of g on the first step; we start b at zero, and μ·0 + g = g exactly, so they agree.

import type { Tensor } from '../core/tensor.js';
import { optimKernels } from '../kernels/index.js';
import { checkNonNegative, Optimizer, type Hyper } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly kind = 'sgd';
  momentum: number;
  weightDecay: number;
  nesterov: boolean;

  constructor(params: readonly Tensor[], options: SGDOptions) {
    super(params, options.lr);
    this.momentum = options.momentum ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    checkNonNegative('SGD momentum', this.momentum);
    checkNonNegative('SGD weightDecay', this.weightDecay);
    if (this.nesterov && this.momentum === 0) throw new Error('SGD: nesterov requires momentum > 0');
    // Momentum buffers exist only with momentum, so a state dict's buffer list tells the two configurations apart.
    if (this.momentum !== 0) this.params.forEach((_, k) => this.addBuffer(`momentum.${k}`, k));
  }

  step(): void {
    const hyper = { lr: this.lr, momentum: this.momentum, weightDecay: this.weightDecay, nesterov: this.nesterov };
    this.placeBuffers();
    const k = optimKernels();
    let worst = 0;
    this.params.forEach((param, j) => {
      if (param.grad === null) return;
      worst = Math.max(worst, k.sgdUpdate(param.data, param.grad, this.momentum !== 0 ? this.buffer(`momentum.${j}`) : null, hyper));
    });
    this.boundRatio = worst;
    this.stepCount++;
  }

  protected hyper(): Hyper {
    return { momentum: this.momentum, weightDecay: this.weightDecay, nesterov: this.nesterov };
  }

  protected setHyper(hyper: Hyper): void {
    this.momentum = hyper['momentum'] as number;
    this.weightDecay = hyper['weightDecay'] as number;
    this.nesterov = hyper['nesterov'] as boolean;
  }
}
