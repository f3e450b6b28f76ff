// The configs of the two task models besides the language model (src/nn/sequence-models.ts), as a checkpoint
// stores them: the few numbers that rebuild the same SequenceRegressor (forecaster) or SequenceClassifier, validated
// once with one-line errors naming the field. Parameter count per recurrent layer and direction: G·(I·H + H·H + H)
// (+ H for a GRU's b_hn), I = the input width for layer 0 and D·H above it; the head D·H·O + O.
import { cellKind, cellParameterCount, type CellKind } from '../nn/cell-kinds.js';
import type { Nonlinearity } from '../nn/rnn.js';
import { SequenceClassifier, SequenceRegressor } from '../nn/sequence-models.js';

/** What both task models share: the recurrent layer. */
export interface RecurrentConfig {
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  /** Between stacked layers, in [0, 1). */
  dropout: number;
  /** Only for cell 'rnn'. */
  nonlinearity?: Nonlinearity;
  /** Seeds the initial weights. */
  seed: number;
}

export interface ForecasterConfig extends RecurrentConfig {
  /** F: features per step (the targets, then the covariates). */
  inputSize: number;
  horizon: number;
  /** K: target columns predicted at each step. */
  targets: number;
}

export interface ClassifierConfig extends RecurrentConfig {
  vocabSize: number;
  numClasses: number;
  /** A learned embedding of this width; one-hot input over the vocabulary without it. */
  embeddingDim?: number;
  pool: 'last' | 'mean';
}

type Fail = (why: string) => never;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function positive(raw: Record<string, unknown>, key: string, fail: Fail): number {
  const v = raw[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) return fail(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function recurrentConfig(raw: Record<string, unknown>, fail: Fail): RecurrentConfig {
  let cell: CellKind;
  try {
    cell = cellKind(raw.cell).kind;
  } catch (err) {
    return fail((err as Error).message);
  }
  const config: RecurrentConfig = {
    cell, hiddenSize: positive(raw, 'hiddenSize', fail), numLayers: positive(raw, 'numLayers', fail),
    bidirectional: raw.bidirectional as boolean, dropout: raw.dropout as number, seed: raw.seed as number,
  };
  if (typeof config.bidirectional !== 'boolean') fail(`bidirectional must be true or false, got ${JSON.stringify(raw.bidirectional)}`);
  if (typeof config.dropout !== 'number' || !(config.dropout >= 0 && config.dropout < 1)) fail(`dropout must be a number in [0, 1), got ${JSON.stringify(raw.dropout)}`);
  if (config.dropout > 0 && config.numLayers === 1) fail(`dropout ${config.dropout} has no effect with numLayers 1 (it is applied between stacked layers); use 0 or add layers`);
  if (!(Number.isInteger(config.seed) && config.seed >= 0 && config.seed <= 0xffffffff)) fail(`seed must be an integer in [0, 2^32), got ${JSON.stringify(raw.seed)}`);
  if (raw.nonlinearity !== undefined) {
    if (cell !== 'rnn') fail(`nonlinearity applies only to cell 'rnn', not '${cell}'`);
    if (raw.nonlinearity !== 'tanh' && raw.nonlinearity !== 'relu') fail(`nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(raw.nonlinearity)}`);
    config.nonlinearity = raw.nonlinearity as Nonlinearity;
  }
  return config;
}

function checkKeys(raw: Record<string, unknown>, known: readonly string[], fail: Fail): void {
  const unknown = Object.keys(raw).filter((k) => !known.includes(k) && raw[k] !== undefined);
  if (unknown.length > 0) fail(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
}

const RECURRENT_KEYS = ['cell', 'hiddenSize', 'numLayers', 'bidirectional', 'dropout', 'nonlinearity', 'seed'];

export function validateForecasterConfig(value: unknown, where = 'model config'): ForecasterConfig {
  const fail: Fail = (why) => {
    throw new Error(`${where}: ${why}`);
  };
  if (!isRecord(value)) return fail('expected an object');
  checkKeys(value, [...RECURRENT_KEYS, 'inputSize', 'horizon', 'targets'], fail);
  const config: ForecasterConfig = {
    ...recurrentConfig(value, fail), inputSize: positive(value, 'inputSize', fail), horizon: positive(value, 'horizon', fail), targets: positive(value, 'targets', fail),
  };
  if (config.targets > config.inputSize) fail(`targets ${config.targets} must not exceed inputSize ${config.inputSize} (the targets are among the input features)`);
  return config;
}

export function validateClassifierConfig(value: unknown, where = 'model config'): ClassifierConfig {
  const fail: Fail = (why) => {
    throw new Error(`${where}: ${why}`);
  };
  if (!isRecord(value)) return fail('expected an object');
  checkKeys(value, [...RECURRENT_KEYS, 'vocabSize', 'numClasses', 'embeddingDim', 'pool'], fail);
  const config: ClassifierConfig = {
    ...recurrentConfig(value, fail), vocabSize: positive(value, 'vocabSize', fail), numClasses: positive(value, 'numClasses', fail), pool: value.pool as 'last',
  };
  if (config.numClasses < 2) fail(`numClasses must be at least 2, got ${config.numClasses}`);
  if (config.pool !== 'last' && config.pool !== 'mean') fail(`pool must be 'last' or 'mean', got ${JSON.stringify(value.pool)}`);
  if (value.embeddingDim !== undefined) config.embeddingDim = positive(value, 'embeddingDim', fail);
  return config;
}

function layerOptions(c: RecurrentConfig): RecurrentConfig {
  const { cell, hiddenSize, numLayers, bidirectional, dropout, seed } = c;
  return { cell, hiddenSize, numLayers, bidirectional, dropout, seed, ...(c.nonlinearity === undefined ? {} : { nonlinearity: c.nonlinearity }) };
}

/** The forecaster a (validated) config describes, in training mode. */
export function buildForecaster(config: ForecasterConfig): SequenceRegressor {
  const c = validateForecasterConfig(config);
  return new SequenceRegressor({ ...layerOptions(c), inputSize: c.inputSize, horizon: c.horizon, targets: c.targets });
}

/** The classifier a (validated) config describes, in training mode. */
export function buildClassifier(config: ClassifierConfig): SequenceClassifier {
  const c = validateClassifierConfig(config);
  return new SequenceClassifier({
    ...layerOptions(c), vocabSize: c.vocabSize, numClasses: c.numClasses, pool: c.pool, ...(c.embeddingDim === undefined ? {} : { embeddingDim: c.embeddingDim }),
  });
}

/** Trainable scalars of the recurrent layer and a head of `outputs` values, in closed form (a config may claim a million layers). */
function recurrentParameters(c: RecurrentConfig, inputSize: number, outputs: number): number {
  const D = c.bidirectional ? 2 : 1;
  const spec = cellKind(c.cell);
  const layers = D * cellParameterCount(spec, inputSize, c.hiddenSize) + (c.numLayers - 1) * D * cellParameterCount(spec, D * c.hiddenSize, c.hiddenSize);
  return layers + D * c.hiddenSize * outputs + outputs;
}

export function countTaskParameters(config: ForecasterConfig | ClassifierConfig): number {
  if ('inputSize' in config) return recurrentParameters(config, config.inputSize, config.horizon * config.targets);
  const E = config.embeddingDim;
  return (E === undefined ? 0 : config.vocabSize * E) + recurrentParameters(config, E ?? config.vocabSize, config.numClasses);
}

/** "LSTM 64x1" or "bidirectional GRU 32x2": how errors and logs name the recurrent part. */
export function shortTaskModelName(c: RecurrentConfig): string {
  return `${c.bidirectional ? 'bidirectional ' : ''}${cellKind(c.cell).name} ${c.hiddenSize}x${c.numLayers}`;
}

/** One line for logs: "LSTM, 1 layer x 64 hidden, 1 feature in, 7 steps x 1 target out, 17,351 parameters, seed 0". */
export function describeTaskModel(config: ForecasterConfig | ClassifierConfig): string {
  const c = config;
  const cell = `${c.bidirectional ? 'bidirectional ' : ''}${cellKind(c.cell).name}${c.cell === 'rnn' ? ` (${c.nonlinearity ?? 'tanh'})` : ''}`;
  const layers = `${c.numLayers} layer${c.numLayers > 1 ? 's' : ''} x ${c.hiddenSize} hidden`;
  const dropout = c.dropout > 0 ? `, dropout ${c.dropout}` : '';
  const params = countTaskParameters(c).toLocaleString('en-US');
  if ('inputSize' in c) {
    const io = `${c.inputSize} feature${c.inputSize > 1 ? 's' : ''} in, ${c.horizon} step${c.horizon > 1 ? 's' : ''} x ${c.targets} target${c.targets > 1 ? 's' : ''} out`;
    return `${cell}, ${layers}, ${io}${dropout}, ${params} parameters, seed ${c.seed}`;
  }
  const input = c.embeddingDim === undefined ? `one-hot input over ${c.vocabSize} tokens` : `${c.embeddingDim}-dim embedding of ${c.vocabSize} tokens`;
  return `${cell}, ${layers}, ${input}, pool ${c.pool}, ${c.numClasses} classes${dropout}, ${params} parameters, seed ${c.seed}`;
}
