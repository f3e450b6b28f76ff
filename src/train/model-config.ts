// ModelConfig: the few numbers that define a language model (cell, width, depth, vocabulary, seed), validated
// once and turned into an RNNModel. A checkpoint stores exactly this object, so it must rebuild the same model.
// Parameter count per layer: G·(I·H + H·H + H) (+ H for the GRU's extra recurrent bias b_hn), with G gates as the
// cell registry says (4 for an LSTM, 3 for a GRU, 1 for an RNN); plus V·E for an embedding and H·V + V for the decoder.
import { cellKind, cellParameterCount, type CellKind } from '../nn/cell-kinds.js';
import type { Nonlinearity } from '../nn/rnn.js';
import { RNNModel } from '../nn/rnn-model.js';
import { MODEL_DEFAULTS } from './defaults.js';
import { assertModelFits } from './model-spec.js';

export type { CellKind };

export interface ModelConfig {
  cell: CellKind;
  hiddenSize: number;
  numLayers: number;
  /** Dropout between stacked layers (so only meaningful with numLayers > 1), in [0, 1). */
  dropout: number;
  vocabSize: number;
  /** Learned embedding of this width; without it the input is one-hot over the vocabulary (as d2l). */
  embeddingDim?: number;
  /** Only for cell 'rnn'. */
  nonlinearity?: Nonlinearity;
  /** A language model predicts the next token, so a layer that reads the future cannot be one. */
  bidirectional?: false;
  /** Seeds the initial weights (and, until a trainer reseeds it, the dropout masks). */
  seed: number;
}

/** What a user gives: everything but the vocabulary size may be left out (defaults: MODEL_DEFAULTS). */
export type ModelSettings = Partial<Omit<ModelConfig, 'vocabSize'>>;

/** The full config of `settings` over a vocabulary of `vocabSize`, defaults filled in (not yet validated). */
export function withModelDefaults(settings: ModelSettings & { vocabSize: number }): ModelConfig {
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  return { ...MODEL_DEFAULTS, ...defined } as ModelConfig;
}
const KNOWN_KEYS = new Set(['cell', 'hiddenSize', 'numLayers', 'dropout', 'vocabSize', 'embeddingDim', 'nonlinearity', 'bidirectional', 'seed']);

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Checks a config (e.g. parsed from a checkpoint or a command line) and returns a clean copy without
 * undefined keys. Errors are one line and name the field, prefixed by `where`.
 */
export function validateModelConfig(value: unknown, where = 'model config'): ModelConfig {
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected an object');
  const raw = value as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => !KNOWN_KEYS.has(k) && raw[k] !== undefined);
  if (unknown.length > 0) fail(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  try {
    const cell = cellKind(raw.cell).kind;
    const config: ModelConfig = {
      cell,
      hiddenSize: positiveInteger('hiddenSize', raw.hiddenSize),
      numLayers: positiveInteger('numLayers', raw.numLayers),
      dropout: raw.dropout as number,
      vocabSize: positiveInteger('vocabSize', raw.vocabSize),
      seed: raw.seed as number,
    };
    if (typeof config.dropout !== 'number' || !(config.dropout >= 0 && config.dropout < 1)) {
      throw new Error(`dropout must be a number in [0, 1), got ${JSON.stringify(raw.dropout)}`);
    }
    if (config.dropout > 0 && config.numLayers === 1) {
      throw new Error(`dropout ${config.dropout} has no effect with numLayers 1 (it is applied between stacked layers); use 0 or add layers`);
    }
    if (typeof config.seed !== 'number' || !Number.isInteger(config.seed) || config.seed < 0 || config.seed > 0xffffffff) {
      throw new Error(`seed must be an integer in [0, 2^32), got ${JSON.stringify(raw.seed)}`);
    }
    if (raw.embeddingDim !== undefined) config.embeddingDim = positiveInteger('embeddingDim', raw.embeddingDim);
    if (raw.nonlinearity !== undefined) {
      if (cell !== 'rnn') throw new Error(`nonlinearity applies only to cell 'rnn', not '${cell}'`);
      if (raw.nonlinearity !== 'tanh' && raw.nonlinearity !== 'relu') {
        throw new Error(`nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(raw.nonlinearity)}`);
      }
      config.nonlinearity = raw.nonlinearity;
    }
    if (raw.bidirectional !== undefined && raw.bidirectional !== false) {
      throw new Error('bidirectional must be false: a bidirectional layer reads the very tokens a language model must predict');
    }
    return config;
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** Different seeds for the layer and for the embedding/decoder, so their initial draws are not the same numbers. */
function decoderSeed(seed: number): number {
  return (seed + 0x9e3779b9) >>> 0;
}

/** Fills in the defaults (MODEL_DEFAULTS), validates, and builds the model described, in training mode; refuses one that cannot fit in memory. */
export function buildModel(config: ModelSettings & { vocabSize: number }): RNNModel {
  const c = validateModelConfig(withModelDefaults(config));
  assertModelFits(c, undefined, `the model (${shortModelName(c)}, vocabulary ${c.vocabSize}${c.embeddingDim === undefined ? '' : `, embedding ${c.embeddingDim}`})`);
  const layerOptions = {
    inputSize: c.embeddingDim ?? c.vocabSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    dropout: c.dropout,
    seed: c.seed,
  };
  const layer = cellKind(c.cell).layer(c.nonlinearity === undefined ? layerOptions : { ...layerOptions, nonlinearity: c.nonlinearity });
  return new RNNModel(layer, c.vocabSize, { embeddingDim: c.embeddingDim, seed: decoderSeed(c.seed) });
}

/** Trainable scalars of the model `config` describes, computed without building it. */
export function countParameters(config: ModelConfig): number {
  const { cell, hiddenSize: H, numLayers, vocabSize: V, embeddingDim } = config;
  let total = embeddingDim === undefined ? 0 : V * embeddingDim;
  for (let l = 0; l < numLayers; l++) {
    const I = l === 0 ? (embeddingDim ?? V) : H;
    total += cellParameterCount(cellKind(cell), I, H);
  }
  return total + H * V + V;
}

/** The short name errors use: "lstm 256x1" (hidden size x layers). */
export function shortModelName(config: ModelConfig): string {
  return `${config.cell} ${config.hiddenSize}x${config.numLayers}`;
}

/** One line for logs: "LSTM, 2 layers x 256 hidden, one-hot input over 28 tokens, dropout 0.2, 123,456 parameters, seed 0". */
export function describeModel(config: ModelConfig): string {
  const c = validateModelConfig(config);
  const cell = cellKind(c.cell).name + (c.cell === 'rnn' ? ` (${c.nonlinearity ?? 'tanh'})` : '');
  const layers = `${c.numLayers} layer${c.numLayers > 1 ? 's' : ''} x ${c.hiddenSize} hidden`;
  const input = c.embeddingDim === undefined ? `one-hot input over ${c.vocabSize} tokens` : `${c.embeddingDim}-dim embedding of ${c.vocabSize} tokens`;
  const params = countParameters(c).toLocaleString('en-US');
  return `${cell}, ${layers}, ${input}, dropout ${c.dropout}, ${params} parameters, seed ${c.seed}`;
}
