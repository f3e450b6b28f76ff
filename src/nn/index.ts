// Layers and models: the cells, the cell-agnostic time loop, RNNModel, and PyTorch weight interchange.
export type { Cell, CellFactory, CellStep, State } from './cell.js';
export { Module } from './module.js';
export { Recurrent, type RecurrentOptions } from './recurrent.js';
export { LSTM, LSTMCell, type LSTMOptions, type LSTMCellOptions } from './lstm.js';
export { GRU, GRUCell, type GRUCellOptions } from './gru.js';
export { RNN, RNNCell, type RNNOptions, type RNNCellOptions, type Nonlinearity } from './rnn.js';
export { Linear } from './linear.js';
export { RNNModel, type RNNModelOptions } from './rnn-model.js';
export { uniformParameter } from './init.js';
export type { StateDict } from './torch-state-dict.js';
export type { TorchLayout, TorchMode } from './torch-layout.js';
