// Reading a checkpoint from someone else, for any task. In this order, each step before anything is allocated for
// the next: the safetensors header (tensors tile the data exactly), the metadata (the task's kind, then the task's
// own part through its loader's plan, then every training field), the memory the model it describes would take
// against what this machine or page can give, the tensors the plan implies (names, shapes, dtypes; nothing
// missing, nothing extra, "__proto__" included) against the header, and only then the tensor data, each value
// finite and within its bound (core/limits.ts); the task's model is built last. A task supplies its plan
// (TaskLoader.plan: the language model's is in checkpoint.ts) and gets every check. Every error is one line naming
// the file and the problem.
import { MAX_STATE } from '../core/limits.js';
import { Tensor, shapeString } from '../core/tensor.js';
import { decodeTensor } from '../io/safetensors.js';
import { parseSafetensorsHeader, type SafetensorsHeader } from '../io/safetensors-header.js';
import { checkValues, matchSpecs, type TensorSpec } from '../io/tensor-spec.js';
import { optimizerBufferLayout } from '../optim/buffers.js';
import type { Hyper, OptimizerState } from '../optim/optimizer.js';
import { makeOptimizer, resolveTrainOptions, type TrainOptions } from './options.js';
import { checkpointTaskKind, wrongTaskError, type AnyTask, type MetricsOf, type TaskLoader } from './task.js';
import type { TrainerProgress, TrainerSnapshot } from './trainer.js';

export const CHECKPOINT_FORMAT = 'lstm-ts/checkpoint';
export const CHECKPOINT_VERSION = 1;
export const METADATA_KEY = 'lstm-ts';
export const OPTIMIZER_PREFIX = 'optimizer.';
export const STATE_PREFIX = 'training.state.';

export type Fail = (why: string) => never;

/** The message of a validation error (a plain Error); anything else is a bug and goes on as it is. */
export function userMessage(err: unknown): string {
  if (err instanceof Error && err.constructor === Error) return err.message;
  throw err;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/**
 * What a checkpoint of one task must hold, known from its metadata alone, before anything is allocated: a task's
 * loader supplies it (TaskLoader.plan; the language model's is LANGUAGE_MODEL_LOADER), and decodeTaskCheckpoint
 * does every check with it. A new task (forecast, classify) writes its plan and gets them all.
 */
export interface CheckpointPlan<T extends AnyTask = AnyTask> {
  /** How errors name the model: "checkpoint says lstm 16x1". */
  says: string;
  /**
   * The model's parameters, in namedParameters() order and under its names (the optimizer's buffers follow that
   * order); a generator is read only as far as the file keeps up, so a claimed million layers costs nothing.
   */
  weights(): Iterable<TensorSpec>;
  /** Throws one line when the model (and, given its options, its training) would not fit in memory. */
  assertFits(training: TrainOptions | null): void;
  /** The carried state a mid-epoch checkpoint holds under these options, as `training.state.<name>` (empty if none). */
  carried(options: TrainOptions): TensorSpec[];
  /** The most minibatches an epoch of the saved data can have, when the metadata knows (for training.batch); else null. */
  mostBatches(options: TrainOptions): number | null;
  /** The task's metrics every epoch of training.history records (numbers, or null), as its epochMetrics names them. */
  metrics: readonly string[];
  /** The task around a freshly built model of the planned shapes; called only once every check has passed. */
  build(): T;
}

/** A task checkpoint, validated: the task around its model with the saved weights loaded, and its training state. */
export interface TaskCheckpoint<T extends AnyTask> {
  task: T;
  /** Present when the checkpoint was saved with a trainer; pass to `new Trainer(task, {}, training)`. */
  training: TrainerSnapshot<MetricsOf<T>> | null;
  metadata: Record<string, unknown>;
}

/**
 * Parses and validates the bytes of a checkpoint of the task `loader` rebuilds; `source` names the file in errors.
 * A checkpoint of another task is refused with one line naming both kinds.
 */
export function decodeTaskCheckpoint<T extends AnyTask>(bytes: Uint8Array, loader: TaskLoader<T>, source = 'checkpoint'): TaskCheckpoint<T> {
  const { header, meta, fail } = readCheckpointHeader(bytes, source);
  const kind = checkpointTaskKind(meta, fail);
  if (kind !== loader.kind) throw wrongTaskError(source, kind, loader.kind);
  const plan = loader.plan(meta, source, fail);
  const training = parseTraining(meta, plan, fail);
  const tensors = decodeCheckpointTensors(bytes, header, plan, training, fail);
  const task = plan.build(); // allocation only now, for a model the file really holds
  const snapshot = loadCheckpointTensors(plan, task, tensors, training, fail);
  return { task, training: snapshot as TrainerSnapshot<MetricsOf<T>> | null, metadata: meta };
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
  if (training !== null && training.batch > 0 && state.length > 0 && present.length === 0) {
    fail(`training stopped mid-epoch (batch ${training.batch}) with state carried between minibatches (sequential sampling) but the carried state tensors are missing`);
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

/** A loader's plan that does not describe the model it builds: a bug in the task's code, never the file's fault. */
export class CheckpointPlanError extends Error {
  override name = 'CheckpointPlanError';
}

/**
 * Copies checked weights into the freshly built task's model, once its parameters (names, order, shapes) and
 * carried state are seen to be what the plan said, and runs loadStateDict's own checks on a throwaway optimizer.
 */
export function loadCheckpointTensors(plan: CheckpointPlan, task: AnyTask, tensors: CheckpointTensors, training: ParsedTraining | null, fail: Fail): TrainerSnapshot<object> | null {
  const params = task.model.namedParameters();
  const planned = [...tensors.weights.entries()];
  const describe = (entry: [string, { shape: readonly number[] }] | undefined): string => (entry === undefined ? 'nothing' : `${entry[0]} ${shapeString(entry[1].shape)}`);
  const wrong = (what: string, said: string, built: string): never => {
    throw new CheckpointPlanError(`the ${task.kind} loader's plan (${plan.says}) lists ${said} as ${what}, but the task it builds has ${built}`);
  };
  for (let k = 0; k < Math.max(params.length, planned.length); k++) {
    const [said, built] = [planned[k], params[k]];
    if (said === undefined || built === undefined || said[0] !== built[0] || shapeString(said[1].shape) !== shapeString(built[1].shape)) {
      wrong(`parameter ${k}`, describe(said), describe(built));
    }
  }
  if (training !== null) {
    const saidState = plan.carried(training.options).map((s) => `${s.name.slice(STATE_PREFIX.length)} ${shapeString(s.shape)}`).join(', ');
    const carried = task.carriedState(training.options);
    const builtState = carried === null ? '' : carried.names.map((n) => `${n} ${shapeString(carried.shape)}`).join(', ');
    if (saidState !== builtState) wrong('the carried state', saidState || 'none', builtState || 'none');
  }
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

/** The optimizer's buffers as `optimizer.<name>` specs: float32 like the weights, bounded like any state. */
function optimizerTensors(kind: string, options: TrainOptions, weights: readonly TensorSpec[]): TensorSpec[] {
  const sizes = weights.map((w) => w.shape.reduce((a, d) => a * d, 1));
  return optimizerBufferLayout(kind, options.momentum, sizes).map((b) => ({
    name: OPTIMIZER_PREFIX + b.name, shape: [b.length], dtypes: [b.dtype], bound: MAX_STATE, role: 'optimizer state', integer: b.integer,
  }));
}

export interface ParsedTraining {
  progress: TrainerProgress<object>;
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
  const history = parseHistory(training.history, plan.metrics, fail);
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
  const progress: TrainerProgress<object> = {
    epoch, step, batch, history, options,
    random: random as TrainerProgress['random'],
    partial: partial as TrainerProgress['partial'],
  };
  return { progress, options, batch, kind: kind as string, hyper: hyper as Hyper, step: optimizerStep as number };
}

/**
 * The per-epoch records: numbers where numbers belong (a chart, early stopping and a resumed run read them). Every
 * task's epochs have epoch, loss, seconds and lr as numbers, and each of the task's `metrics` as a number or null
 * (a metric measured on held-out data when there was none); any other field is a number or null too.
 */
export function parseHistory(history: unknown, metrics: readonly string[], fail: Fail): TrainerProgress<object>['history'] {
  if (!Array.isArray(history)) return fail('training.history must be an array');
  const numbers = ['epoch', 'loss', 'seconds', 'lr'];
  history.forEach((h, k) => {
    const ok = isRecord(h) && numbers.every((n) => typeof h[n] === 'number') && metrics.every((n) => Object.hasOwn(h, n))
      && Object.values(h).every((v) => v === null || typeof v === 'number');
    if (!ok) fail(`training.history[${k}] must be {${[...numbers, ...metrics].join(', ')}} of numbers (the task's metrics may be null)`);
  });
  return history as TrainerProgress<object>['history'];
}
