// The training loop of d2l's train_ch8, for any task (task.ts): epochs of minibatches, each step zero grads ->
// the task's lossAndGrad -> stop on NaN/Inf -> clip -> optimizer step. The epoch's loss is Σ l_i·n_i / Σ n_i over
// its minibatches (l_i the mean loss per item of minibatch i, n_i its item count; for a language model the mean
// cross-entropy per token, whose exp is d2l's perplexity). Every source of randomness (minibatch order, dropout
// masks) is a seeded Random whose state `snapshot()` exports, so a checkpoint resumes bit for bit. Optionally the
// run stops early once the watched validation metric has not improved for `patience` epochs.
import { Tensor } from '../core/tensor.js';
import { Random } from '../core/random.js';
import { MAX_STATE, MAX_WEIGHT } from '../core/limits.js';
import { firstOutOfBounds } from '../io/tensor-spec.js';
import { RNNModel } from '../nn/rnn-model.js';
import { clipGradNorm, gradNorm, hasNonFinite } from '../optim/clip.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { applySchedule, type Schedule } from '../optim/schedule.js';
import { bestEpochIndex, epochsWithoutImprovement, type Monitor } from './early-stopping.js';
import { LanguageModelTask, type LanguageModelMetrics } from './lm-task.js';
import { makeOptimizer, makeSchedule, resolveTrainOptions, type TrainOptions } from './options.js';
import type { AnyTask, DataOf, MetricsOf, TaskEpoch } from './task.js';

/** What every epoch reports, whatever the task. */
export interface EpochBase {
  /** 1-based. */
  epoch: number;
  /** Mean training loss per item over the epoch (item-weighted): cross-entropy per token for a language model. */
  loss: number;
}

/** An epoch's numbers: the common ones, the task's metrics, then the time and learning rate. */
export type EpochStats<M extends object = LanguageModelMetrics> = EpochBase & M & {
  /** Training time of the epoch (validation excluded), summed over interruptions. */
  seconds: number;
  lr: number;
};

export interface BatchInfo {
  epoch: number;
  /** 1-based index within the epoch. */
  batch: number;
  numBatches: number;
  /** Optimizer steps taken so far, this one included. */
  step: number;
  loss: number;
  /** Items (tokens for a language model) per second over the epoch so far. */
  itemsPerSec: number;
}

export interface FitControls<M extends object = LanguageModelMetrics> {
  onBatch?: (info: BatchInfo) => void;
  /** Awaited, so a caller can save a checkpoint here before the next epoch starts. */
  onEpoch?: (stats: EpochStats<M>) => void | Promise<void>;
  /** Stops after the current minibatch; the trainer's snapshot then resumes mid-epoch. */
  signal?: AbortSignal;
  /** Wall-clock budget of this fit() call, checked after each minibatch. */
  maxSeconds?: number;
  /** Run at most this many (more) epochs in this call. */
  maxEpochs?: number;
}

/** 'earlyStopped': `patience` epochs went by without improving the watched metric. */
export type StopReason = 'completed' | 'earlyStopped' | 'maxEpochs' | 'maxSeconds' | 'aborted';

export interface FitResult<M extends object = LanguageModelMetrics> {
  stopReason: StopReason;
  /** Epochs completed in this call. */
  epochs: Array<EpochStats<M>>;
}

/** Everything about a run's position that is not a tensor; JSON-serialisable. */
export interface TrainerProgress<M extends object = LanguageModelMetrics> {
  /** Completed epochs. */
  epoch: number;
  /** Optimizer steps taken in total. */
  step: number;
  /** Minibatches done in the unfinished epoch; 0 at an epoch boundary. */
  batch: number;
  history: Array<EpochStats<M>>;
  options: TrainOptions;
  /** Generator states: `data` as of the start of the unfinished (or next) epoch, `dropout` as of now. */
  random: { data: number[]; dropout: number[] };
  /** Running sums of the unfinished epoch (`tokens` counts the task's items); null at an epoch boundary. */
  partial: { lossSum: number; tokens: number; seconds: number } | null;
}

export interface TrainerSnapshot<M extends object = LanguageModelMetrics> {
  progress: TrainerProgress<M>;
  optimizer: OptimizerState;
  /** The state carried into the next minibatch (a language model's sequential sampling, mid-epoch), else null. */
  carried: Tensor[] | null;
}

export class TrainingDivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly batch: number,
    readonly numBatches: number,
    readonly reason: string,
    lr: number,
    clip: number,
    /** True when the check came after the update: the weights in memory hold the bad values (no save will take them). */
    applied = false,
  ) {
    const advice = `lower the learning rate (lr ${lr})${clip > 0 ? '' : ' or turn on gradient clipping'}`;
    const step_ = applied ? 'the weights in memory are not saved' : 'the step was not applied';
    super(`training diverged at epoch ${epoch}, step ${step} (batch ${batch} of ${numBatches}): ${reason}; ${step_}; ${advice}`);
    this.name = 'TrainingDivergedError';
  }
}

const now = (): number => performance.now();

/** Lets timers and signal handlers (Ctrl-C -> abort) run between minibatches. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

export class Trainer<T extends AnyTask = LanguageModelTask> {
  readonly task: T;
  readonly options: TrainOptions;
  readonly optimizer: Optimizer;
  readonly history: Array<EpochStats<MetricsOf<T>>>;
  /** What early stopping and the best checkpoint watch. */
  readonly monitor: Monitor;
  epoch: number;
  step: number;
  batch: number;
  private readonly schedule: Schedule;
  private dataRandom: Random;
  private epochStartData: number[];
  private carried: Tensor[] | null = null;
  private partial: TrainerProgress['partial'];

  /** A fresh run (reseeding the model's dropout generator from options.seed), or the continuation of `resume`. */
  constructor(task: T, options?: Partial<TrainOptions>, resume?: TrainerSnapshot<MetricsOf<T>>);
  /** A bare RNNModel is trained as a language model. */
  constructor(model: RNNModel, options?: Partial<TrainOptions>, resume?: TrainerSnapshot);
  constructor(task: T | RNNModel, options: Partial<TrainOptions> = {}, resume?: TrainerSnapshot<MetricsOf<T>>) {
    this.task = (task instanceof RNNModel ? new LanguageModelTask(task) : task) as T;
    this.options = resolveTrainOptions(resume?.progress.options ?? options);
    this.monitor = monitorOf(this.task, this.options);
    this.optimizer = makeOptimizer(this.task.model.parameters(), this.options);
    this.schedule = makeSchedule(this.options);
    if (resume === undefined) {
      this.history = [];
      this.epoch = this.step = this.batch = 0;
      this.partial = null;
      this.dataRandom = new Random(this.options.seed);
      this.task.random = new Random((this.options.seed ^ 0x5851f42d) >>> 0);
    } else {
      const p = resume.progress;
      this.optimizer.loadStateDict(resume.optimizer);
      this.history = p.history.map((s) => ({ ...s }));
      ({ epoch: this.epoch, step: this.step, batch: this.batch } = p);
      this.partial = p.partial === null ? null : { ...p.partial };
      this.dataRandom = Random.fromState(p.random.data);
      this.task.random = Random.fromState(p.random.dropout);
      this.carried = resume.carried;
      if (p.batch > 0 && this.task.carriedState(this.options) !== null && this.carried === null) {
        throw new Error('Trainer: resuming mid-epoch needs the state carried between its minibatches (sequential sampling), and the snapshot has none');
      }
    }
    this.epochStartData = this.dataRandom.state();
  }

  /** The model the task trains. */
  get model(): T['model'] {
    return this.task.model;
  }

  /** True once `options.epochs` epochs are done, or early stopping has ended the run. */
  get finished(): boolean {
    return this.epoch >= this.options.epochs || this.stoppedEarly;
  }

  /** True once `options.patience` epochs in a row have not improved the watched metric. */
  get stoppedEarly(): boolean {
    const { patience } = this.options;
    return patience !== undefined && this.history.length > 0 && epochsWithoutImprovement(this.history, this.monitor) >= patience;
  }

  /** The best epoch so far by the watched metric (the first of equals), or null before any. */
  get best(): EpochStats<MetricsOf<T>> | null {
    return this.history[bestEpochIndex(this.history, this.monitor)] ?? null;
  }

  /** Splits the data by options.validFraction into training and held-out parts, as the task splits (a text: its tail). */
  split(data: DataOf<T>): { train: DataOf<T>; valid: DataOf<T> | null } {
    return this.task.split(data, this.options.validFraction);
  }

  /** Refuses to watch a validation metric without validation data, before any time is spent. */
  checkMonitor(hasValidation: boolean): void {
    const { metric } = this.monitor;
    if (!hasValidation && metric.startsWith('val')) {
      throw new Error(`${this.options.patience === undefined ? 'keeping the best checkpoint' : `patience ${this.options.patience}`} watches ${metric}, which needs validation data (validFraction > 0)`);
    }
  }

  /** Trains until `options.epochs` epochs are done or a control stops it; throws TrainingDivergedError on NaN/Inf. */
  async fit(train: DataOf<T>, valid: DataOf<T> | null = null, controls: FitControls<MetricsOf<T>> = {}): Promise<FitResult<MetricsOf<T>>> {
    if (this.options.patience !== undefined) this.checkMonitor(valid !== null);
    const started = now();
    const done: Array<EpochStats<MetricsOf<T>>> = [];
    const interruption = (): StopReason | null => {
      if (controls.signal?.aborted) return 'aborted';
      if (controls.maxSeconds !== undefined && (now() - started) / 1000 >= controls.maxSeconds) return 'maxSeconds';
      return null;
    };
    while (!this.finished) {
      if (controls.maxEpochs !== undefined && done.length >= controls.maxEpochs) return { stopReason: 'maxEpochs', epochs: done };
      const early = interruption();
      if (early !== null) return { stopReason: early, epochs: done };
      const lr = applySchedule(this.optimizer, this.schedule, this.epoch);
      // Re-drawing the epoch from its starting generator state and skipping the batches already done is what
      // lets an interrupted epoch resume exactly.
      this.epochStartData = this.dataRandom.state();
      const batches = this.task.batches(train, this.dataRandom, this.options);
      if (this.batch > 0 && this.batch >= batches.numBatches) {
        this.rewindEpoch();
        throw new Error(`cannot resume at minibatch ${this.batch + 1} of epoch ${this.epoch + 1}: this data gives the epoch only ${batches.numBatches} minibatches`);
      }
      const partial = (this.partial ??= { lossSum: 0, tokens: 0, seconds: 0 });
      const segmentStart = now();
      let stop: StopReason | null;
      try {
        stop = await this.runMinibatches(batches, lr, segmentStart, controls, interruption);
      } catch (err) {
        this.rewindEpoch();
        throw err;
      }
      partial.seconds += (now() - segmentStart) / 1000;
      if (stop !== null) {
        this.rewindEpoch();
        return { stopReason: stop, epochs: done };
      }
      const { seconds } = partial;
      const loss = partial.lossSum / partial.tokens;
      const evaluation = valid === null ? null : this.task.evaluate(valid, this.options);
      const metrics = this.task.epochMetrics({ loss, items: partial.tokens, seconds }, evaluation) as MetricsOf<T>;
      const stats = { epoch: this.epoch + 1, loss, ...metrics, seconds, lr } as EpochStats<MetricsOf<T>>;
      this.history.push(stats);
      done.push(stats);
      this.epoch++;
      this.batch = 0;
      this.carried = null;
      this.partial = null;
      await controls.onEpoch?.(stats);
    }
    return { stopReason: this.epoch >= this.options.epochs ? 'completed' : 'earlyStopped', epochs: done };
  }

  /**
   * The current epoch's minibatches from `this.batch` on; returns why it stopped early, or null at the epoch's end.
   * Per step: zero grads, forward/backward, refuse NaN/Inf, clip, update.
   */
  private async runMinibatches(
    batches: TaskEpoch<unknown>, lr: number, segmentStart: number, controls: FitControls<MetricsOf<T>>, interruption: () => StopReason | null,
  ): Promise<StopReason | null> {
    const { clip } = this.options;
    const { task } = this;
    const params = task.model.parameters();
    const partial = this.partial!;
    const { numBatches } = batches;
    const iterator = batches[Symbol.iterator]();
    for (let k = 0; k < this.batch; k++) iterator.next();
    let lastYield = now();
    task.model.train();
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
      const state = task.startState(this.carried, this.options);
      const dropoutBefore = task.random.state();
      this.optimizer.zeroGrad(false);
      const { loss, items, carry } = task.lossAndGrad(next.value, state, this.options);
      // One pass over the gradients serves the check and the clip: a NaN or Infinity among them makes the norm
      // non-finite, and only then (rare) are they searched entry by entry.
      const norm = gradNorm(params);
      const diverged = !Number.isFinite(norm) && hasNonFinite(params);
      const reason = !Number.isFinite(loss) ? `the loss is ${loss}` : diverged ? 'the gradients contain NaN or Infinity' : null;
      if (reason !== null) {
        // Leave no trace of the refused step: not in the weights, the counters, nor the dropout stream.
        task.random = Random.fromState(dropoutBefore);
        throw new TrainingDivergedError(this.epoch + 1, this.step + 1, this.batch + 1, numBatches, reason, lr, clip);
      }
      if (clip > 0) clipGradNorm(params, clip, norm);
      this.optimizer.step();
      // The update kernels measured what they wrote: a NaN, an Inf or a value past its bound in the weights or the
      // optimizer state stops the run here, before any checkpoint could take it (rare, so the search is slow).
      if (!(this.optimizer.boundRatio <= 1)) {
        throw new TrainingDivergedError(this.epoch + 1, this.step + 1, this.batch + 1, numBatches, `after the update, ${this.outOfBounds()}`, lr, clip, true);
      }
      this.step++;
      this.batch++;
      this.carried = carry;
      partial.lossSum += loss * items;
      partial.tokens += items;
      const seconds = partial.seconds + (now() - segmentStart) / 1000;
      controls.onBatch?.({ epoch: this.epoch + 1, batch: this.batch, numBatches, step: this.step, loss, itemsPerSec: partial.tokens / seconds });
      if (now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = now();
      }
      const stop = this.batch < numBatches ? interruption() : null;
      if (stop !== null) return stop;
    }
    return null;
  }

  /** Which weight or optimizer buffer left its bound, for the divergence message. */
  private outOfBounds(): string {
    const weights = firstOutOfBounds(this.model.namedParameters().map(([n, p]) => [n, p.data] as const), { bound: MAX_WEIGHT, role: 'weight' });
    const buffers = Object.entries(this.optimizer.stateDict().buffers).map(([n, b]) => [`optimizer buffer ${n}`, b] as const);
    return weights ?? firstOutOfBounds(buffers, { bound: MAX_STATE, role: 'optimizer state' }) ?? 'a value past its bound';
  }

  /** Back to the generator state this epoch was drawn from, so the next fit() re-draws the same epoch and skips ahead. */
  private rewindEpoch(): void {
    this.dataRandom = Random.fromState(this.epochStartData);
  }

  /** Copies of everything needed to continue this run later (see checkpoint.ts). */
  snapshot(): TrainerSnapshot<MetricsOf<T>> {
    const carried = this.carried === null ? null : this.carried.map((t) => new Tensor(t.data.slice(), t.shape));
    return {
      progress: {
        epoch: this.epoch,
        step: this.step,
        batch: this.batch,
        history: this.history.map((s) => ({ ...s })),
        options: { ...this.options },
        random: { data: this.batch === 0 ? this.dataRandom.state() : [...this.epochStartData], dropout: this.task.random.state() },
        partial: this.partial === null ? null : { ...this.partial },
      },
      optimizer: this.optimizer.stateDict(),
      carried,
    };
  }
}

/** The watched metric: the options' or the task's default, which must be `loss` or one of the task's goals. */
function monitorOf(task: AnyTask, options: TrainOptions): Monitor {
  const metric = options.monitor ?? task.defaultMonitor;
  if (metric === 'loss') return { metric, goal: 'min' };
  // Own keys only: a name from a checkpoint ("constructor", "__proto__") must not find the prototype's.
  const goal = Object.hasOwn(task.goals, metric) ? task.goals[metric] : undefined;
  if (goal === undefined) {
    throw new Error(`training options: monitor ${JSON.stringify(metric)} is not a metric of the ${task.kind} task (it has loss, ${Object.keys(task.goals).join(', ')})`);
  }
  return { metric, goal };
}
