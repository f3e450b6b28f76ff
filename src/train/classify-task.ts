// Sequence classification as one task of the trainer: token ids of each text (its own length) -> SequenceClassifier
// -> logits over the C classes. An epoch is the training examples in a seeded random order, `batchSize` at a time,
// each batch padded to its longest row and run with `lengths` (pack_padded_sequence semantics); the loss is the
// cross-entropy, weighted by class when asked (L = Σ_b w_{y_b} ℓ_b / Σ_b w_{y_b}, PyTorch's weight=). Held-out
// metrics: the loss, accuracy (what early stopping watches by default), macro F1 and the confusion matrix.
// Shapes: a batch's ids (B, T) with T its longest row, lengths (B,), classes (B,); logits (B, C).
import { Random } from '../core/random.js';
import { Tensor } from '../core/tensor.js';
import { softmax } from '../core/ops/index.js';
import { padBatch, stratifiedSplit, type SequenceBatch } from '../data/labelled-encode.js';
import type { LabelSet } from '../data/labelled.js';
import type { TokenKind } from '../data/text.js';
import type { Vocab } from '../data/vocab.js';
import type { SequenceClassifier } from '../nn/sequence-models.js';
import type { DataInfo } from './forecast-task.js';
import { accuracy, confusionMatrix, macroF1 } from './metrics.js';
import type { TrainOptions } from './options.js';
import type { ClassifierConfig } from './sequence-config.js';
import { sequenceLossAndGrad } from './sequence-step.js';
import type { BatchLoss, MetricGoal, Task, TaskEpoch, TrainingSummary } from './task.js';
import { shuffledEpoch } from './shuffled-epoch.js';

/** Labelled sequences as the classifier takes them: one id sequence per example, its length and its class. */
export interface ClassifyData {
  ids: Int32Array[];
  lengths: Int32Array;
  classes: Int32Array;
}

/** How texts become ids and examples are split: what predict and eval need to treat new texts as the training ones. */
export interface ClassifySettings {
  tokens: TokenKind;
  lowercase: boolean;
  /** Tokens kept of each text. */
  maxLength: number;
  validFraction: number;
  testFraction: number;
  /** Seeds the stratified split. */
  splitSeed: number;
  /** Per-class weights of the loss, or null for none. */
  classWeights: number[] | null;
  /** Examples of each class in the training part: the majority-class baseline on any data. */
  classCounts: number[];
  /** The table columns the labels and texts came from (null: the built-in set or a folder per class). */
  labelColumn: string | null;
  textColumn: string | null;
}

export interface ClassifyInfo {
  config: ClassifierConfig;
  settings: ClassifySettings;
  labels: LabelSet;
  vocab: Vocab;
  data: DataInfo | null;
}

export interface ClassifyMetricsByEpoch {
  valLoss: number | null;
  valAccuracy: number | null;
  valMacroF1: number | null;
  sequencesPerSec: number;
}

export interface ClassifyEvaluation {
  loss: number;
  accuracy: number;
  macroF1: number;
  /** confusion[i][j]: examples of class i predicted as j. */
  confusion: number[][];
  predicted: Int32Array;
  /** (N, C) class probabilities. */
  probabilities: Float32Array;
}

const EVAL_BATCH = 256;

/** The padded batch of the examples at `rows`, in that order. */
function pad(data: ClassifyData, rows: readonly number[]): SequenceBatch {
  return padBatch({ ids: data.ids, lengths: data.lengths, truncated: 0 }, data.classes, rows);
}

/** The examples at `rows`. */
export function classifyRows(data: ClassifyData, rows: ArrayLike<number>): ClassifyData {
  const pick = Array.from(rows);
  return { ids: pick.map((i) => data.ids[i]!), lengths: Int32Array.from(pick, (i) => data.lengths[i]!), classes: Int32Array.from(pick, (i) => data.classes[i]!) };
}

export class ClassifyTask implements Task<ClassifyData, SequenceBatch, ClassifyMetricsByEpoch, ClassifyEvaluation> {
  readonly kind = 'classify' as const;
  readonly goals: Readonly<Record<string, MetricGoal>> = { valLoss: 'min', valAccuracy: 'max', valMacroF1: 'max' };
  readonly defaultMonitor = 'valAccuracy';

  constructor(readonly model: SequenceClassifier, readonly info: ClassifyInfo) {}

  get random(): Random {
    return this.model.rnn.random;
  }

  set random(random: Random) {
    this.model.rnn.random = random;
  }

  /** Stratified by class (seeded by the settings' splitSeed), so both parts keep the class proportions. */
  split(data: ClassifyData, validFraction: number): { train: ClassifyData; valid: ClassifyData | null } {
    if (validFraction === 0) return { train: data, valid: null };
    const parts = stratifiedSplit(data.classes, this.model.numClasses, { valid: validFraction, test: 0 }, new Random(this.info.settings.splitSeed));
    if (parts.valid.length === 0) throw new Error(`validFraction ${validFraction} of ${data.classes.length} examples leaves no validation example`);
    return { train: classifyRows(data, parts.train), valid: classifyRows(data, parts.valid) };
  }

  batches(data: ClassifyData, random: Random, options: TrainOptions): TaskEpoch<SequenceBatch> {
    return shuffledEpoch(data.classes.length, random, options.batchSize, (rows) => pad(data, rows));
  }

  startState(): null {
    return null;
  }

  lossAndGrad(batch: SequenceBatch): BatchLoss {
    const { loss } = sequenceLossAndGrad(this.model, this.tensors(batch), { classWeights: this.info.settings.classWeights });
    return { loss, items: batch.batchSize, carry: null };
  }

  private tensors(batch: SequenceBatch): { input: Tensor; lengths: Int32Array; targets: Tensor } {
    const { batchSize: B, numSteps: T } = batch;
    return { input: new Tensor(Float32Array.from(batch.ids), [B, T]), lengths: batch.lengths, targets: new Tensor(Float32Array.from(batch.classes), [B]) };
  }

  /**
   * Class probabilities and predictions of every example, in batches of similar lengths (less padding to run),
   * with the (class-weighted) mean loss, accuracy, macro F1 and the confusion matrix.
   */
  evaluate(data: ClassifyData): ClassifyEvaluation {
    const N = data.classes.length;
    if (N === 0) throw new Error('classify evaluation: no example to evaluate');
    const C = this.model.numClasses;
    const order = Array.from({ length: N }, (_, n) => n).sort((a, b) => data.lengths[a]! - data.lengths[b]! || a - b);
    const probabilities = new Float32Array(N * C);
    const weights = this.info.settings.classWeights;
    let lossSum = 0;
    let weightSum = 0;
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      for (let start = 0; start < N; start += EVAL_BATCH) {
        const rows = order.slice(start, start + EVAL_BATCH);
        const batch = pad(data, rows);
        const { loss, output } = sequenceLossAndGrad(this.model, this.tensors(batch), { classWeights: weights, backward: false });
        const p = softmax(output).data;
        rows.forEach((n, b) => probabilities.set(p.subarray(b * C, (b + 1) * C), n * C));
        // The batch's loss is its weighted mean: Σ w ℓ / Σ w; summed back so the whole set's mean weighs alike.
        const w = weights === null ? batch.batchSize : batch.classes.reduce((s, c) => s + weights[c]!, 0);
        lossSum += loss * w;
        weightSum += w;
      }
    } finally {
      this.model.train(wasTraining);
    }
    const predicted = Int32Array.from({ length: N }, (_, n) => argmaxRow(probabilities, n * C, C));
    return {
      loss: lossSum / weightSum,
      accuracy: accuracy(data.classes, predicted),
      macroF1: macroF1(data.classes, predicted, C),
      confusion: confusionMatrix(data.classes, predicted, C),
      predicted,
      probabilities,
    };
  }

  epochMetrics(train: TrainingSummary, valid: ClassifyEvaluation | null): ClassifyMetricsByEpoch {
    return { valLoss: valid?.loss ?? null, valAccuracy: valid?.accuracy ?? null, valMacroF1: valid?.macroF1 ?? null, sequencesPerSec: train.items / train.seconds };
  }

  carriedState(): null {
    return null;
  }

  checkpointMetadata(): Record<string, unknown> {
    const { config, settings, labels, vocab, data } = this.info;
    return { model: config, classify: settings, labels: labels.toJSON(), vocab: vocab.toJSON(), data };
  }
}

/** The first index of the largest value in row [offset, offset + C). */
export function argmaxRow(values: ArrayLike<number>, offset: number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}
