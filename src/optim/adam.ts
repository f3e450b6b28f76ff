// Adam (torch.optim.Adam, L2 weight decay) and, with `decoupled: true`, AdamW (torch.optim.AdamW).
// Per parameter p with gradient g, moments m, v, step t (counted per parameter), lr η, betas β1, β2, decay λ:
//   Adam:  g ← g + λ·p            AdamW:  p ← p·(1 − η·λ)
//   m ← β1·m + (1−β1)·g;   v ← β2·v + (1−β2)·g²;   bc1 = 1 − β1^t;   bc2 = 1 − β2^t
//   p ← p − (η / bc1) · m / (√v / √bc2 + ε)        (the bias correction exactly as PyTorch orders it)

import { Tensor } from '../core/tensor.js';
import { optimKernels } from '../kernels/index.js';
import { checkNonNegative, Optimizer, type Hyper } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  /** true: decoupled weight decay (AdamW); false: L2 penalty added to the gradient (Adam). */
  decoupled?: boolean;
}

export class Adam extends Optimizer {
  readonly kind: 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  readonly decoupled: boolean;
  /**
   * Steps taken by each parameter: PyTorch skips a parameter whose grad is null, so its bias correction must not
   * advance either. Kept as a float64 buffer ('steps', exact to 2^53) so it travels in the state dict.
   */
  private readonly steps: Float64Array;

  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.decoupled = options.decoupled ?? false;
    this.kind = this.decoupled ? 'adamw' : 'adam';
    for (const [name, beta] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(beta >= 0 && beta < 1)) throw new Error(`Adam: ${name} must be in [0, 1), got ${beta}`);
    }
    checkNonNegative('Adam eps', this.eps);
    checkNonNegative('Adam weightDecay', this.weightDecay);
    this.params.forEach((_, k) => {
      this.addBuffer(`exp_avg.${k}`, k);
      this.addBuffer(`exp_avg_sq.${k}`, k);
    });
    this.steps = new Float64Array(this.params.length);
    this.buffers['steps'] = new Tensor(this.steps, [this.params.length]);
  }

  step(): void {
    const { lr, beta1, beta2, eps, weightDecay: wd, decoupled } = this;
    this.placeBuffers();
    const k = optimKernels();
    let worst = 0;
    this.params.forEach((param, j) => {
      if (param.grad === null) return;
      const t = ++this.steps[j]!;
      worst = Math.max(worst, k.adamUpdate(param.data, param.grad, this.buffer(`exp_avg.${j}`), this.buffer(`exp_avg_sq.${j}`), {
        stepSize: lr / (1 - beta1 ** t),
        sqrtBc2: Math.sqrt(1 - beta2 ** t),
        beta1,
        beta2,
        eps,
        shrink: decoupled ? 1 - lr * wd : 1,
        l2: decoupled ? 0 : wd,
      }));
    });
    this.boundRatio = worst;
    this.stepCount++;
  }

  protected hyper(): Hyper {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected setHyper(hyper: Hyper): void {
    this.beta1 = hyper['beta1'] as number;
    this.beta2 = hyper['beta2'] as number;
    this.eps = hyper['eps'] as number;
    this.weightDecay = hyper['weightDecay'] as number;
  }
}
