// What a language model of a given config is made of, known from the config alone (nothing is built): the
// tensors under their namedParameters() names with their shapes, and the memory the model takes to run or train.
// Loaders compare a file's header with `languageModelTensors` before allocating anything, and every path that
// builds or trains a model from a file or a flag calls `assertModelFits` first. Another task (forecast, classify)
// supplies its own tensor list and reuses the rest (io/tensor-spec.ts, io/memory.ts).
// Shapes: W_g (I, H), U_g (H, H), b_g (1, H) per gate g and layer; decoder (H, V) and (1, V); embedding (V, E).
import { MAX_STATE, MAX_WEIGHT } from '../core/limits.js';
import { assertArrayLength, assertFitsInMemory } from '../io/memory.js';
import type { TensorSpec } from '../io/tensor-spec.js';
import { cellKind, cellParameterCount } from '../nn/cell-kinds.js';
import { GRU_LAYOUT, LSTM_LAYOUT, rnnLayout, type TorchLayout } from '../nn/torch-layout.js';
import type { CellKind, ModelConfig } from './model-config.js';

/** The hidden biases kept apart from the input ones (GRU's b_hn), from the one table the PyTorch mapping uses. */
function hiddenBiases(cell: CellKind): string[] {
  const layout: TorchLayout = cell === 'lstm' ? LSTM_LAYOUT : cell === 'gru' ? GRU_LAYOUT : rnnLayout('tanh');
  return layout.gates.flatMap((g) => (g.bHidden === undefined ? [] : [g.bHidden]));
}

/**
 * Every parameter of the model `config` describes, as RNNModel.namedParameters() names and orders them (the
 * optimizer's buffers follow that order); float32 weights. A generator: a file may claim a million layers, and a
 * comparison with its header stops at the first tensor missing.
 */
export function* languageModelTensors(config: ModelConfig): Generator<TensorSpec> {
  const { hiddenSize: H, numLayers, vocabSize: V, embeddingDim: E } = config;
  if (E !== undefined) yield weightSpec('embedding.weight', [V, E]);
  yield* recurrentTensors('rnn', config.cell, E ?? V, H, numLayers, 1);
  yield weightSpec('decoder.weight', [H, V]);
  yield weightSpec('decoder.bias', [1, V]);
}

/** A float32 parameter, bounded as every weight. */
export function weightSpec(name: string, shape: number[]): TensorSpec {
  return { name, shape, dtypes: ['F32'], bound: MAX_WEIGHT, role: 'weight' };
}

/**
 * A recurrent layer's parameters under `prefix`, in the order it registers them: per layer, each direction (`l0`,
 * then `l0_reverse`), the cell registry's W_g (I, H), U_g (H, H), b_g (1, H) and hidden biases; the input of layer
 * l > 0 is the D·H outputs below it.
 */
export function* recurrentTensors(prefix: string, cell: CellKind, inputSize: number, H: number, numLayers: number, numDirections: 1 | 2): Generator<TensorSpec> {
  // The cell registry's gate names, in the order the built-in cells register W_g, U_g, b_g (the RNN: W, U, b).
  const { gates } = cellKind(cell);
  const perGate = (p: string): string[] => (gates.length === 0 ? [p] : gates.map((g) => `${p}_${g}`));
  for (let l = 0; l < numLayers; l++) {
    const I = l === 0 ? inputSize : numDirections * H;
    for (let d = 0; d < numDirections; d++) {
      const at = `${prefix}.l${l}${d === 1 ? '_reverse' : ''}`;
      for (const name of perGate('W')) yield weightSpec(`${at}.${name}`, [I, H]);
      for (const name of perGate('U')) yield weightSpec(`${at}.${name}`, [H, H]);
      for (const name of [...perGate('b'), ...hiddenBiases(cell)]) yield weightSpec(`${at}.${name}`, [1, H]);
    }
  }
}

/** The hidden state carried between minibatches (sequential sampling), as `training.state.<name>`: (L, B, H). */
export function carriedStateTensors(config: ModelConfig, batchSize: number, prefix: string): TensorSpec[] {
  return cellKind(config.cell).stateNames.map((n) => ({ name: prefix + n, shape: [config.numLayers, batchSize, config.hiddenSize], dtypes: ['F32'], bound: MAX_STATE, role: 'carried state' }));
}

/** How a model is used, for the memory estimate: inference over minibatches, or training with an optimizer. */
export interface ModelUse {
  batchSize: number;
  numSteps: number;
  /** Optimizer buffers per parameter: 2 for Adam, 1 for SGD with momentum, 0 for plain SGD; undefined: no training. */
  optimizerBuffers?: number;
}

/**
 * Bytes the model takes, about: float32 parameters (and, training, their gradients and optimizer buffers) plus the
 * activations of one minibatch: per step, row and layer the gates and states (G + 4)·H, kept for backward when
 * training; the input (one-hot V or embedding E) and the logits V, with their gradients when training.
 */
export function estimateModelBytes(config: ModelConfig, use: ModelUse = { batchSize: 1, numSteps: 1 }): number {
  const { hiddenSize: H, numLayers: L, vocabSize: V, embeddingDim: E } = config;
  const spec = cellKind(config.cell);
  const G = spec.gateCount;
  // Closed form (a config may claim a million layers: nothing here may be proportional to what it claims).
  const I = E ?? V;
  const layers = cellParameterCount(spec, I, H) + (L - 1) * cellParameterCount(spec, H, H);
  const params = (E === undefined ? 0 : V * E) + layers + H * V + V;
  const training = use.optimizerBuffers !== undefined;
  const copies = training ? 2 + use.optimizerBuffers! : 1;
  const rows = use.batchSize * use.numSteps;
  const activations = rows * (L * (G + 4) * H + (E ?? V) + V) * (training ? 2 : 1);
  return 4 * (params * copies + activations);
}

/**
 * Refuses, in one line naming the model and how much it needs, a model this machine (or page) cannot hold, or
 * one whose largest tensor no array can hold; `what` leads the message ("--hidden 99999 --layers 2").
 */
export function assertModelFits(config: ModelConfig, use: ModelUse | undefined, what: string): void {
  const { hiddenSize: H, vocabSize: V, embeddingDim: E } = config;
  const rows = use === undefined ? 1 : use.batchSize * use.numSteps;
  const largest = Math.max((E ?? V) * H, H * H, H * V, V * (E ?? 1), rows * V, rows * 4 * H);
  assertArrayLength(largest, `${what}: its largest tensor`);
  assertFitsInMemory(estimateModelBytes(config, use), what);
}

/** Optimizer buffers per parameter for the memory estimate. */
export function optimizerBufferCount(optimizer: string, momentum: number): number {
  return optimizer === 'adam' ? 2 : momentum !== 0 ? 1 : 0;
}
