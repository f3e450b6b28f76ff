// Language modelling as one task of the trainer: d2l's train_ch8. An epoch is random or sequential minibatches of
// token ids (d2l 8.3); the loss is the mean cross-entropy per token, L = -(1/(B·T)) Σ log softmax(logits)[y];
// sequential sampling carries each batch's final state (detached) into the next, random sampling starts every
// batch from zeros; the epoch reports perplexity exp(L) and held-out perplexity. The checkpoint keeps the model
// config, the text settings and the vocabulary (and which tokens the run saw).
import type { Random } from '../core/random.js';
import { Tensor } from '../core/tensor.js';
import { makeBatches, splitCorpus, type Batch } from '../data/batches.js';
import type { Vocab } from '../data/vocab.js';
import type { State } from '../nn/cell.js';
import type { RNNModel } from '../nn/rnn-model.js';
import type { CorpusInfo } from './checkpoint.js';
import type { ResolvedTextSettings } from './corpus.js';
import type { ModelConfig } from './model-config.js';
import type { TrainOptions } from './options.js';
import { evaluateLoss, lossAndGrad, type Evaluation } from './step.js';
import type { BatchLoss, MetricGoal, Task, TaskEpoch, TrainingSummary } from './task.js';

export interface LanguageModelMetrics {
  /** exp(loss), as d2l reports it. */
  perplexity: number;
  /** Perplexity on the held-out tail; null without a validation split. */
  valPerplexity: number | null;
  tokensPerSec: number;
}

/** The metrics each epoch reports, by name (what a checkpoint's training history must hold). */
export const LANGUAGE_MODEL_METRICS: ReadonlyArray<keyof LanguageModelMetrics> = ['perplexity', 'valPerplexity', 'tokensPerSec'];

/** What a language-model checkpoint records besides the weights. */
export interface LanguageModelInfo {
  config: ModelConfig;
  text: ResolvedTextSettings;
  vocab: Vocab;
  corpus?: CorpusInfo | null;
}

const asList = (state: State): Tensor[] => (state instanceof Tensor ? [state] : state);

export class LanguageModelTask<S extends State = State> implements Task<Int32Array, Batch, LanguageModelMetrics, Evaluation> {
  readonly kind = 'language-model' as const;
  readonly goals: Readonly<Record<string, MetricGoal>> = { perplexity: 'min', valPerplexity: 'min' };
  readonly defaultMonitor = 'valPerplexity';

  /** `info` is needed only to write a checkpoint; training needs the model alone. */
  constructor(readonly model: RNNModel<S>, readonly info: LanguageModelInfo | null = null) {}

  get random(): Random {
    return this.model.rnn.random;
  }

  set random(random: Random) {
    this.model.rnn.random = random;
  }

  /** The tail of the text is validation text (at least 2 tokens: one to read, one to predict). */
  split(ids: Int32Array, validFraction: number): { train: Int32Array; valid: Int32Array | null } {
    if (validFraction === 0) return { train: ids, valid: null };
    const { train, valid } = splitCorpus(ids, validFraction);
    if (valid.length < 2) {
      throw new Error(`validFraction ${validFraction} of ${ids.length} tokens leaves ${valid.length} validation token(s); need at least 2`);
    }
    return { train, valid };
  }

  batches(ids: Int32Array, random: Random, options: TrainOptions): TaskEpoch<Batch> {
    return makeBatches(options.sampling, ids, options.batchSize, options.numSteps, random);
  }

  /** d2l: a fresh state for every random minibatch, and at the first minibatch of each sequential epoch. */
  startState(carried: Tensor[] | null, options: TrainOptions): Tensor[] {
    return options.sampling === 'random' || carried === null ? asList(this.model.beginState(options.batchSize)) : carried;
  }

  lossAndGrad(batch: Batch, state: Tensor[] | null, options: TrainOptions): BatchLoss {
    const start = state === null ? undefined : ((state.length === 1 ? state[0]! : state) as S);
    const { loss, state: next } = lossAndGrad(this.model, batch, start);
    return { loss, items: batch.x.length, carry: options.sampling === 'sequential' ? asList(next) : null };
  }

  evaluate(ids: Int32Array, options: TrainOptions): Evaluation {
    return evaluateLoss(this.model, ids, { batchSize: options.batchSize, numSteps: options.numSteps });
  }

  epochMetrics(train: TrainingSummary, valid: Evaluation | null): LanguageModelMetrics {
    return { perplexity: Math.exp(train.loss), valPerplexity: valid === null ? null : valid.perplexity, tokensPerSec: train.items / train.seconds };
  }

  /** Sequential sampling carries (h[, c]), each (D·L, B, H); random sampling carries nothing. */
  carriedState(options: TrainOptions): { names: readonly string[]; shape: number[] } | null {
    if (options.sampling !== 'sequential') return null;
    const { rnn } = this.model;
    return { names: rnn.stateNames, shape: [rnn.numDirections * rnn.numLayers, options.batchSize, rnn.hiddenSize] };
  }

  checkpointMetadata(): Record<string, unknown> {
    if (this.info === null) throw new Error('a language-model checkpoint needs the model config, text settings and vocabulary (see saveCheckpoint)');
    const { config, text, vocab, corpus } = this.info;
    return { model: config, text, vocab: vocab.toJSON(), corpus: corpus ?? null };
  }
}
