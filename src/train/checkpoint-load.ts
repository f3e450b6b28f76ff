// Reading a checkpoint from someone else. In this order, each step before anything is allocated for the next:
// the safetensors header (tensors tile the data exactly), the metadata (config, text settings, vocabulary, every
// training field), the memory the model it describes would take against what this machine or page can give,
// the tensors the config implies (names, shapes, dtypes; nothing missing, nothing extra, "__proto__" included)
// against the header, and only then the tensor data, each value finite and within its bound (core/limits.ts).
// Every error is one line naming the file and the problem.
import { MAX_STATE } from '../core/limits.js';
import { Tensor } from '../core/tensor.js';
import { numRandomBatches, numSequentialBatches } from '../data/batches.js';
import { Vocab } from '../data/vocab.js';
import { decodeTensor } from '../io/safetensors.js';
import { parseSafetensorsHeader, type SafetensorsHeader } from '../io/safetensors-header.js';
import { checkValues, matchSpecs, type TensorSpec } from '../io/tensor-spec.js';
import { optimizerBufferLayout } from '../optim/buffers.js';
import type { Hyper, OptimizerState } from '../optim/optimizer.js';
import { validateTextSettings, type TextSettings } from './corpus.js';
import { buildModel, shortModelName, validateModelConfig, type ModelConfig } from './model-config.js';
import { assertModelFits, carriedStateTensors, languageModelTensors, optimizerBufferCount } from './model-spec.js';
import { makeOptimizer, resolveTrainOptions, type TrainOptions } from './options.js';
import type { TrainerProgress, TrainerSnapshot } from './trainer.js';
import type { Checkpoint, CheckpointMetadata, CorpusInfo } from './checkpoint.js';

export const CHECKPOINT_FORMAT = 'lstm-ts/checkpoint';
export const CHECKPOINT_VERSION = 1;
export const METADATA_KEY = 'lstm-ts';
export const OPTIMIZER_PREFIX = 'optimizer.';
export const STATE_PREFIX = 'training.state.';

type Fail = (why: string) => never;

/** The message of a validation error (a plain Error); anything else is a bug and goes on as it is. */
export function userMessage(err: unknown): string {
  if (err instanceof Error && err.constructor === Error) return err.message;
  throw err;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * What a checkpoint of one task must hold, known from its metadata alone, before anything is allocated: a task's
 * loader supplies it (here: the language model, `languageModelPlan`), and `decodeCheckpointTensors` does every
 * check with it. A new task (forecast, classify) writes its plan and gets them all.
 */
export interface CheckpointPlan {
  /** How errors name the model: "checkpoint says lstm 16x1". */
  says: string;
  /** The model's parameters as namedParameters() names them; a generator is read only as far as the file keeps up. */
  weights(): Iterable<TensorSpec>;
  /** Throws one line when the model (and, given its options, its training) would not fit in memory. */
  assertFits(training: TrainOptions | null): void;
  /** The carried state a mid-epoch checkpoint holds under these options, as `training.state.<name>` (empty if none). */
  carried(options: TrainOptions): TensorSpec[];
  /** The most minibatches an epoch of the saved data can have, when the metadata knows (for training.batch). */
  mostBatches(options: TrainOptions): number | null;
}

/** The header and the lstm-ts metadata of checkpoint bytes, with the format and version checked. */
export function readCheckpointHeader(bytes: Uint8Array, source: string): { header: SafetensorsHeader; meta: Record<string, unknown>; fail: Fail } {
  const fail: Fail = (why) => {
    throw new Error(`${source}: ${why}`);
  };
  let header: SafetensorsHeader;
  try {
    header = parseSafetensorsHeader(bytes, source);
  } catch (err) {
    const why = userMessage(err).replace(/^".*?" is not a safetensors file: /s, '');
    throw new Error(`${source} is not an lstm-ts checkpoint: not a safetensors file (${why})`);
  }
  const raw = header.metadata[METADATA_KEY];
  if (raw === undefined) {
    const hint = 'plain weights can be read with readSafetensors';
    throw new Error(`${source} is not an lstm-ts checkpoint: it is a safetensors file without "${METADATA_KEY}" metadata (${hint})`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(raw);
  } catch (err) {
    return fail(`the "${METADATA_KEY}" metadata is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(meta)) return fail(`the "${METADATA_KEY}" metadata must be a JSON object`);
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source} is not an lstm-ts checkpoint: metadata format is ${JSON.stringify(meta.format)}, expected '${CHECKPOINT_FORMAT}'`);
  }
  if (meta.version !== CHECKPOINT_VERSION) fail(`checkpoint version ${JSON.stringify(meta.version)} is not supported (this lstm-ts reads version ${CHECKPOINT_VERSION})`);
  return { header, meta, fail };
}

/** The tensors of a checkpoint, decoded and checked; the optimizer state still to be checked against the model. */
export interface CheckpointTensors {
  weights: Map<string, Tensor>;
  optimizer: OptimizerState | null;
  carried: Tensor[] | null;
}

/**
 * Every check on a checkpoint's tensors, in order: memory (plan.assertFits), the weights, optimizer buffers and
 * carried state the plan implies against the header (names, shapes, dtypes; nothing missing, nothing extra), and
 * only then the data, each value finite and within its bound.
 */
export function decodeCheckpointTensors(bytes: Uint8Array, header: SafetensorsHeader, plan: CheckpointPlan, training: ParsedTraining | null, fail: Fail): CheckpointTensors {
  try {
    plan.assertFits(training?.options ?? null);
  } catch (err) {
    return fail(userMessage(err));
  }
  const state = training === null ? [] : plan.carried(training.options);
  const isState = (n: string): boolean => n.startsWith(STATE_PREFIX) && state.some((s) => s.name === n);
  matchSpecs(header.entries, plan.weights(), { says: plan.says, fail }, (n) => (training !== null && n.startsWith(OPTIMIZER_PREFIX)) || isState(n));
  // Every weight the plan implies is in the file, so their list is now no longer than the file's.
  const weights = [...plan.weights()];
  const optimizer = training === null ? [] : optimizerTensors(training.kind, training.options, weights);
  if (training !== null) {
    const buffers = new Map([...header.entries].filter(([n]) => n.startsWith(OPTIMIZER_PREFIX)));
    const expected = `the ${training.kind} optimizer over ${weights.length} parameters keeps ${optimizer.length} buffers`;
    matchSpecs(buffers, optimizer, { says: `optimizer state does not fit the model: ${expected}`, fail });
  }
  const present = state.filter((s) => header.entries.has(s.name));
  if (present.length > 0 && present.length < state.length) {
    const missing = state.find((s) => !header.entries.has(s.name))!.name.slice(STATE_PREFIX.length);
    fail(`carried state has ${present.map((s) => s.name.slice(STATE_PREFIX.length)).join(', ')} but not ${missing}`);
  }
  if (training !== null && training.batch > 0 && training.options.sampling === 'sequential' && present.length === 0) {
    fail(`training stopped mid-epoch (batch ${training.batch}) with sequential sampling but the carried state tensors are missing`);
  }
  // Only now the data: each tensor decoded and checked for NaN, ±Inf and magnitudes past its bound.
  const read = (spec: TensorSpec): Tensor => {
    const t = decodeTensor(bytes, header, header.entries.get(spec.name)!);
    checkValues(spec.name, t.data, spec, fail);
    return t;
  };
  const decoded = new Map(weights.map((spec) => [spec.name, read(spec)]));
  if (training === null) return { weights: decoded, optimizer: null, carried: null };
  const buffers: OptimizerState['buffers'] = {};
  for (const spec of optimizer) buffers[spec.name.slice(OPTIMIZER_PREFIX.length)] = read(spec).data;
  const optimizerState: OptimizerState = { kind: training.kind, hyper: training.hyper, step: training.step, buffers };
  return { weights: decoded, optimizer: optimizerState, carried: present.length === 0 ? null : state.map(read) };
}

/** Copies checked weights into a freshly built model, and runs loadStateDict's own checks on a throwaway optimizer. */
export function loadCheckpointTensors(params: ReadonlyArray<[string, Tensor]>, tensors: CheckpointTensors, training: ParsedTraining | null, fail: Fail): TrainerSnapshot | null {
  for (const [name, p] of params) p.data.set(tensors.weights.get(name)!.data);
  if (training === null) return null;
  try {
    // A throwaway optimizer over the same parameters runs every check loadStateDict has (hyperparameter names
    // and types), changing nothing.
    makeOptimizer(params.map(([, p]) => p), training.options).loadStateDict(tensors.optimizer!);
  } catch (err) {
    return fail(`optimizer state does not fit the model: ${userMessage(err)}`);
  }
  return { progress: training.progress, optimizer: tensors.optimizer!, carried: tensors.carried };
}

/** Parses and validates the bytes of a language model's checkpoint; `source` names the file in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const { header, meta, fail } = readCheckpointHeader(bytes, source);
  const { config, text, vocab, corpus, plan } = languageModelPlan(meta, source, fail);
  const training = parseTraining(meta, plan, fail);
  const tensors = decodeCheckpointTensors(bytes, header, plan, training, fail);
  const model = buildModel(config); // allocation only now, for a model the file really holds
  const snapshot = loadCheckpointTensors(model.namedParameters(), tensors, training, fail);
  return { config, text, vocab, model, training: snapshot, corpus, metadata: meta as unknown as CheckpointMetadata };
}

/** The language model's part of the metadata, checked, and the plan of its tensors. */
export function languageModelPlan(meta: Record<string, unknown>, source: string, fail: Fail): { config: ModelConfig; text: TextSettings; vocab: Vocab; corpus: CorpusInfo | null; plan: CheckpointPlan } {
  const config = validateModelConfig(meta.model, `${source}: model config`);
  const text = validateTextSettings(meta.text, `${source}: text settings`);
  let vocab: Vocab;
  try {
    vocab = Vocab.fromJSON(meta.vocab);
  } catch (err) {
    return fail(`bad vocabulary (${userMessage(err)})`);
  }
  if (vocab.size !== config.vocabSize) fail(`the vocabulary has ${vocab.size} tokens but the model config says vocabSize ${config.vocabSize}`);
  const corpus = parseCorpusInfo(meta.corpus, fail);
  const plan: CheckpointPlan = {
    says: `checkpoint says ${shortModelName(config)}${config.embeddingDim === undefined ? '' : ` with embeddingDim ${config.embeddingDim}`}`,
    weights: () => languageModelTensors(config),
    assertFits: (o) => {
      const use = o === null ? undefined : { batchSize: o.batchSize, numSteps: o.numSteps, optimizerBuffers: optimizerBufferCount(o.optimizer, o.momentum) };
      assertModelFits(config, use, `the model it describes (${describeShort(config)})`);
    },
    carried: (o) => carriedStateTensors(config, o.batchSize, STATE_PREFIX),
    mostBatches: (o) => {
      if (corpus === null) return null;
      // The most minibatches an epoch of the saved corpus can have (the offset drawn each epoch only lowers it).
      const trainTokens = corpus.tokenCount - Math.floor(corpus.tokenCount * o.validFraction);
      return (o.sampling === 'sequential' ? numSequentialBatches : numRandomBatches)(trainTokens, o.batchSize, o.numSteps, 0);
    },
  };
  return { config, text, vocab, corpus, plan };
}

function describeShort(config: ModelConfig): string {
  const input = config.embeddingDim === undefined ? `one-hot over ${config.vocabSize}` : `embedding ${config.vocabSize}x${config.embeddingDim}`;
  return `${config.cell} ${config.hiddenSize}x${config.numLayers}, ${input}`;
}

/** The optimizer's buffers as `optimizer.<name>` specs: float32 like the weights, bounded like any state. */
function optimizerTensors(kind: string, options: TrainOptions, weights: readonly TensorSpec[]): TensorSpec[] {
  const sizes = weights.map((w) => w.shape.reduce((a, d) => a * d, 1));
  return optimizerBufferLayout(kind, options.momentum, sizes).map((b) => ({
    name: OPTIMIZER_PREFIX + b.name, shape: [b.length], dtypes: [b.dtype], bound: MAX_STATE, role: 'optimizer state', integer: b.integer,
  }));
}

function parseCorpusInfo(corpus: unknown, fail: Fail): CorpusInfo | null {
  if (corpus === null || corpus === undefined) return null;
  if (!isRecord(corpus)) return fail('corpus must be an object or null');
  for (const key of ['maxTokens', 'minFreq', 'tokenCount'] as const) if (!isCount(corpus[key])) fail(`corpus.${key} must be a non-negative integer, got ${JSON.stringify(corpus[key])}`);
  if (typeof corpus.checksum !== 'string' || !/^[0-9a-f]{8}$/.test(corpus.checksum)) fail(`corpus.checksum must be 8 hex digits, got ${JSON.stringify(corpus.checksum)}`);
  return { maxTokens: corpus.maxTokens as number, minFreq: corpus.minFreq as number, tokenCount: corpus.tokenCount as number, checksum: corpus.checksum as string };
}

export interface ParsedTraining {
  progress: TrainerProgress;
  options: TrainOptions;
  batch: number;
  kind: string;
  hyper: Hyper;
  step: number;
}

/** Every training field, checked for type and range; null for a weights-only checkpoint. */
export function parseTraining(meta: Record<string, unknown>, plan: CheckpointPlan, fail: Fail): ParsedTraining | null {
  const { optimizer, training } = meta;
  if (training === null || training === undefined) return null;
  if (!isRecord(training)) return fail('"training" must be an object or null');
  if (!isRecord(optimizer)) return fail('the checkpoint has training progress but no optimizer state');
  const count = (key: string): number => {
    const v = training[key];
    if (!isCount(v)) fail(`training.${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const [epoch, step, batch] = [count('epoch'), count('step'), count('batch')];
  let options: TrainOptions;
  try {
    options = resolveTrainOptions(training.options as Partial<TrainOptions>, 'training options');
  } catch (err) {
    return fail(userMessage(err));
  }
  if (epoch > options.epochs) fail(`training.epoch ${epoch} is past the run's ${options.epochs} epochs`);
  if (batch > step) fail(`training.batch ${batch} is more than the ${step} steps taken in all`);
  const most = batch > 0 ? plan.mostBatches(options) : null;
  if (most !== null && batch >= most) fail(`training.batch ${batch} is past the end of an epoch (at most ${most} minibatches of the saved data)`);
  const history = parseHistory(training.history, fail);
  const random = training.random;
  const isWords = (w: unknown): boolean => Array.isArray(w) && w.length === 4 && w.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
  if (!isRecord(random) || !isWords(random.data) || !isWords(random.dropout)) fail('training.random must hold the data and dropout generator states (4 words each)');
  const partial = training.partial;
  const finiteCount = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  if (partial !== null && !(isRecord(partial) && ['lossSum', 'tokens', 'seconds'].every((k) => finiteCount(partial[k])))) {
    fail('training.partial must be null or {lossSum, tokens, seconds} of finite numbers >= 0');
  }
  if (batch > 0 && partial === null) fail(`training.batch is ${batch} (mid-epoch) but training.partial is null`);
  const { kind, hyper, step: optimizerStep } = optimizer;
  if (kind !== options.optimizer) fail(`optimizer.kind is ${JSON.stringify(kind)} but the training options say ${JSON.stringify(options.optimizer)}`);
  if (!isRecord(hyper)) fail('optimizer.hyper must be an object');
  for (const [k, v] of Object.entries(hyper as Record<string, unknown>)) {
    const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && v >= 0 && (!k.startsWith('beta') || v < 1));
    if (!ok) fail(`optimizer.hyper.${k} is ${JSON.stringify(v)}, expected a finite number >= 0${k.startsWith('beta') ? ' and < 1' : ''}`);
  }
  if (!isCount(optimizerStep)) fail(`optimizer.step must be a non-negative integer, got ${JSON.stringify(optimizerStep)}`);
  const progress: TrainerProgress = {
    epoch, step, batch, history, options,
    random: random as TrainerProgress['random'],
    partial: partial as TrainerProgress['partial'],
  };
  return { progress, options, batch, kind: kind as string, hyper: hyper as Hyper, step: optimizerStep as number };
}

/** The per-epoch records: numbers where numbers belong (a chart and a resumed run read them). */
export function parseHistory(history: unknown, fail: Fail): TrainerProgress['history'] {
  if (!Array.isArray(history)) return fail('training.history must be an array');
  const numbers = ['epoch', 'loss', 'perplexity', 'tokensPerSec', 'seconds', 'lr'];
  history.forEach((h, k) => {
    const ok = isRecord(h) && numbers.every((n) => typeof h[n] === 'number') && (h.valPerplexity === null || typeof h.valPerplexity === 'number');
    if (!ok) fail(`training.history[${k}] must be {${numbers.join(', ')}, valPerplexity} of numbers (valPerplexity may be null)`);
  });
  return history as TrainerProgress['history'];
}
