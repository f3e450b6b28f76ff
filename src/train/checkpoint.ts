// Checkpoints: one safetensors file. Tensors are the model parameters under their namedParameters() names, the
// optimizer buffers under `optimizer.<name>` and, mid-epoch with sequential sampling, the carried hidden state
// under `training.state.<h|c>`; `__metadata__` holds one JSON string `lstm-ts` with the model config, text
// settings, vocabulary, optimizer hyperparameters and training progress. Loading validates all of it up front,
// with one-line errors that name the file and the problem, before anything is handed back.
import { MAX_STATE, MAX_WEIGHT } from '../core/limits.js';
import { Tensor } from '../core/tensor.js';
import type { Vocab, VocabJSON } from '../data/vocab.js';
import { encodeSafetensors, writeSafetensors, type TensorDict } from '../io/safetensors.js';
import { checkValues } from '../io/tensor-spec.js';
import type { RNNModel } from '../nn/rnn-model.js';
import type { Hyper } from '../optim/optimizer.js';
import { validateTextSettings, type TextSettings } from './corpus.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, METADATA_KEY, OPTIMIZER_PREFIX, STATE_PREFIX, decodeCheckpoint } from './checkpoint-load.js';
import { validateModelConfig, type ModelConfig } from './model-config.js';
import type { Trainer, TrainerProgress, TrainerSnapshot } from './trainer.js';

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, decodeCheckpoint };

export interface CheckpointMetadata {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  model: ModelConfig;
  text: TextSettings;
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
  text: TextSettings;
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
  // What the loader would refuse is not written: a diverged model never replaces the last good checkpoint.
  const refuse = (why: string): never => {
    throw new Error(`saveCheckpoint: not saving: ${why}`);
  };
  const tensors: TensorDict = {};
  for (const [name, p] of input.model.namedParameters()) {
    checkValues(name, p.data, { bound: MAX_WEIGHT, role: 'weight' }, refuse);
    tensors[name] = new Tensor(p.data.slice(), p.shape);
  }
  const snapshot = input.trainer?.snapshot() ?? null;
  if (snapshot !== null) {
    for (const [name, buf] of Object.entries(snapshot.optimizer.buffers)) {
      checkValues(OPTIMIZER_PREFIX + name, buf, { bound: MAX_STATE, role: 'optimizer state' }, refuse);
      tensors[OPTIMIZER_PREFIX + name] = new Tensor(buf, [buf.length]);
    }
    const names = input.model.rnn.stateNames;
    snapshot.carried?.forEach((t, k) => {
      checkValues(STATE_PREFIX + names[k]!, t.data, { bound: MAX_STATE, role: 'carried state' }, refuse);
      tensors[STATE_PREFIX + names[k]!] = t;
    });
  }
  const metadata: CheckpointMetadata = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: config,
    text,
    vocab: input.vocab.toJSON(),
    optimizer: snapshot === null ? null : { kind: snapshot.optimizer.kind, hyper: snapshot.optimizer.hyper, step: snapshot.optimizer.step },
    training: snapshot === null ? null : snapshot.progress,
    corpus: input.corpus ?? null,
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

/** Reads a regular file no larger than the memory budget (io/files.ts), then decodes it (checkpoint-load.ts). */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const { readFileChecked } = await import('../io/files.js');
  return decodeCheckpoint(await readFileChecked(path, 'checkpoint'), path);
}
