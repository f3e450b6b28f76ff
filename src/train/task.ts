// The seam between the trainer and what it trains, in the spirit of minGPT's trainer (any model that returns a
// loss): a task knows its data and how an epoch batches it, the loss and gradients of a batch, the state a batch
// starts from, its own metrics on held-out data and what a checkpoint must keep to rebuild it; the trainer knows
// epochs, the optimizer, clipping, the NaN stop, schedules, interruption, resuming and early stopping.
// The kinds of task are listed here and nowhere else.
import type { Random } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import type { CheckpointPlan } from './checkpoint-load.js';
import type { TrainOptions } from './options.js';

export const TASK_KINDS = ['language-model', 'forecast', 'classify'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** What the trainer needs of a model: the parameters its optimizer updates in place, and the train/eval switch. */
export interface TrainableModel {
  namedParameters(): Array<[string, Tensor]>;
  parameters(): Tensor[];
  train(mode?: boolean): unknown;
  eval(): unknown;
  readonly training: boolean;
}

/** One epoch's batches, in order; how many there are is known before the first is drawn. */
export interface TaskEpoch<Batch> extends Iterable<Batch> {
  readonly numBatches: number;
}

/** One batch's forward and backward. */
export interface BatchLoss {
  /** Mean loss per item of the batch: the number its gradients are of. */
  loss: number;
  /** Items the loss is averaged over (tokens, windows, sequences): the batch's weight in the epoch's mean loss and the unit of throughput. */
  items: number;
  /** The state the next batch of this epoch starts from, cut from the graph; null when batches are independent. */
  carry: Tensor[] | null;
}

/** An epoch's training side as the trainer measured it: the item-weighted mean loss, the items and the seconds. */
export interface TrainingSummary {
  loss: number;
  items: number;
  seconds: number;
}

/** Which way a metric improves. */
export type MetricGoal = 'min' | 'max';

/**
 * A job the Trainer can run. `Data` is what `fit` is given (token ids, windows, labelled sequences), `Batch` one
 * minibatch of it, `Metrics` what each epoch reports besides its mean loss (by convention the ones measured on
 * held-out data are named `val…`), and `Evaluation` what `evaluate` returns.
 */
export interface Task<Data, Batch, Metrics extends object, Evaluation> {
  readonly kind: TaskKind;
  readonly model: TrainableModel;
  /** The model's own draws (dropout masks): the trainer seeds it from the run's seed and keeps its state in checkpoints. */
  random: Random;
  /** Splits off the held-out part (never shuffled across the boundary); null when validFraction is 0. */
  split(data: Data, validFraction: number): { train: Data; valid: Data | null };
  /**
   * One epoch's batches, drawn from `random`: a function of the data, the options and the generator's state alone,
   * so an interrupted epoch is drawn again from the same state and the batches already done are skipped.
   */
  batches(data: Data, random: Random, options: TrainOptions): TaskEpoch<Batch>;
  /** The state a batch starts from, given the previous batch's carry (null at an epoch's start); null for the model's zero state. */
  startState(carried: Tensor[] | null, options: TrainOptions): Tensor[] | null;
  /** Forward from `state`, the loss, and backward: gradients ACCUMULATE into the parameters' `.grad` (zeroed by the trainer). */
  lossAndGrad(batch: Batch, state: Tensor[] | null, options: TrainOptions): BatchLoss;
  /** The task's metrics on held-out data: eval mode (no dropout), no graph, the model's mode restored after. */
  evaluate(data: Data, options: TrainOptions): Evaluation;
  /** What an epoch reports besides its mean loss, in the order it is printed and saved (e.g. perplexity, valPerplexity, tokensPerSec). */
  epochMetrics(train: TrainingSummary, valid: Evaluation | null): Metrics;
  /** Metrics early stopping and the best checkpoint may watch, with the way each improves (the training `loss` always may). */
  readonly goals: Readonly<Record<string, MetricGoal>>;
  /** The metric watched when the options name none. */
  readonly defaultMonitor: string;
  /** Names and shape of the carried state a mid-epoch checkpoint holds under these options; null if the task never carries one. */
  carriedState(options: TrainOptions): { names: readonly string[]; shape: number[] } | null;
  /** The JSON a checkpoint keeps beside the weights to rebuild this task: its model config and metadata (vocabulary, scaling, labels). */
  checkpointMetadata(): Record<string, unknown>;
}

export type AnyTask = Task<any, any, object, any>;
export type DataOf<T> = T extends Task<infer D, any, any, any> ? D : never;
export type MetricsOf<T> = T extends Task<any, any, infer M, any> ? M : never;

/**
 * Rebuilds one kind of task from a checkpoint (see decodeTaskCheckpoint). The loader only plans: it checks the
 * task's part of the metadata and says what the file must hold (weights, memory, carried state), allocating
 * nothing; the generic loader (checkpoint-load.ts) then runs every check of the file against that plan (header,
 * names, shapes, dtypes, memory, NaN/Inf and bounds, training fields, optimizer state) and only then builds the
 * task. A new task supplies its plan and gets all of them.
 */
export interface TaskLoader<T extends AnyTask> {
  readonly kind: TaskKind;
  /** `fail` throws one line naming the file; `source` names it in errors of the task's own. */
  plan(metadata: Record<string, unknown>, source: string, fail: (why: string) => never): CheckpointPlan<T>;
}

/** The task a checkpoint's metadata records; files written before tasks existed hold language models. */
export function checkpointTaskKind(metadata: Record<string, unknown>, fail: (why: string) => never): TaskKind {
  const kind = metadata.task ?? 'language-model';
  if (!(TASK_KINDS as readonly unknown[]).includes(kind)) {
    return fail(`unknown task ${JSON.stringify(kind)} (this lstm-ts knows ${TASK_KINDS.map((k) => `'${k}'`).join(', ')})`);
  }
  return kind as TaskKind;
}

/** The one-line refusal of a checkpoint of one task where another is needed. */
export function wrongTaskError(source: string, found: TaskKind, expected: TaskKind): Error {
  return new Error(`${source} is a ${found} checkpoint, not a ${expected} checkpoint`);
}
