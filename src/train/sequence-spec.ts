// What a forecaster or a classifier of a given config is made of, known from the config alone (nothing is built):
// its tensors under their namedParameters() names, in that order, with their shapes, and the memory it takes to
// run or train, so a checkpoint's plan can check a file before anything is allocated (checkpoint-load.ts).
// Shapes: the recurrent layer as model-spec.ts; head (D·H, O) and (1, O); embedding (V, E).
import { cellKind } from '../nn/cell-kinds.js';
import type { TensorSpec } from '../io/tensor-spec.js';
import { assertArrayLength, assertFitsInMemory } from '../io/memory.js';
import { recurrentTensors, weightSpec } from './model-spec.js';
import { countTaskParameters, shortTaskModelName, type ClassifierConfig, type ForecasterConfig } from './sequence-config.js';
import type { TrainOptions } from './options.js';

const directions = (bidirectional: boolean): 1 | 2 => (bidirectional ? 2 : 1);

/** SequenceRegressor's parameters: `rnn.*`, then `head.weight` (D·H, horizon·K) and `head.bias`. */
export function* forecasterTensors(c: ForecasterConfig): Generator<TensorSpec> {
  const D = directions(c.bidirectional);
  yield* recurrentTensors('rnn', c.cell, c.inputSize, c.hiddenSize, c.numLayers, D);
  yield weightSpec('head.weight', [D * c.hiddenSize, c.horizon * c.targets]);
  yield weightSpec('head.bias', [1, c.horizon * c.targets]);
}

/** SequenceClassifier's parameters: `embedding.weight` (if any), `rnn.*`, then `head.weight` (D·H, C) and `head.bias`. */
export function* classifierTensors(c: ClassifierConfig): Generator<TensorSpec> {
  const D = directions(c.bidirectional);
  if (c.embeddingDim !== undefined) yield weightSpec('embedding.weight', [c.vocabSize, c.embeddingDim]);
  yield* recurrentTensors('rnn', c.cell, c.embeddingDim ?? c.vocabSize, c.hiddenSize, c.numLayers, D);
  yield weightSpec('head.weight', [D * c.hiddenSize, c.numClasses]);
  yield weightSpec('head.bias', [1, c.numClasses]);
}

/**
 * Refuses, in one line, a model this machine (or page) cannot hold: float32 parameters (training: with gradients
 * and optimizer buffers) and one minibatch's activations, per step, row, layer and direction the gates and states
 * (G + 4)·H plus the input, kept for backward when training. `steps` is the longest sequence (window, maxLength).
 */
export function assertTaskModelFits(c: ForecasterConfig | ClassifierConfig, steps: number, training: TrainOptions | null): void {
  const D = directions(c.bidirectional);
  const G = cellKind(c.cell).gateCount;
  const input = 'inputSize' in c ? c.inputSize : (c.embeddingDim ?? c.vocabSize);
  const rows = (training?.batchSize ?? 1) * steps;
  const what = `the model it describes (${shortTaskModelName(c)}, ${input} inputs)`;
  assertArrayLength(Math.max(input * c.hiddenSize, c.hiddenSize * c.hiddenSize, 'vocabSize' in c ? c.vocabSize * (c.embeddingDim ?? 1) : 0, rows * G * c.hiddenSize), `${what}: its largest tensor`);
  const copies = training === null ? 1 : 2 + (training.optimizer === 'adam' ? 2 : training.momentum !== 0 ? 1 : 0);
  const activations = rows * (c.numLayers * D * (G + 4) * c.hiddenSize + input) * (training === null ? 1 : 2);
  assertFitsInMemory(4 * (countTaskParameters(c) * copies + activations), what);
}
