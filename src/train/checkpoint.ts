// Checkpoints: one safetensors file. Tensors are the model parameters under their namedParameters() names, the
// optimizer buffers under `optimizer.<name>` and, mid-epoch with sequential sampling, the carried hidden state
// under `training.state.<h|c>`; `__metadata__` holds one JSON string `lstm-ts` with the task's kind and metadata
// (for a language model: the model config, text settings and vocabulary), the optimizer hyperparameters and the
// training progress. Saving refuses what loading would refuse (NaN, ±Inf, values past their bound), so a diverged
// model never replaces the last good checkpoint. Loading (checkpoint-load.ts) validates all of it up front, with
// one-line errors that name the file and the problem, before anything is allocated for the model; a checkpoint of
// another task than the one asked for is refused. Here: the language model's loader plan and the file functions.
import { MAX_STATE, MAX_WEIGHT } from '../core/limits.js';
import { Tensor } from '../core/tensor.js';
import { numRandomBatches, numSequentialBatches } from '../data/batches.js';
import { Vocab, type VocabJSON } from '../data/vocab.js';
import { readFileChecked } from '../io/files.js';
import { encodeSafetensors, writeSafetensors, type TensorDict } from '../io/safetensors.js';
import { checkValues } from '../io/tensor-spec.js';
import type { RNNModel } from '../nn/rnn-model.js';
import type { Hyper } from '../optim/optimizer.js';
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, METADATA_KEY, OPTIMIZER_PREFIX, STATE_PREFIX, decodeTaskCheckpoint, userMessage,
  type CheckpointPlan, type Fail, type TaskCheckpoint,
} from './checkpoint-load.js';
import { validateTextSettings, type ResolvedTextSettings, type TextSettings } from './corpus.js';
import { LANGUAGE_MODEL_METRICS, LanguageModelTask } from './lm-task.js';
import { buildModel, shortModelName, validateModelConfig, type ModelConfig } from './model-config.js';
import { assertModelFits, carriedStateTensors, languageModelTensors, optimizerBufferCount } from './model-spec.js';
import type { AnyTask, TaskKind, TaskLoader } from './task.js';
import type { Trainer, TrainerProgress, TrainerSnapshot } from './trainer.js';

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, decodeTaskCheckpoint, type CheckpointPlan, type TaskCheckpoint };

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

/**
 * The same for any task: its model's parameters, the trainer's optimizer state and carried state, the task's
 * metadata. What the loader would refuse is not written: a diverged model never replaces the last good checkpoint.
 */
export function taskCheckpointContents<T extends AnyTask>(task: T, trainer: Trainer<T> | null = null): { tensors: TensorDict; metadata: Record<string, string> } {
  const refuse = (why: string): never => {
    throw new Error(`saveCheckpoint: not saving: ${why}`);
  };
  const tensors: TensorDict = {};
  for (const [name, p] of task.model.namedParameters()) {
    checkValues(name, p.data, { bound: MAX_WEIGHT, role: 'weight' }, refuse);
    tensors[name] = new Tensor(p.data.slice(), p.shape);
  }
  const snapshot = trainer?.snapshot() ?? null;
  if (snapshot !== null) {
    for (const [name, buf] of Object.entries(snapshot.optimizer.buffers)) {
      checkValues(OPTIMIZER_PREFIX + name, buf, { bound: MAX_STATE, role: 'optimizer state' }, refuse);
      tensors[OPTIMIZER_PREFIX + name] = new Tensor(buf, [buf.length]);
    }
    const names = task.carriedState(snapshot.progress.options)?.names ?? [];
    snapshot.carried?.forEach((t, k) => {
      checkValues(STATE_PREFIX + names[k]!, t.data, { bound: MAX_STATE, role: 'carried state' }, refuse);
      tensors[STATE_PREFIX + names[k]!] = t;
    });
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

/**
 * A language model's checkpoint: a regular file no larger than the memory budget (io/files.ts), decoded with every
 * check; one of another task is refused with one line naming both kinds.
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  return decodeCheckpoint(await readFileChecked(path, 'checkpoint'), path);
}

/** A checkpoint of the task `loader` rebuilds, read and checked as loadCheckpoint does. */
export async function loadTaskCheckpoint<T extends AnyTask>(path: string, loader: TaskLoader<T>): Promise<TaskCheckpoint<T>> {
  return decodeTaskCheckpoint(await readFileChecked(path, 'checkpoint'), loader, path);
}

/** Parses and validates the bytes of a language model's checkpoint; `source` names the file in errors. */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const { task, training, metadata } = decodeTaskCheckpoint(bytes, LANGUAGE_MODEL_LOADER, source);
  const { config, text, vocab, corpus } = task.info!;
  return { config, text, vocab, model: task.model, training, corpus: corpus ?? null, metadata: metadata as unknown as CheckpointMetadata };
}

/**
 * The language model's part of a checkpoint: model config, text settings, vocabulary (and the corpus it saw),
 * checked, and the plan of its tensors from the config alone (model-spec.ts).
 */
export const LANGUAGE_MODEL_LOADER: TaskLoader<LanguageModelTask> = {
  kind: 'language-model',
  plan(meta, source, fail): CheckpointPlan<LanguageModelTask> {
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
    return {
      says: `checkpoint says ${shortModelName(config)}${config.embeddingDim === undefined ? '' : ` with embeddingDim ${config.embeddingDim}`}`,
      weights: () => languageModelTensors(config),
      assertFits: (o) => {
        const use = o === null ? undefined : { batchSize: o.batchSize, numSteps: o.numSteps, optimizerBuffers: optimizerBufferCount(o.optimizer, o.momentum) };
        assertModelFits(config, use, `the model it describes (${describeShort(config)})`);
      },
      // Sequential sampling carries (h[, c]) between minibatches; random sampling carries nothing (LanguageModelTask.carriedState).
      carried: (o) => (o.sampling === 'sequential' ? carriedStateTensors(config, o.batchSize, STATE_PREFIX) : []),
      mostBatches: (o) => {
        if (corpus === null) return null;
        // The most minibatches an epoch of the saved corpus can have (the offset drawn each epoch only lowers it).
        const trainTokens = corpus.tokenCount - Math.floor(corpus.tokenCount * o.validFraction);
        return (o.sampling === 'sequential' ? numSequentialBatches : numRandomBatches)(trainTokens, o.batchSize, o.numSteps, 0);
      },
      metrics: LANGUAGE_MODEL_METRICS,
      build: () => new LanguageModelTask(buildModel(config), { config, text, vocab, corpus }),
    };
  },
};

function describeShort(config: ModelConfig): string {
  const input = config.embeddingDim === undefined ? `one-hot over ${config.vocabSize}` : `embedding ${config.vocabSize}x${config.embeddingDim}`;
  return `${config.cell} ${config.hiddenSize}x${config.numLayers}, ${input}`;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function parseCorpusInfo(corpus: unknown, fail: Fail): CorpusInfo | null {
  if (corpus === null || corpus === undefined) return null;
  if (typeof corpus !== 'object' || Array.isArray(corpus)) return fail('corpus must be an object or null');
  const c = corpus as Record<string, unknown>;
  for (const key of ['maxTokens', 'minFreq', 'tokenCount'] as const) if (!isCount(c[key])) fail(`corpus.${key} must be a non-negative integer, got ${JSON.stringify(c[key])}`);
  if (typeof c.checksum !== 'string' || !/^[0-9a-f]{8}$/.test(c.checksum)) fail(`corpus.checksum must be 8 hex digits, got ${JSON.stringify(c.checksum)}`);
  return { maxTokens: c.maxTokens as number, minFreq: c.minFreq as number, tokenCount: c.tokenCount as number, checksum: c.checksum as string };
}
