// The one registry of built-in cell kinds: for each, everything the rest of the library needs to know about it
// (gates, state, how to build a layer, PyTorch's layout, the ONNX operator, the fused engine's layer), so a new
// built-in cell is added here (and its name in cell-kind-names.ts, which the CLI reads) and nowhere else. A cell is recognised by its exact class, never by a list of
// `instanceof` checks: a subclass with its own step() is a user-written cell, which only the autograd path runs.
// Where it sits: nn, beside the cells it lists. It imports the engine's three fused-layer files, which are
// leaves (they import only types and engine/layer.ts, never nn), so there is no import cycle: the engine's
// model code imports this file, and this file imports only those leaves.
import type { Tensor } from '../core/tensor.js';
import type { FusedLayer, LayerShape } from '../engine/layer.js';
import { FusedGRULayer } from '../engine/gru-layer.js';
import { FusedLSTMLayer } from '../engine/lstm-layer.js';
import { FusedRNNLayer } from '../engine/rnn-layer.js';
import type { Cell } from './cell.js';
import { GRU, GRUCell } from './gru.js';
import { LSTM, LSTMCell, type LSTMOptions } from './lstm.js';
import type { Recurrent } from './recurrent.js';
import { RNN, RNNCell, type Nonlinearity } from './rnn.js';
import type { TorchLayout } from './torch-layout.js';

import { CELL_KINDS, type CellKind } from './cell-kind-names.js';

export { CELL_KINDS, type CellKind };

/** A layer of any kind: the recurrent options, plus what only one kind takes. */
export interface CellLayerOptions extends LSTMOptions {
  /** Only for 'rnn'. */
  nonlinearity?: Nonlinearity;
}

export interface CellKindSpec {
  readonly kind: CellKind;
  /** torch.nn's class (nn.LSTM), ONNX's operator (LSTM) and the name people read. */
  readonly name: 'LSTM' | 'GRU' | 'RNN';
  /** The cell's class, matched exactly. */
  readonly cellClass: abstract new (...args: never[]) => Cell;
  /** Our gate names, in our order (the RNN has none: its one block is h itself). */
  readonly gates: readonly string[];
  /** G: how many H-row blocks PyTorch stacks in weight_ih (4 for the LSTM, 3 for the GRU, 1 for the RNN). */
  readonly gateCount: number;
  readonly stateNames: readonly string[];
  /** Biases per layer and direction beyond G·H (the GRU's b_hn: H). */
  readonly extraBiasBlocks: number;
  /** A layer of this kind. */
  layer(options: CellLayerOptions): Recurrent;
  /** PyTorch's gate order and bias split for this cell (the RNN's mode depends on its nonlinearity). */
  torchLayout(cell: Cell): TorchLayout;
  /** ONNX: PyTorch's gate blocks in the order the operator wants them, and the RNN's activation. */
  readonly onnxGateOrder: readonly number[];
  onnxActivation(cell: Cell): 'Tanh' | 'Relu' | null;
  /** Why PyTorch, ONNX and the fused engine cannot take this cell (a feature only we have), or null. */
  unsupported(cell: Cell): string | null;
  /** The fused engine's layer over the cell's parameters. */
  fused(cell: Cell, shape: LayerShape): FusedLayer;
}

const params = (cell: Cell): Record<string, Tensor> => (cell as LSTMCell | GRUCell | RNNCell).params;

function refuse(kind: string, key: keyof CellLayerOptions, options: CellLayerOptions): void {
  if (options[key] !== undefined) throw new Error(`${key} applies only to ${key === 'nonlinearity' ? "'rnn'" : "'lstm'"} layers, not '${kind}'`);
}

const LSTM_SPEC: CellKindSpec = {
  kind: 'lstm', name: 'LSTM', cellClass: LSTMCell, gates: ['i', 'f', 'o', 'a'], gateCount: 4, stateNames: ['h', 'c'], extraBiasBlocks: 0,
  layer: (options) => {
    refuse('lstm', 'nonlinearity', options);
    return new LSTM(options) as Recurrent;
  },
  torchLayout: (cell) => (cell as LSTMCell).torchLayout,
  onnxGateOrder: [0, 3, 1, 2], // PyTorch i, f, g, o -> ONNX i, o, f, c
  onnxActivation: () => null,
  unsupported: (cell) => (params(cell).W_h === undefined ? null : 'the LSTM has an output projection (W_h, b_h)'),
  fused: (cell, shape) => new FusedLSTMLayer(shape, params(cell)),
};

const GRU_SPEC: CellKindSpec = {
  kind: 'gru', name: 'GRU', cellClass: GRUCell, gates: ['r', 'z', 'n'], gateCount: 3, stateNames: ['h'], extraBiasBlocks: 1,
  layer: (options) => {
    refuse('gru', 'nonlinearity', options);
    refuse('gru', 'outputProjection', options);
    return new GRU(options) as Recurrent;
  },
  torchLayout: (cell) => (cell as GRUCell).torchLayout,
  onnxGateOrder: [1, 0, 2], // PyTorch r, z, n -> ONNX z, r, h
  onnxActivation: () => null,
  unsupported: () => null,
  fused: (cell, shape) => new FusedGRULayer(shape, params(cell)),
};

const RNN_SPEC: CellKindSpec = {
  kind: 'rnn', name: 'RNN', cellClass: RNNCell, gates: [], gateCount: 1, stateNames: ['h'], extraBiasBlocks: 0,
  layer: (options) => {
    refuse('rnn', 'outputProjection', options);
    return new RNN(options) as Recurrent;
  },
  torchLayout: (cell) => (cell as RNNCell).torchLayout,
  onnxGateOrder: [0],
  onnxActivation: (cell) => ((cell as RNNCell).nonlinearity === 'relu' ? 'Relu' : 'Tanh'),
  unsupported: () => null,
  fused: (cell, shape) => new FusedRNNLayer(shape, params(cell), (cell as RNNCell).nonlinearity === 'relu'),
};

const SPECS: Readonly<Record<CellKind, CellKindSpec>> = { lstm: LSTM_SPEC, gru: GRU_SPEC, rnn: RNN_SPEC };

export function isCellKind(value: unknown): value is CellKind {
  return typeof value === 'string' && (CELL_KINDS as readonly string[]).includes(value);
}

/** The spec of a kind by name; anything else is a one-line error listing the kinds. */
export function cellKind(kind: unknown): CellKindSpec {
  if (!isCellKind(kind)) throw new Error(`cell must be ${CELL_KINDS.map((k) => `'${k}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, got ${JSON.stringify(kind)}`);
  return SPECS[kind];
}

/** The built-in kind of a cell, or null for a user-written one (including subclasses of the built-in cells). */
export function cellKindOf(cell: Cell): CellKindSpec | null {
  const ctor = (cell as object).constructor;
  return Object.values(SPECS).find((spec) => spec.cellClass === ctor) ?? null;
}

/** Trainable scalars of one layer and direction of this kind, input width I, hidden size H, with biases. */
export function cellParameterCount(spec: CellKindSpec, I: number, H: number): number {
  return spec.gateCount * (I * H + H * H + H) + spec.extraBiasBlocks * H;
}

/** "LSTMCell, GRUCell or RNNCell": the built-in classes, for errors. */
export function builtinCellNames(): string {
  return Object.values(SPECS).map((s) => s.cellClass.name).join(', ').replace(/, ([^,]*)$/, ' or $1');
}
