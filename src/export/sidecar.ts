// The JSON sidecar that travels with exported weights: the vocabulary, the text settings, the lstm-ts model config,
// the same model in PyTorch's terms (snake_case, what examples/torch builds its RNNModel from) and the training
// options and progress of the run, so an import can continue it. Parsing checks every field the import relies on
// and fails with one line naming the file and the field; unknown top-level keys (a trainer's notes) are kept.
import { Vocab, type VocabJSON } from '../data/vocab.js';
import { cellKind, type CellKindSpec } from '../nn/cell-kinds.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { parseHistory } from '../train/checkpoint-load.js';
import { validateTextSettings, type TextSettings } from '../train/corpus.js';
import { LANGUAGE_MODEL_METRICS } from '../train/lm-task.js';
import { validateModelConfig, type ModelConfig } from '../train/model-config.js';
import { resolveTrainOptions, type TrainOptions } from '../train/options.js';
import type { EpochStats } from '../train/trainer.js';

export const SIDECAR_FORMAT = 'lstm-ts/export';
export const SIDECAR_VERSION = 1;

/** How to build the same model with torch.nn: `RNNModel(nn.<rnn>(input_size, hidden_size, ...), vocab_size)`. */
export interface TorchModelSpec {
  rnn: CellKindSpec['name'];
  input_size: number;
  hidden_size: number;
  num_layers: number;
  nonlinearity: 'tanh' | 'relu';
  dropout: number;
  bidirectional: boolean;
  batch_first: boolean;
  vocab_size: number;
  /** null: one-hot input of width vocab_size (d2l's RNNModel); otherwise an nn.Embedding of this width. */
  embedding_dim: number | null;
}

export interface SidecarProgress {
  epoch: number;
  step: number;
  history: EpochStats[];
}

export interface Sidecar {
  format: typeof SIDECAR_FORMAT;
  version: typeof SIDECAR_VERSION;
  /** What the file beside it holds. */
  weights: 'torch' | 'onnx';
  torch: TorchModelSpec;
  model: ModelConfig;
  text: TextSettings;
  vocab: VocabJSON;
  /** The lstm-ts run's training options (null for a weights-only checkpoint). */
  training: TrainOptions | null;
  progress: SidecarProgress | null;
  [extra: string]: unknown;
}

export function torchSpec(config: ModelConfig): TorchModelSpec {
  return {
    rnn: cellKind(config.cell).name,
    input_size: config.embeddingDim ?? config.vocabSize,
    hidden_size: config.hiddenSize,
    num_layers: config.numLayers,
    nonlinearity: config.nonlinearity ?? 'tanh',
    dropout: config.dropout,
    bidirectional: false,
    batch_first: false,
    vocab_size: config.vocabSize,
    embedding_dim: config.embeddingDim ?? null,
  };
}

export function makeSidecar(ckpt: Checkpoint, weights: Sidecar['weights'], extra: Record<string, unknown> = {}): Sidecar {
  const progress = ckpt.training?.progress ?? null;
  return {
    format: SIDECAR_FORMAT,
    version: SIDECAR_VERSION,
    weights,
    torch: torchSpec(ckpt.config),
    model: ckpt.config,
    text: ckpt.text,
    vocab: ckpt.vocab.toJSON(),
    training: progress?.options ?? null,
    progress: progress === null ? null : { epoch: progress.epoch, step: progress.step, history: progress.history },
    ...extra,
  };
}

/**
 * The sidecar beside an export takes the export's whole name: `m.onnx` -> `m.onnx.json`, `m.safetensors` ->
 * `m.safetensors.json`, so one model exported to both formats under one stem keeps two sidecars.
 */
export function sidecarPathFor(exportPath: string): string {
  return `${exportPath}.json`;
}

/** Where versions before 0.2 wrote the sidecar (the extension replaced: book.torch.safetensors -> book.torch.json). */
export function legacySidecarPathFor(weightsPath: string): string {
  const m = /^(.*[^/\\])\.(safetensors|onnx)$/i.exec(weightsPath);
  return `${m === null ? weightsPath : m[1]}.json`;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Parses and checks a sidecar's text; `source` names the file in errors. */
export function parseSidecar(json: string, source: string): { sidecar: Sidecar; vocab: Vocab } {
  const fail = (why: string): never => {
    throw new Error(`sidecar ${source}: ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(raw)) return fail('expected a JSON object');
  if (raw.format !== SIDECAR_FORMAT) fail(`format is ${JSON.stringify(raw.format)}, expected '${SIDECAR_FORMAT}' (the JSON that lstm export writes)`);
  if (raw.version !== SIDECAR_VERSION) fail(`version ${JSON.stringify(raw.version)} is not supported (expected ${SIDECAR_VERSION})`);
  const wrap = <T>(what: () => T): T => {
    try {
      return what();
    } catch (err) {
      return fail((err as Error).message);
    }
  };
  const model = wrap(() => validateModelConfig(raw.model, 'model'));
  const text = wrap(() => validateTextSettings(raw.text, 'text'));
  const vocab = wrap(() => {
    try {
      return Vocab.fromJSON(raw.vocab);
    } catch (err) {
      throw new Error(`vocab: ${(err as Error).message.replace(/^Vocab\.fromJSON: /, '')}`);
    }
  });
  if (vocab.size !== model.vocabSize) fail(`its vocabulary has ${vocab.size} tokens but its model config says vocabSize ${model.vocabSize}`);
  const training = raw.training === null || raw.training === undefined ? null : wrap(() => resolveTrainOptions(raw.training as Partial<TrainOptions>, 'training'));
  let progress: SidecarProgress | null = null;
  if (raw.progress !== null && raw.progress !== undefined) {
    const p = raw.progress;
    const count = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
    if (!isRecord(p) || !count(p.epoch) || !count(p.step) || !Array.isArray(p.history)) {
      fail('progress must be null or {epoch, step, history} with non-negative integer epoch and step');
    }
    parseHistory((p as Record<string, unknown>).history, LANGUAGE_MODEL_METRICS, (why) => fail(why.replace(/^training\./, 'progress.')));
    progress = p as unknown as SidecarProgress;
  }
  const sidecar: Sidecar = { ...(raw as Record<string, unknown>), model, text, vocab: vocab.toJSON(), training, progress } as Sidecar;
  return { sidecar, vocab };
}
