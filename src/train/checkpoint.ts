// Checkpoints: one safetensors file. Tensors are the model parameters under their namedParameters() names, the
// optimizer buffers under `optimizer.<name>` and, mid-epoch with sequential sampling, the carried hidden state
// under `training.state.<h|c>`; `__metadata__` holds one JSON string `lstm-ts` with the task's kind and metadata
// (for a language model: the model config, text settings and vocabulary), the optimizer hyperparameters and the
// training progress. Loading validates all of it up front, with one-line errors that name the file and the
// problem, before anything is handed back; a checkpoint of another task than the one asked for is refused.
import { Tensor, shapeString } from '../core/tensor.js';
import { requireNode } from '../platform/node.js';
import { Vocab, type VocabJSON } from '../data/vocab.js';
import { decodeSafetensors, encodeSafetensors, writeSafetensors, type TensorDict } from '../io/safetensors.js';
import type { RNNModel } from '../nn/rnn-model.js';
import type { Hyper, OptimizerState } from '../optim/optimizer.js';
import { validateTextSettings, type ResolvedTextSettings, type TextSettings } from './corpus.js';
import { LanguageModelTask } from './lm-task.js';
import { buildModel, shortModelName, validateModelConfig, type ModelConfig } from './model-config.js';
import { makeOptimizer, resolveTrainOptions } from './options.js';
import { checkpointTaskKind, wrongTaskError, type AnyTask, type MetricsOf, type TaskKind, type TaskLoader } from './task.js';
import type { Trainer, TrainerProgress, TrainerSnapshot } from './trainer.js';

export const CHECKPOINT_FORMAT = 'lstm-ts/checkpoint';
export const CHECKPOINT_VERSION = 1;
const METADATA_KEY = 'lstm-ts';
const OPTIMIZER_PREFIX = 'optimizer.';
const STATE_PREFIX = 'training.state.';

export interface CheckpointMetadata {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** Absent in checkpoints written before tasks were recorded, which are all language models. */
  task?: TaskKind;
  model: ModelConfig;
  text: ResolvedTextSettings;
  vocab: VocabJSON;
  optimizer: { kind: string; hyper: Hyper; step: number } | null;
  training: TrainerProgress | null;
  /** Which tokens the run trained on, so a resume can tell whether it sees the same text. */
  corpus?: CorpusInfo | null;
}

export interface CorpusInfo {
  /** The token limit the text was cut to (0 = all) and the vocabulary's minFreq. */
  maxTokens: number;
  minFreq: number;
  tokenCount: number;
  /** FNV-1a hash of the token ids, as 8 hex digits. */
  checksum: string;
}

export interface CheckpointInput {
  config: ModelConfig;
  model: RNNModel;
  text: TextSettings;
  vocab: Vocab;
  /** Omit (or null) to save weights for generation only; give it to make the checkpoint resumable. */
  trainer?: Trainer | null;
  corpus?: CorpusInfo | null;
}

/** A validated checkpoint: a ready model plus what generation and resuming need. */
export interface Checkpoint {
  config: ModelConfig;
  text: ResolvedTextSettings;
  vocab: Vocab;
  /** Built from `config` with the saved weights loaded, in training mode. */
  model: RNNModel;
  /** Present when the checkpoint was saved with a trainer; pass to `new Trainer(model, {}, training)`. */
  training: TrainerSnapshot | null;
  corpus: CorpusInfo | null;
  metadata: CheckpointMetadata;
}

/** A validated checkpoint of any task: the task around its model with the saved weights loaded, and its training state. */
export interface TaskCheckpoint<T extends AnyTask> {
  task: T;
  /** Present when the checkpoint was saved with a trainer; pass to `new Trainer(task, {}, training)`. */
  training: TrainerSnapshot<MetricsOf<T>> | null;
  metadata: Record<string, unknown>;
}

/** The tensors and metadata of a checkpoint, copied so training can continue while they are written. */
export function checkpointContents(input: CheckpointInput): { tensors: TensorDict; metadata: Record<string, string> } {
  const config = validateModelConfig(input.config);
  const text = validateTextSettings(input.text);
  if (input.vocab.size !== config.vocabSize) {
    throw new Error(`saveCheckpoint: the vocabulary has ${input.vocab.size} tokens but the model config says vocabSize ${config.vocabSize}`);
  }
  if (input.model.vocabSize !== config.vocabSize) {
    throw new Error(`saveCheckpoint: the model has vocabSize ${input.model.vocabSize} but its config says ${config.vocabSize}`);
  }
  const task = new LanguageModelTask(input.model, { config, text, vocab: input.vocab, corpus: input.corpus ?? null });
  return taskCheckpointContents(task, input.trainer ?? null);
}

/** The same for any task: its model's parameters, the trainer's optimizer state and carried state, the task's metadata. */
export function taskCheckpointContents<T extends AnyTask>(task: T, trainer: Trainer<T> | null = null): { tensors: TensorDict; metadata: Record<string, string> } {
  const tensors: TensorDict = {};
  for (const [name, p] of task.model.namedParameters()) tensors[name] = new Tensor(p.data.slice(), p.shape);
  const snapshot = trainer?.snapshot() ?? null;
  if (snapshot !== null) {
    for (const [name, buf] of Object.entries(snapshot.optimizer.buffers)) tensors[OPTIMIZER_PREFIX + name] = new Tensor(buf, [buf.length]);
    const names = task.carriedState(snapshot.progress.options)?.names ?? [];
    snapshot.carried?.forEach((t, k) => (tensors[STATE_PREFIX + names[k]!] = t));
  }
  const metadata = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    task: task.kind,
    ...task.checkpointMetadata(),
    optimizer: snapshot === null ? null : { kind: snapshot.optimizer.kind, hyper: snapshot.optimizer.hyper, step: snapshot.optimizer.step },
    training: snapshot === null ? null : snapshot.progress,
  };
  return { tensors, metadata: { [METADATA_KEY]: JSON.stringify(metadata) } };
}

export function encodeCheckpoint(input: CheckpointInput): Uint8Array {
  const { tensors, metadata } = checkpointContents(input);
  return encodeSafetensors(tensors, metadata);
}

/** Writes atomically (temp file + rename): a failed or interrupted save leaves the previous file as it was. */
export async function saveCheckpoint(path: string, input: CheckpointInput): Promise<void> {
  const { tensors, metadata } = checkpointContents(input);
  await writeSafetensors(path, tensors, metadata);
}

/** saveCheckpoint for any task (atomic too). */
export async function saveTaskCheckpoint<T extends AnyTask>(path: string, task: T, trainer: Trainer<T> | null = null): Promise<void> {
  const { tensors, metadata } = taskCheckpointContents(task, trainer);
  await writeSafetensors(path, tensors, metadata);
}

/** A language model's checkpoint; one of another task is refused with one line naming both kinds. */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  return decodeCheckpoint(await readCheckpointFile(path), path);
}

/** A checkpoint of the task `loader` rebuilds; one of another task is refused with one line naming both kinds. */
export async function loadTaskCheckpoint<T extends AnyTask>(path: string, loader: TaskLoader<T>): Promise<TaskCheckpoint<T>> {
  return decodeTaskCheckpoint(await readCheckpointFile(path), loader, path);
}

async function readCheckpointFile(path: string): Promise<Uint8Array> {
  const fs = requireNode('node:fs/promises', 'loadCheckpoint');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`checkpoint not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`checkpoint path is a directory, not a file: ${path}`);
    throw new Error(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  return bytes;
}

/** Parses and validates the bytes of a language model's checkpoint; `source` names the file in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const { task, training, metadata } = decodeTaskCheckpoint(bytes, LANGUAGE_MODEL_LOADER, source);
  const { config, text, vocab, corpus } = task.info!;
  return { config, text, vocab, model: task.model, training, corpus: corpus ?? null, metadata: metadata as unknown as CheckpointMetadata };
}

/** Parses and validates the bytes of a checkpoint of the task `loader` rebuilds; `source` names the file in errors. */
export function decodeTaskCheckpoint<T extends AnyTask>(bytes: Uint8Array, loader: TaskLoader<T>, source = 'checkpoint'): TaskCheckpoint<T> {
  const fail = (why: string): never => {
    throw new Error(`${source}: ${why}`);
  };
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes, source);
  } catch (err) {
    const why = (err as Error).message.replace(/^".*?" is not a safetensors file: /s, '');
    throw new Error(`${source} is not an lstm-ts checkpoint: not a safetensors file (${why})`);
  }
  const { tensors } = decoded;
  const raw = decoded.metadata[METADATA_KEY];
  if (raw === undefined) {
    const hint = 'plain weights can be read with readSafetensors';
    throw new Error(`${source} is not an lstm-ts checkpoint: it is a safetensors file without "${METADATA_KEY}" metadata (${hint})`);
  }
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(raw) as Record<string, unknown>;
  } catch (err) {
    return fail(`the "${METADATA_KEY}" metadata is not valid JSON (${(err as Error).message})`);
  }
  if (typeof meta !== 'object' || meta === null) return fail(`the "${METADATA_KEY}" metadata must be a JSON object`);
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source} is not an lstm-ts checkpoint: metadata format is ${JSON.stringify(meta.format)}, expected '${CHECKPOINT_FORMAT}'`);
  }
  const kind = checkpointTaskKind(meta, fail);
  if (kind !== loader.kind) throw wrongTaskError(source, kind, loader.kind);
  if (meta.version !== CHECKPOINT_VERSION) {
    fail(`checkpoint version ${JSON.stringify(meta.version)} is not supported (this lstm-ts reads version ${CHECKPOINT_VERSION})`);
  }
  const task = loader.restore(meta, fail);
  const says = loader.describe(task);
  const expected = new Set<string>();
  for (const [name, param] of task.model.namedParameters()) {
    expected.add(name);
    const t = tensors[name];
    if (t === undefined) fail(`${says} but has no tensor ${name}`);
    if (t!.shape.length !== param.shape.length || t!.shape.some((d, k) => d !== param.shape[k])) {
      fail(`${says} but tensor ${name} is ${shapeString(t!.shape)}, expected ${shapeString(param.shape)}`);
    }
  }
  const extra = Object.keys(tensors).filter((n) => !expected.has(n) && !n.startsWith(OPTIMIZER_PREFIX) && !n.startsWith(STATE_PREFIX));
  if (extra.length > 0) fail(`${says} but has unexpected tensor${extra.length > 1 ? 's' : ''} ${listSome(extra)}`);

  const training = decodeTraining(meta, tensors, task, fail) as TrainerSnapshot<MetricsOf<T>> | null;
  for (const [name, param] of task.model.namedParameters()) param.data.set(tensors[name]!.data);
  return { task, training, metadata: meta };
}

/** The language model's part of a checkpoint: model config, text settings, vocabulary (and the corpus it saw). */
export const LANGUAGE_MODEL_LOADER: TaskLoader<LanguageModelTask> = {
  kind: 'language-model',
  restore(meta, fail) {
    let config: ModelConfig;
    let text: ResolvedTextSettings;
    try {
      config = validateModelConfig(meta.model, 'model config');
      text = validateTextSettings(meta.text, 'text settings');
    } catch (err) {
      return fail((err as Error).message);
    }
    let vocab: Vocab;
    try {
      vocab = Vocab.fromJSON(meta.vocab);
    } catch (err) {
      return fail(`bad vocabulary (${(err as Error).message})`);
    }
    if (vocab.size !== config.vocabSize) fail(`the vocabulary has ${vocab.size} tokens but the model config says vocabSize ${config.vocabSize}`);
    const corpus = isRecord(meta.corpus) ? (meta.corpus as unknown as CorpusInfo) : null;
    return new LanguageModelTask(buildModel(config), { config, text, vocab, corpus });
  },
  describe(task) {
    const config = task.info!.config;
    return `checkpoint says ${shortModelName(config)}${config.embeddingDim === undefined ? '' : ` with embeddingDim ${config.embeddingDim}`}`;
  },
};

function listSome(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Optimizer state and training progress, checked against the task they must drive. */
function decodeTraining(meta: Record<string, unknown>, tensors: TensorDict, task: AnyTask, fail: (why: string) => never): TrainerSnapshot<object> | null {
  const { optimizer, training } = meta;
  if (training === null || training === undefined) return null;
  if (!isRecord(training)) return fail('"training" must be an object or null');
  if (!isRecord(optimizer)) return fail('the checkpoint has training progress but no optimizer state');
  const nonNegativeInt = (key: string): number => {
    const v = training[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`training.${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const [epoch, step, batch] = [nonNegativeInt('epoch'), nonNegativeInt('step'), nonNegativeInt('batch')];
  let options: TrainerProgress['options'];
  try {
    options = resolveTrainOptions(training.options as Partial<TrainerProgress['options']>, 'training options');
  } catch (err) {
    return fail((err as Error).message);
  }
  if (!Array.isArray(training.history)) fail('training.history must be an array');
  const random = training.random;
  const isWords = (w: unknown): boolean => Array.isArray(w) && w.length === 4 && w.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
  if (!isRecord(random) || !isWords(random.data) || !isWords(random.dropout)) fail('training.random must hold the data and dropout generator states (4 words each)');
  const partial = training.partial;
  if (partial !== null && !(isRecord(partial) && ['lossSum', 'tokens', 'seconds'].every((k) => typeof partial[k] === 'number'))) {
    fail('training.partial must be null or {lossSum, tokens, seconds}');
  }
  if (batch > 0 && partial === null) fail(`training.batch is ${batch} (mid-epoch) but training.partial is null`);

  const buffers: OptimizerState['buffers'] = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith(OPTIMIZER_PREFIX)) buffers[name.slice(OPTIMIZER_PREFIX.length)] = t.data;
  const optimizerState: OptimizerState = { kind: optimizer.kind as string, hyper: optimizer.hyper as Hyper, step: optimizer.step as number, buffers };
  if (!isRecord(optimizerState.hyper)) fail('optimizer.hyper must be an object');
  try {
    // A throwaway optimizer over the same parameters runs every check loadStateDict has, changing nothing.
    makeOptimizer(task.model.parameters(), options).loadStateDict(optimizerState);
  } catch (err) {
    return fail(`optimizer state does not fit the model: ${(err as Error).message}`);
  }

  const carriedState = task.carriedState(options);
  const names = carriedState?.names ?? [];
  const present = names.filter((n) => tensors[STATE_PREFIX + n] !== undefined);
  let carried: Tensor[] | null = null;
  if (carriedState !== null && present.length > 0) {
    const want = carriedState.shape;
    carried = names.map((n) => {
      const t = tensors[STATE_PREFIX + n];
      if (t === undefined) return fail(`carried state has ${present.join(', ')} but not ${n}`);
      if (t.shape.length !== 3 || t.shape.some((d, k) => d !== want[k])) fail(`carried state ${n} is ${shapeString(t.shape)}, expected ${shapeString(want)}`);
      return t;
    });
  }
  if (batch > 0 && carriedState !== null && carried === null) {
    fail(`training stopped mid-epoch (batch ${batch}) with sequential sampling but the carried state tensors are missing`);
  }
  const progress: TrainerProgress<object> = {
    epoch,
    step,
    batch,
    history: training.history as TrainerProgress<object>['history'],
    options,
    random: random as TrainerProgress['random'],
    partial: partial as TrainerProgress['partial'],
  };
  return { progress, optimizer: optimizerState, carried };
}
