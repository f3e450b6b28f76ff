// Layers and models: the module tree, the cells and the cell-agnostic time loop (with variable lengths), the
// registry of cell kinds, Linear/Embedding/Dropout/Sequential, RNNModel and the task models, PyTorch interchange.
export type { Cell, CellFactory, CellStep, State } from './cell.js';
export { ParameterCell } from './cell.js';
export { Module, type LoadOptions } from './module.js';
export { Recurrent, type RecurrentOptions, type RecurrentForwardOptions } from './recurrent.js';
export { LSTM, LSTMCell, type LSTMOptions, type LSTMCellOptions } from './lstm.js';
export { GRU, GRUCell, type GRUCellOptions } from './gru.js';
export { RNN, RNNCell, type RNNOptions, type RNNCellOptions, type Nonlinearity } from './rnn.js';
export {
  CELL_KINDS, builtinCellNames, cellKind, cellKindOf, cellParameterCount, isCellKind,
  type CellKind, type CellKindSpec, type CellLayerOptions,
} from './cell-kinds.js';
export { Linear, type LinearOptions } from './linear.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { Sequential, type SequentialLayer } from './sequential.js';
export { RNNModel, type RNNModelOptions } from './rnn-model.js';
export { uniformParameter, normalParameter } from './init.js';
export type { StateDict } from './torch-state-dict.js';
export type { TorchLayout, TorchMode } from './torch-layout.js';
export {
  SequenceRegressor, SequenceClassifier,
  type SequenceModelOptions, type SequenceRegressorOptions, type SequenceClassifierOptions,
} from './sequence-models.js';
