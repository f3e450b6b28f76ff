// The plain (Elman) RNN: h' = φ(x W + h U + b) with φ = tanh or relu.
// Shapes: x (B, I), h (B, H); W (I, H), U (H, H), b (1, H).
import type { Tensor } from '../core/tensor.js';
import { defaultRandom, type Random } from '../core/random.js';
import { add, matmul, relu, tanh } from '../core/ops/index.js';
import { ParameterCell, type Cell, type CellStep } from './cell.js';
import { uniformParameter } from './init.js';
import { rnnLayout, type TorchLayout } from './torch-layout.js';
import { Recurrent, type RecurrentOptions } from './recurrent.js';

export type Nonlinearity = 'tanh' | 'relu';

export interface RNNCellOptions {
  inputSize: number;
  hiddenSize: number;
  nonlinearity?: Nonlinearity;
  bias?: boolean;
  /** Draws the initial weights; the global generator (see manualSeed) when omitted. */
  random?: Random;
}

export class RNNCell extends ParameterCell implements Cell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly stateNames = ['h'] as const;
  readonly nonlinearity: Nonlinearity;
  readonly torchLayout: TorchLayout;

  constructor({ inputSize, hiddenSize, nonlinearity = 'tanh', bias = true, random = defaultRandom() }: RNNCellOptions) {
    super();
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`RNN: nonlinearity must be "tanh" or "relu", got "${String(nonlinearity)}"`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = hiddenSize;
    this.nonlinearity = nonlinearity;
    this.torchLayout = rnnLayout(nonlinearity);
    const k = 1 / Math.sqrt(hiddenSize);
    this.addParameter('W', uniformParameter([inputSize, hiddenSize], k, random));
    this.addParameter('U', uniformParameter([hiddenSize, hiddenSize], k, random));
    if (bias) this.addParameter('b', uniformParameter([1, hiddenSize], k, random));
  }

  step(x: Tensor, [h]: readonly Tensor[]): CellStep {
    const { W, U, b } = this.params;
    const pre = b === undefined ? add(matmul(x, W!), matmul(h!, U!)) : add(matmul(x, W!), matmul(h!, U!), b);
    const hNext = this.nonlinearity === 'tanh' ? tanh(pre) : relu(pre);
    return { output: hNext, state: [hNext] };
  }
}

export interface RNNOptions extends RecurrentOptions {
  nonlinearity?: Nonlinearity;
}

/** A multi-layer, optionally bidirectional Elman RNN; state is h, (D·numLayers, B, H). */
export class RNN extends Recurrent<Tensor> {
  constructor(options: RNNOptions) {
    super(options, (inputSize, _layer, _direction, random) =>
      new RNNCell({ inputSize, hiddenSize: options.hiddenSize, nonlinearity: options.nonlinearity ?? 'tanh', bias: options.bias ?? true, random }),
    );
  }
}
