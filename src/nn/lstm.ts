// The LSTM: a cell with explicit per-gate parameters, and the layer that runs it over time.
//   i = σ(x W_i + h U_i + b_i)     input gate          c = f ⊙ c + i ⊙ a
//   f = σ(x W_f + h U_f + b_f)     forget gate         h = o ⊙ tanh(c)
//   o = σ(x W_o + h U_o + b_o)     output gate         y = h W_h + b_h   (only with outputProjection)
//   a = tanh(x W_a + h U_a + b_a)  candidate cell c̃ (PyTorch's g)
// Shapes: x (B, I), h and c (B, H); W_* (I, H), U_* (H, H), b_* (1, H), W_h (H, H), b_h (1, H).
import type { Tensor } from '../core/tensor.js';
import { defaultRandom, type Random } from '../core/random.js';
import { add, matmul, mul, sigmoid, tanh } from '../core/ops/index.js';
import { ParameterCell, type Cell, type CellStep } from './cell.js';
import { uniformParameter } from './init.js';
import { LSTM_LAYOUT } from './torch-layout.js';
import { Recurrent, type RecurrentOptions } from './recurrent.js';

export interface LSTMCellOptions {
  inputSize: number;
  hiddenSize: number;
  bias?: boolean;
  outputProjection?: boolean;
  /** Draws the initial weights; the global generator (see manualSeed) when omitted. */
  random?: Random;
}

const GATES = ['i', 'f', 'o', 'a'] as const;

export class LSTMCell extends ParameterCell implements Cell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly stateNames = ['h', 'c'] as const;
  readonly torchLayout = LSTM_LAYOUT;

  constructor({ inputSize, hiddenSize, bias = true, outputProjection = false, random = defaultRandom() }: LSTMCellOptions) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    for (const g of GATES) this.addParameter(`W_${g}`, uniformParameter([inputSize, hiddenSize], k, random));
    for (const g of GATES) this.addParameter(`U_${g}`, uniformParameter([hiddenSize, hiddenSize], k, random));
    if (bias) for (const g of GATES) this.addParameter(`b_${g}`, uniformParameter([1, hiddenSize], k, random));
    if (outputProjection) {
      this.addParameter('W_h', uniformParameter([hiddenSize, hiddenSize], k, random));
      this.addParameter('b_h', uniformParameter([1, hiddenSize], k, random));
    }
  }

  /** x W_g + h U_g + b_g, the pre-activation of gate g. */
  private gate(g: (typeof GATES)[number], x: Tensor, h: Tensor): Tensor {
    const p = this.params;
    const b = p[`b_${g}`];
    const xw = matmul(x, p[`W_${g}`]!);
    const hu = matmul(h, p[`U_${g}`]!);
    return b === undefined ? add(xw, hu) : add(xw, hu, b);
  }

  step(x: Tensor, [h, c]: readonly Tensor[]): CellStep {
    const i = sigmoid(this.gate('i', x, h!));
    const f = sigmoid(this.gate('f', x, h!));
    const o = sigmoid(this.gate('o', x, h!));
    const a = tanh(this.gate('a', x, h!));
    const cNext = add(mul(f, c!), mul(i, a));
    const hNext = mul(o, tanh(cNext));
    const { W_h, b_h } = this.params;
    const output = W_h === undefined ? hNext : add(matmul(hNext, W_h), b_h!);
    return { output, state: [hNext, cNext] };
  }
}

export interface LSTMOptions extends RecurrentOptions {
  /** Adds the original design's projection y = h W_h + b_h of each step's output (h itself still recurs). */
  outputProjection?: boolean;
}

/** A multi-layer, optionally bidirectional LSTM; state is (h, c), each (D·numLayers, B, H). */
export class LSTM extends Recurrent<[Tensor, Tensor]> {
  constructor(options: LSTMOptions) {
    super(options, (inputSize, _layer, _direction, random) =>
      new LSTMCell({ inputSize, hiddenSize: options.hiddenSize, bias: options.bias ?? true, outputProjection: options.outputProjection ?? false, random }),
    );
  }
}
