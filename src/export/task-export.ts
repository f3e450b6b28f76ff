// Forecasters and classifiers to and from PyTorch: the state dict of the task model under PyTorch's names
// (`rnn.weight_ih_l0`, ..., `head.weight` (out, in), `head.bias`, `embedding.weight`) and a JSON sidecar that holds
// what the checkpoint holds besides the weights (the task, the model config, the scaler or the labels and
// vocabulary, the data settings) plus the module in PyTorch's terms and the run's training options and progress.
// An import rebuilds the task from the sidecar with the checkpoint loader's own checks, then loads the weights.
import { Tensor, shapeString } from '../core/tensor.js';
import type { TensorDict } from '../io/safetensors.js';
import { checkValues, FLOAT_DTYPES, listSome, type TensorShapeInfo } from '../io/tensor-spec.js';
import { MAX_WEIGHT } from '../core/limits.js';
import { cellKind } from '../nn/cell-kinds.js';
import { resolveTrainOptions, type TrainOptions } from '../train/options.js';
import type { ClassifyTask } from '../train/classify-task.js';
import type { ForecastTask } from '../train/forecast-task.js';
import { CLASSIFY_LOADER, FORECAST_LOADER } from '../train/task-loaders.js';
import type { TaskLoader } from '../train/task.js';
import { Trainer, type TrainerSnapshot } from '../train/trainer.js';
import { SIDECAR_FORMAT, SIDECAR_VERSION, type SidecarProgress } from './sidecar.js';

export type SequenceTask = ForecastTask | ClassifyTask;

/** How to build the same module with torch.nn (scripts/tasks' SequenceRegressor / SequenceClassifier take these). */
export interface TorchSequenceSpec {
  module: 'SequenceRegressor' | 'SequenceClassifier';
  rnn: 'LSTM' | 'GRU' | 'RNN';
  input_size: number;
  hidden_size: number;
  num_layers: number;
  bidirectional: boolean;
  batch_first: true;
  dropout: number;
  nonlinearity: 'tanh' | 'relu';
  /** Regressor: Linear(D·H, horizon·targets); classifier: Linear(D·H, num_classes). */
  outputs: number;
  horizon?: number;
  targets?: number;
  vocab_size?: number;
  embedding_dim?: number | null;
  num_classes?: number;
  pool?: 'last' | 'mean';
}

export function torchSequenceSpec(task: SequenceTask): TorchSequenceSpec {
  const c = task.info.config;
  const base = {
    rnn: cellKind(c.cell).name, hidden_size: c.hiddenSize, num_layers: c.numLayers, bidirectional: c.bidirectional, batch_first: true as const,
    dropout: c.dropout, nonlinearity: c.nonlinearity ?? 'tanh' as const,
  };
  if ('inputSize' in c) return { module: 'SequenceRegressor', ...base, input_size: c.inputSize, outputs: c.horizon * c.targets, horizon: c.horizon, targets: c.targets };
  return {
    module: 'SequenceClassifier', ...base, input_size: c.embeddingDim ?? c.vocabSize, outputs: c.numClasses,
    vocab_size: c.vocabSize, embedding_dim: c.embeddingDim ?? null, num_classes: c.numClasses, pool: c.pool,
  };
}

/** The model's PyTorch state dict as float32 tensors. */
export function taskTorchTensors(task: SequenceTask): TensorDict {
  const out: TensorDict = {};
  for (const [name, t] of Object.entries(task.model.torchStateDict())) out[name] = new Tensor(Float32Array.from(t.data), t.shape);
  return out;
}

/** The sidecar of an exported task: everything its checkpoint keeps besides the weights and the optimizer. */
export function makeTaskSidecar(task: SequenceTask, training: TrainerSnapshot<object> | null, weights: 'torch' | 'onnx', extra: Record<string, unknown> = {}): Record<string, unknown> {
  const progress = training?.progress ?? null;
  return {
    format: SIDECAR_FORMAT, version: SIDECAR_VERSION, weights, task: task.kind, torch: torchSequenceSpec(task), ...task.checkpointMetadata(),
    training: progress?.options ?? null,
    progress: progress === null ? null : { epoch: progress.epoch, step: progress.step, history: progress.history },
    ...extra,
  };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The task a sidecar describes, rebuilt with the checkpoint loader's checks; null when it is a language model's. */
export function parseTaskSidecar(raw: unknown, source: string): { task: SequenceTask; training: TrainOptions | null; progress: SidecarProgress | null } | null {
  const fail = (why: string): never => {
    throw new Error(`sidecar ${source}: ${why}`);
  };
  if (!isRecord(raw) || raw.task === undefined || raw.task === 'language-model') return null;
  if (raw.format !== SIDECAR_FORMAT) fail(`format is ${JSON.stringify(raw.format)}, expected '${SIDECAR_FORMAT}' (the JSON that lstm export writes)`);
  if (raw.version !== SIDECAR_VERSION) fail(`version ${JSON.stringify(raw.version)} is not supported (expected ${SIDECAR_VERSION})`);
  const loader = raw.task === 'forecast' ? FORECAST_LOADER : raw.task === 'classify' ? CLASSIFY_LOADER : null;
  if (loader === null) return fail(`unknown task ${JSON.stringify(raw.task)} (this lstm-ts knows 'language-model', 'forecast', 'classify')`);
  // The checkpoint loader's own checks of the metadata and of the memory the model would take, then the task.
  const plan = (loader as TaskLoader<SequenceTask>).plan(raw, source, fail);
  try {
    plan.assertFits(null);
  } catch (err) {
    return fail((err as Error).message);
  }
  const task = plan.build();
  let training: TrainOptions | null = null;
  if (raw.training !== null && raw.training !== undefined) {
    try {
      training = resolveTrainOptions(raw.training as Partial<TrainOptions>, 'training');
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  let progress: SidecarProgress | null = null;
  if (raw.progress !== null && raw.progress !== undefined) {
    const p = raw.progress;
    const count = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
    if (!isRecord(p) || !count(p.epoch) || !count(p.step) || !Array.isArray(p.history)) fail('progress must be null or {epoch, step, history} with non-negative integer epoch and step');
    progress = p as unknown as SidecarProgress;
  }
  return { task, training, progress };
}

/**
 * Checks a state dict's header against the task a sidecar rebuilt, before any tensor is read: names first
 * (missing, unexpected), then shapes and dtypes, each a one-line error naming both files.
 */
export function checkTaskTorchHeader(present: ReadonlyMap<string, TensorShapeInfo>, task: SequenceTask, from: { weights: string; sidecar: string }): void {
  const names = [...present.keys()];
  const wrapped = names.length > 0 && names.every((n) => n.startsWith('module.'));
  const dict = new Map(names.map((n) => [wrapped ? n.slice(7) : n, present.get(n)!]));
  const expected = task.model.torchStateDict();
  const says = `the ${task.kind} model that ${from.sidecar} describes`;
  const missing = Object.keys(expected).filter((n) => !dict.has(n));
  const extra = [...dict.keys()].filter((n) => !(n in expected)).map((n) => JSON.stringify(n).slice(1, -1));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length > 0 ? `missing ${listSome(missing, 6)}` : '', extra.length > 0 ? `unexpected ${listSome(extra, 6)}` : ''];
    throw new Error(`${from.weights} does not fit ${says}: ${parts.filter(Boolean).join('; ')}`);
  }
  for (const [name, want] of Object.entries(expected)) {
    const got = dict.get(name)!;
    if (got.shape.length !== want.shape.length || got.shape.some((d, k) => d !== want.shape[k])) {
      throw new Error(`${from.weights}: ${name} is ${shapeString(got.shape)}, expected ${shapeString(want.shape)} for ${says}`);
    }
    if (!FLOAT_DTYPES.includes(got.dtype)) throw new Error(`${from.weights}: ${name} is ${got.dtype}, expected floating point (F32) for ${says}`);
  }
}

/**
 * Loads a PyTorch state dict (its header checked by checkTaskTorchHeader) into the task a sidecar rebuilt: every value
 * finite and within the weights' bound, then a trainer at the exported epoch with a fresh optimizer.
 */
export function importTaskTorch(raw: TensorDict, parsed: NonNullable<ReturnType<typeof parseTaskSidecar>>, from: { weights: string; sidecar: string }): { task: SequenceTask; trainer: Trainer<SequenceTask> } {
  const names = Object.keys(raw);
  const dict = names.length > 0 && names.every((n) => n.startsWith('module.')) ? Object.fromEntries(names.map((n) => [n.slice(7), raw[n]!])) : raw;
  const { task } = parsed;
  checkTaskTorchHeader(new Map(Object.entries(dict).map(([n, t]) => [n, { shape: t.shape, dtype: 'F32' }])), task, from);
  for (const [name, t] of Object.entries(dict)) {
    checkValues(name, t.data, { bound: MAX_WEIGHT, role: 'weight' }, (why) => {
      throw new Error(`${from.weights}: ${why}`);
    });
  }
  task.model.loadTorchStateDict(dict);
  // The optimizer restarts (PyTorch's moments are not carried); epochs and history continue from the export.
  const trainer = new Trainer<SequenceTask>(task, parsed.training ?? {});
  if (parsed.progress !== null) {
    trainer.epoch = parsed.progress.epoch;
    trainer.step = parsed.progress.step;
    trainer.history.push(...(parsed.progress.history as never[]));
  }
  return { task, trainer };
}
