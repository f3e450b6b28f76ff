// The GRU, with the reset gate applied after the recurrent product, as PyTorch does:
//   r = σ(x W_r + h U_r + b_r)                 reset gate
//   z = σ(x W_z + h U_z + b_z)                 update gate
//   n = tanh(x W_n + b_n + r ⊙ (h U_n + b_hn)) candidate
//   h' = (1 - z) ⊙ n + z ⊙ h
// Shapes: x (B, I), h (B, H); W_* (I, H), U_* (H, H), b_* and b_hn (1, H).
import type { Tensor } from '../core/tensor.js';
import { defaultRandom, type Random } from '../core/random.js';
import { add, matmul, mul, scale, sigmoid, tanh } from '../core/ops/index.js';
import { ParameterCell, type Cell, type CellStep } from './cell.js';
import { uniformParameter } from './init.js';
import { GRU_LAYOUT } from './torch-layout.js';
import { Recurrent, type RecurrentOptions } from './recurrent.js';

export interface GRUCellOptions {
  inputSize: number;
  hiddenSize: number;
  bias?: boolean;
  /** Draws the initial weights; the global generator (see manualSeed) when omitted. */
  random?: Random;
}

const GATES = ['r', 'z', 'n'] as const;

export class GRUCell extends ParameterCell implements Cell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly stateNames = ['h'] as const;
  readonly torchLayout = GRU_LAYOUT;

  constructor({ inputSize, hiddenSize, bias = true, random = defaultRandom() }: GRUCellOptions) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    for (const g of GATES) this.addParameter(`W_${g}`, uniformParameter([inputSize, hiddenSize], k, random));
    for (const g of GATES) this.addParameter(`U_${g}`, uniformParameter([hiddenSize, hiddenSize], k, random));
    if (bias) {
      for (const g of GATES) this.addParameter(`b_${g}`, uniformParameter([1, hiddenSize], k, random));
      this.addParameter('b_hn', uniformParameter([1, hiddenSize], k, random));
    }
  }

  /** Adds the bias named `name` when the cell has biases. */
  private biased(t: Tensor, name: string): Tensor {
    const b = this.params[name];
    return b === undefined ? t : add(t, b);
  }

  step(x: Tensor, [h]: readonly Tensor[]): CellStep {
    const p = this.params;
    const r = sigmoid(this.biased(add(matmul(x, p.W_r!), matmul(h!, p.U_r!)), 'b_r'));
    const z = sigmoid(this.biased(add(matmul(x, p.W_z!), matmul(h!, p.U_z!)), 'b_z'));
    const n = tanh(add(this.biased(matmul(x, p.W_n!), 'b_n'), mul(r, this.biased(matmul(h!, p.U_n!), 'b_hn'))));
    const hNext = add(mul(scale(z, -1, 1), n), mul(z, h!));
    return { output: hNext, state: [hNext] };
  }
}

/** A multi-layer, optionally bidirectional GRU; state is h, (D·numLayers, B, H). */
export class GRU extends Recurrent<Tensor> {
  constructor(options: RecurrentOptions) {
    super(options, (inputSize, _layer, _direction, random) => new GRUCell({ inputSize, hiddenSize: options.hiddenSize, bias: options.bias ?? true, random }));
  }
}
