// The contract every recurrent cell keeps, built-in or written by a user from tensor ops: one step maps an
// input x_t (B, I) and the state tensors (each (B, H)) to a step output (B, O) and the next state.
// `stateNames` says how many state tensors there are: ['h', 'c'] for an LSTM, ['h'] for a GRU or RNN.
import type { Tensor } from '../core/tensor.js';
import type { Random } from '../core/random.js';
import { Module } from './module.js';

export interface CellStep {
  /** What the layer emits at this step (h itself, or a projection of it). */
  output: Tensor;
  /** The next state, in the order of `stateNames`. */
  state: Tensor[];
}

export interface Cell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Width of a step's output: the next layer's input size. */
  readonly outputSize: number;
  readonly stateNames: readonly string[];
  /** Parameters by their short names (`W_i`, `U_f`, ...), in a fixed order. */
  namedParameters(): Array<[string, Tensor]>;
  step(x: Tensor, state: readonly Tensor[]): CellStep;
}

/**
 * Builds the cell for one layer and direction; `inputSize` is the width reaching that layer, and `random` is the
 * layer's seeded generator, to draw initial weights from.
 */
export type CellFactory = (inputSize: number, layer: number, direction: number, random: Random) => Cell;

/** A layer's state as users see it: one tensor for a single-state cell, a tuple otherwise (LSTM's (h, c)). */
export type State = Tensor | Tensor[];

/**
 * What the built-in cells share: a Module whose parameters also sit in `params` by their short names (what the
 * PyTorch layout, the ONNX export and the fused engine read), each registered once through `addParameter`.
 */
export abstract class ParameterCell extends Module {
  readonly params: Record<string, Tensor> = Object.create(null);

  protected addParameter(name: string, t: Tensor): void {
    this.params[name] = this.registerParameter(name, t);
  }
}
