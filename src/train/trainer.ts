// The training loop of d2l's train_ch8: epochs of minibatches, each step zero grads -> lossAndGrad -> stop on
// NaN/Inf -> clip -> optimizer step. Epoch perplexity is d2l's exp(Σ l_i·n_i / Σ n_i) over its minibatches
// (l_i the mean CE per token of minibatch i, n_i its token count). Every source of randomness (minibatch order,
// dropout masks) is a seeded Random whose state `snapshot()` exports, so a checkpoint resumes bit for bit.
import { Tensor } from '../core/tensor.js';
import { Random } from '../core/random.js';
import { makeBatches, splitCorpus, type BatchEpoch } from '../data/batches.js';
import type { State } from '../nn/cell.js';
import type { RNNModel } from '../nn/rnn-model.js';
import { MAX_STATE, MAX_WEIGHT } from '../core/limits.js';
import { firstOutOfBounds } from '../io/tensor-spec.js';
import { clipGradNorm, gradNorm, hasNonFinite } from '../optim/clip.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { applySchedule, type Schedule } from '../optim/schedule.js';
import { makeOptimizer, makeSchedule, resolveTrainOptions, type TrainOptions } from './options.js';
import { evaluateLoss, lossAndGrad } from './step.js';

export interface EpochStats {
  /** 1-based. */
  epoch: number;
  /** Mean cross-entropy per token over the epoch (token-weighted). */
  loss: number;
  /** exp(loss), as d2l reports it. */
  perplexity: number;
  /** Perplexity on the held-out tail; null without a validation split. */
  valPerplexity: number | null;
  tokensPerSec: number;
  /** Training time of the epoch (validation excluded), summed over interruptions. */
  seconds: number;
  lr: number;
}

export interface BatchInfo {
  epoch: number;
  /** 1-based index within the epoch. */
  batch: number;
  numBatches: number;
  /** Optimizer steps taken so far, this one included. */
  step: number;
  loss: number;
  tokensPerSec: number;
}

export interface FitControls {
  onBatch?: (info: BatchInfo) => void;
  /** Awaited, so a caller can save a checkpoint here before the next epoch starts. */
  onEpoch?: (stats: EpochStats) => void | Promise<void>;
  /** Stops after the current minibatch; the trainer's snapshot then resumes mid-epoch. */
  signal?: AbortSignal;
  /** Wall-clock budget of this fit() call, checked after each minibatch. */
  maxSeconds?: number;
  /** Run at most this many (more) epochs in this call. */
  maxEpochs?: number;
}

export type StopReason = 'completed' | 'maxEpochs' | 'maxSeconds' | 'aborted';

export interface FitResult {
  stopReason: StopReason;
  /** Epochs completed in this call. */
  epochs: EpochStats[];
}

/** Everything about a run's position that is not a tensor; JSON-serialisable. */
export interface TrainerProgress {
  /** Completed epochs. */
  epoch: number;
  /** Optimizer steps taken in total. */
  step: number;
  /** Minibatches done in the unfinished epoch; 0 at an epoch boundary. */
  batch: number;
  history: EpochStats[];
  options: TrainOptions;
  /** Generator states: `data` as of the start of the unfinished (or next) epoch, `dropout` as of now. */
  random: { data: number[]; dropout: number[] };
  /** Running sums of the unfinished epoch; null at an epoch boundary. */
  partial: { lossSum: number; tokens: number; seconds: number } | null;
}

export interface TrainerSnapshot {
  progress: TrainerProgress;
  optimizer: OptimizerState;
  /** The hidden state carried into the next minibatch (sequential sampling, mid-epoch), else null. */
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

export class Trainer<S extends State = State> {
  readonly model: RNNModel<S>;
  readonly options: TrainOptions;
  readonly optimizer: Optimizer;
  readonly history: EpochStats[];
  epoch: number;
  step: number;
  batch: number;
  private readonly schedule: Schedule;
  private dataRandom: Random;
  private epochStartData: number[];
  private carried: S | null = null;
  private partial: TrainerProgress['partial'];

  /** A fresh run (reseeding the model's dropout generator from options.seed), or the continuation of `resume`. */
  constructor(model: RNNModel<S>, options: Partial<TrainOptions> = {}, resume?: TrainerSnapshot) {
    this.model = model;
    this.options = resolveTrainOptions(resume?.progress.options ?? options);
    this.optimizer = makeOptimizer(model.parameters(), this.options);
    this.schedule = makeSchedule(this.options);
    if (resume === undefined) {
      this.history = [];
      this.epoch = this.step = this.batch = 0;
      this.partial = null;
      this.dataRandom = new Random(this.options.seed);
      model.rnn.random = new Random((this.options.seed ^ 0x5851f42d) >>> 0);
    } else {
      const p = resume.progress;
      this.optimizer.loadStateDict(resume.optimizer);
      this.history = p.history.map((s) => ({ ...s }));
      ({ epoch: this.epoch, step: this.step, batch: this.batch } = p);
      this.partial = p.partial === null ? null : { ...p.partial };
      this.dataRandom = Random.fromState(p.random.data);
      model.rnn.random = Random.fromState(p.random.dropout);
      if (resume.carried !== null) this.carried = (resume.carried.length === 1 ? resume.carried[0]! : resume.carried) as S;
      if (p.batch > 0 && this.options.sampling === 'sequential' && this.carried === null) {
        throw new Error('Trainer: resuming mid-epoch with sequential sampling needs the carried hidden state, and the snapshot has none');
      }
    }
    this.epochStartData = this.dataRandom.state();
  }

  /** True once `options.epochs` epochs are done. */
  get finished(): boolean {
    return this.epoch >= this.options.epochs;
  }

  /** Splits ids by options.validFraction: the tail is validation text (null when the fraction is 0). */
  split(ids: Int32Array): { train: Int32Array; valid: Int32Array | null } {
    if (this.options.validFraction === 0) return { train: ids, valid: null };
    const { train, valid } = splitCorpus(ids, this.options.validFraction);
    if (valid.length < 2) {
      throw new Error(`validFraction ${this.options.validFraction} of ${ids.length} tokens leaves ${valid.length} validation token(s); need at least 2`);
    }
    return { train, valid };
  }

  /** Trains until `options.epochs` epochs are done or a control stops it; throws TrainingDivergedError on NaN/Inf. */
  async fit(train: Int32Array, valid: Int32Array | null = null, controls: FitControls = {}): Promise<FitResult> {
    const { batchSize, numSteps, sampling } = this.options;
    const started = now();
    const done: EpochStats[] = [];
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
      const batches = makeBatches(sampling, train, batchSize, numSteps, this.dataRandom);
      if (this.batch > 0 && this.batch >= batches.numBatches) {
        this.rewindEpoch();
        throw new Error(`cannot resume at minibatch ${this.batch + 1} of epoch ${this.epoch + 1}: this text gives the epoch only ${batches.numBatches} minibatches`);
      }
      for (let k = 0; k < this.batch; k++) batches.next();
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
      const seconds = partial.seconds;
      const meanLoss = partial.lossSum / partial.tokens;
      const valPerplexity = valid === null ? null : evaluateLoss(this.model, valid, { batchSize, numSteps }).perplexity;
      const stats: EpochStats = {
        epoch: this.epoch + 1,
        loss: meanLoss,
        perplexity: Math.exp(meanLoss),
        valPerplexity,
        tokensPerSec: partial.tokens / seconds,
        seconds,
        lr,
      };
      this.history.push(stats);
      done.push(stats);
      this.epoch++;
      this.batch = 0;
      this.carried = null;
      this.partial = null;
      await controls.onEpoch?.(stats);
    }
    return { stopReason: 'completed', epochs: done };
  }

  /**
   * The current epoch's minibatches from `this.batch` on; returns why it stopped early, or null at the epoch's end.
   * Per step: zero grads, forward/backward, refuse NaN/Inf, clip, update.
   */
  private async runMinibatches(batches: BatchEpoch, lr: number, segmentStart: number, controls: FitControls, interruption: () => StopReason | null): Promise<StopReason | null> {
    const { batchSize, sampling, clip } = this.options;
    const params = this.model.parameters();
    const partial = this.partial!;
    const { numBatches } = batches;
    let lastYield = now();
    this.model.train();
    for (const batch of batches) {
      // d2l: a fresh state for every random minibatch, and at the first minibatch of each sequential epoch.
      const state = sampling === 'random' || this.carried === null ? this.model.beginState(batchSize) : this.carried;
      const dropoutBefore = this.model.rnn.random.state();
      this.optimizer.zeroGrad(false);
      const { loss, state: next } = lossAndGrad(this.model, batch, state);
      // One pass over the gradients serves the check and the clip: a NaN or Infinity among them makes the norm
      // non-finite, and only then (rare) are they searched entry by entry.
      const norm = gradNorm(params);
      const diverged = !Number.isFinite(norm) && hasNonFinite(params);
      const reason = !Number.isFinite(loss) ? `the loss is ${loss}` : diverged ? 'the gradients contain NaN or Infinity' : null;
      if (reason !== null) {
        // Leave no trace of the refused step: not in the weights, the counters, nor the dropout stream.
        this.model.rnn.random = Random.fromState(dropoutBefore);
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
      this.carried = sampling === 'sequential' ? next : null;
      const tokens = batch.x.length;
      partial.lossSum += loss * tokens;
      partial.tokens += tokens;
      const seconds = partial.seconds + (now() - segmentStart) / 1000;
      controls.onBatch?.({ epoch: this.epoch + 1, batch: this.batch, numBatches, step: this.step, loss, tokensPerSec: partial.tokens / seconds });
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
  snapshot(): TrainerSnapshot {
    const parts: Tensor[] | null = this.carried === null ? null : this.carried instanceof Tensor ? [this.carried] : (this.carried as Tensor[]);
    const carried = parts === null ? null : parts.map((t) => new Tensor(t.data.slice(), t.shape));
    return {
      progress: {
        epoch: this.epoch,
        step: this.step,
        batch: this.batch,
        history: this.history.map((s) => ({ ...s })),
        options: { ...this.options },
        random: { data: this.batch === 0 ? this.dataRandom.state() : [...this.epochStartData], dropout: this.model.rnn.random.state() },
        partial: this.partial === null ? null : { ...this.partial },
      },
      optimizer: this.optimizer.stateDict(),
      carried,
    };
  }
}
