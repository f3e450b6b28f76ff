// Training options: their defaults (d2l ch. 8-9: sequential minibatches, gradient clipping at 1), one-line
// validation, and the optimizer and learning-rate schedule they describe. The resolved options go into every
// checkpoint, so a resumed run continues with exactly the settings it started with.
import type { Tensor } from '../core/tensor.js';
import type { BatchMode } from '../data/batches.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { constantLR, cosineLR, stepLR, type Schedule } from '../optim/schedule.js';
import { SGD } from '../optim/sgd.js';
import { defaultLearningRate, defaultLrStepEpochs, TRAIN_DEFAULTS } from './defaults.js';

export type OptimizerKind = 'sgd' | 'adam';
export type LRScheduleKind = 'constant' | 'cosine' | 'step';

export interface TrainOptions {
  batchSize: number;
  /** Language model: tokens per sequence, the truncation length of backpropagation through time. */
  numSteps: number;
  /** Total epochs of the run (also the horizon of the cosine schedule). */
  epochs: number;
  lr: number;
  /** Maximum global gradient norm; 0 turns clipping off. */
  clip: number;
  optimizer: OptimizerKind;
  weightDecay: number;
  /** SGD only. */
  momentum: number;
  /** Language model: 'random', a fresh zero state per minibatch; 'sequential', the state carried (detached) through each epoch. */
  sampling: BatchMode;
  /** Fraction of the data held out (a language model's: the tail of its text) for the validation metrics of each epoch; 0 for none. */
  validFraction: number;
  lrSchedule: LRScheduleKind;
  /** 'step' schedule: multiply the rate by lrGamma every lrStepEpochs epochs. */
  lrStepEpochs: number;
  lrGamma: number;
  /** 'cosine' schedule: the rate reached at the last epoch. */
  minLr: number;
  /** Seeds minibatch order and dropout masks (the model's own seed fixes its initial weights). */
  seed: number;
  /** Stop once this many epochs in a row have not improved the watched metric; absent: never stop early. */
  patience?: number;
  /** The metric early stopping and the best checkpoint watch: `loss` or one of the task's (default: the task's, valPerplexity for a language model). */
  monitor?: string;
}

/** The defaults live in defaults.ts, shared with the CLI's flags. */
export const DEFAULT_TRAIN_OPTIONS: Readonly<Omit<TrainOptions, 'lr' | 'lrStepEpochs'>> = TRAIN_DEFAULTS;
export { defaultLearningRate };

// patience and monitor have no default: a run without them saves exactly the options it saved before they existed.
const KEYS: ReadonlySet<string> = new Set([...Object.keys(DEFAULT_TRAIN_OPTIONS), 'lr', 'lrStepEpochs', 'patience', 'monitor']);

/** Fills in defaults and checks every field; errors are one line naming the field and its value. */
export function resolveTrainOptions(partial: Partial<TrainOptions> = {}, where = 'training options'): TrainOptions {
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why}`);
  };
  if (typeof partial !== 'object' || partial === null) fail('expected an object');
  const unknown = Object.keys(partial).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) fail(`unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TrainOptions>;
  const optimizer = defined.optimizer ?? DEFAULT_TRAIN_OPTIONS.optimizer;
  const epochs = defined.epochs ?? DEFAULT_TRAIN_OPTIONS.epochs;
  const o: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS,
    lr: defaultLearningRate(optimizer),
    lrStepEpochs: defaultLrStepEpochs(epochs),
    ...defined,
  };
  const int = (name: keyof TrainOptions, min: number): void => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  const nonNegative = (name: keyof TrainOptions): void => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${name} must be a finite number >= 0, got ${JSON.stringify(v)}`);
  };
  int('batchSize', 1);
  int('numSteps', 1);
  int('epochs', 1);
  int('lrStepEpochs', 1);
  if (!(typeof o.lr === 'number' && Number.isFinite(o.lr) && o.lr > 0)) fail(`lr must be a finite number > 0, got ${JSON.stringify(o.lr)}`);
  (['clip', 'weightDecay', 'momentum', 'lrGamma', 'minLr'] as const).forEach(nonNegative);
  if (o.optimizer !== 'sgd' && o.optimizer !== 'adam') fail(`optimizer must be 'sgd' or 'adam', got ${JSON.stringify(o.optimizer)}`);
  if (o.optimizer !== 'sgd' && o.momentum !== 0) fail(`momentum applies only to optimizer 'sgd', not '${o.optimizer}'`);
  if (o.sampling !== 'random' && o.sampling !== 'sequential') fail(`sampling must be 'random' or 'sequential', got ${JSON.stringify(o.sampling)}`);
  if (!(typeof o.validFraction === 'number' && o.validFraction >= 0 && o.validFraction < 1)) {
    fail(`validFraction must be in [0, 1), got ${JSON.stringify(o.validFraction)}`);
  }
  if (o.lrSchedule !== 'constant' && o.lrSchedule !== 'cosine' && o.lrSchedule !== 'step') {
    fail(`lrSchedule must be 'constant', 'cosine' or 'step', got ${JSON.stringify(o.lrSchedule)}`);
  }
  if (o.lrSchedule === 'cosine' && o.minLr > o.lr) fail(`minLr ${o.minLr} must not exceed lr ${o.lr}`);
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) fail(`seed must be an integer in [0, 2^32), got ${JSON.stringify(o.seed)}`);
  if (o.patience !== undefined) int('patience', 1);
  if (o.monitor !== undefined && !(typeof o.monitor === 'string' && o.monitor.length > 0)) fail(`monitor must be a metric name, got ${JSON.stringify(o.monitor)}`);
  return o;
}

export function makeOptimizer(params: readonly Tensor[], options: TrainOptions): Optimizer {
  if (options.optimizer === 'sgd') return new SGD(params, { lr: options.lr, momentum: options.momentum, weightDecay: options.weightDecay });
  return new Adam(params, { lr: options.lr, weightDecay: options.weightDecay });
}

/** The learning rate as a function of the (0-based) epoch; pure, so resuming only needs the epoch number. */
export function makeSchedule(options: TrainOptions): Schedule {
  if (options.lrSchedule === 'cosine') return cosineLR(options.lr, Math.max(1, options.epochs - 1), options.minLr);
  if (options.lrSchedule === 'step') return stepLR(options.lr, options.lrStepEpochs, options.lrGamma);
  return constantLR(options.lr);
}
