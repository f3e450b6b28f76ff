// Forecasting as one task of the trainer: windows of `window` past steps (all F features, scaled) predict the next
// `horizon` steps of the K target columns from one head (SequenceRegressor). An epoch is the training windows in
// a seeded random order, `batchSize` at a time (the last batch keeps the rest, as a PyTorch loop over a
// permutation does); the loss is mse | mae | huber on the scaled targets. Held-out metrics are in the data's own
// units, after the scaler's inverse: MAE of the first target, and MASE (MAE over the in-sample seasonal-naive MAE
// of the training rows) averaged over the targets, which is what early stopping watches by default.
// Shapes: windows x (N, T, F), y (N, horizon·K) step-major; a batch's input (B, T, F), targets (B, horizon, K).
import type { Random } from '../core/random.js';
import { Tensor } from '../core/tensor.js';
import type { FillMode } from '../data/series.js';
import type { DateStep } from '../data/series-dates.js';
import type { SeasonSource } from '../data/series-season.js';
import type { Scaler, Windows } from '../data/series-windows.js';
import type { SequenceRegressor } from '../nn/sequence-models.js';
import { forecastMetrics, type ForecastMetrics } from './metrics.js';
import type { TrainOptions } from './options.js';
import type { ForecasterConfig } from './sequence-config.js';
import { sequenceLossAndGrad, type RegressionLoss } from './sequence-step.js';
import type { BatchLoss, MetricGoal, Task, TaskEpoch, TrainingSummary } from './task.js';
import { shuffledEpoch } from './shuffled-epoch.js';

/** How the series was read and cut: what predict and eval need to treat new data exactly as the training data. */
export interface ForecastSettings {
  window: number;
  horizon: number;
  loss: RegressionLoss;
  /** Fractions of the rows held out, validation before test (both at the end, in time order). */
  validFraction: number;
  testFraction: number;
  /** The seasonal period of the baselines and MASE, and where it came from. */
  season: number;
  seasonSource: SeasonSource;
  /** The K targets, then the covariates: the model's input features in order. */
  columns: string[];
  targetCount: number;
  dateColumn: string | null;
  /** The step between rows, when the data had dates (for the dates of a forecast past the end). */
  dateStep: DateStep | null;
  fill: FillMode;
  /** MASE's denominator for each target: the in-sample seasonal-naive MAE on the training rows. */
  maseScale: number[];
}

/** Which data a run was trained on, so a resume or an eval can tell whether it is given the same. */
export interface DataInfo {
  source: string;
  /** Rows (series) or examples (labelled text). */
  count: number;
  /** FNV-1a of the data's values (see dataChecksum), 8 hex digits. */
  checksum: string;
}

export interface ForecastInfo {
  config: ForecasterConfig;
  settings: ForecastSettings;
  scaler: Scaler;
  data: DataInfo | null;
}

export interface ForecastMetricsByEpoch {
  /** The loss on the held-out windows (scaled units, as training's). */
  valLoss: number | null;
  /** MAE of the first target in its own units. */
  valMae: number | null;
  /** MASE averaged over the targets (each scaled by its own in-sample seasonal-naive MAE). */
  valMase: number | null;
  windowsPerSec: number;
}

export interface ForecastEvaluation {
  loss: number;
  /** Per target, in the data's units. */
  metrics: ForecastMetrics[];
  mae: number;
  mase: number;
  /** (N, horizon, K) forecasts in the data's units. */
  predictions: Float64Array;
  /** (N, horizon, K) the actual values, in the data's units. */
  truth: Float64Array;
}

/** The forecasts of many windows are computed this many at a time. */
const EVAL_BATCH = 256;

/** Windows n ∈ rows, copied into one batch. */
export function windowRows(data: Windows, rows: ArrayLike<number>): Windows {
  const { window: T, features: F, horizon, targets: K } = data;
  const x = new Float32Array(rows.length * T * F);
  const y = new Float32Array(rows.length * horizon * K);
  const origins = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const n = rows[k]!;
    x.set(data.x.subarray(n * T * F, (n + 1) * T * F), k * T * F);
    y.set(data.y.subarray(n * horizon * K, (n + 1) * horizon * K), k * horizon * K);
    origins[k] = data.origins[n]!;
  }
  return { ...data, x, y, origins, count: rows.length };
}

const range = (from: number, to: number): Int32Array => Int32Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);

export class ForecastTask implements Task<Windows, Windows, ForecastMetricsByEpoch, ForecastEvaluation> {
  readonly kind = 'forecast' as const;
  readonly goals: Readonly<Record<string, MetricGoal>> = { valLoss: 'min', valMae: 'min', valMase: 'min' };
  readonly defaultMonitor = 'valMase';

  constructor(readonly model: SequenceRegressor, readonly info: ForecastInfo) {}

  get random(): Random {
    return this.model.rnn.random;
  }

  set random(random: Random) {
    this.model.rnn.random = random;
  }

  /**
   * The last windows are held out. A training window's targets may not reach a held-out target row, so the
   * horizon - 1 windows before the boundary belong to neither part.
   */
  split(data: Windows, validFraction: number): { train: Windows; valid: Windows | null } {
    const held = Math.floor(data.count * validFraction);
    if (held === 0) return { train: data, valid: null };
    const trainEnd = data.count - held - (data.horizon - 1);
    if (trainEnd < 1) throw new Error(`validFraction ${validFraction} of ${data.count} windows leaves no training window`);
    return { train: windowRows(data, range(0, trainEnd)), valid: windowRows(data, range(data.count - held, data.count)) };
  }

  batches(data: Windows, random: Random, options: TrainOptions): TaskEpoch<Windows> {
    return shuffledEpoch(data.count, random, options.batchSize, (rows) => windowRows(data, rows));
  }

  startState(): null {
    return null;
  }

  lossAndGrad(batch: Windows): BatchLoss {
    const { loss } = sequenceLossAndGrad(this.model, this.tensors(batch), { loss: this.info.settings.loss });
    return { loss, items: batch.count, carry: null };
  }

  private tensors(batch: Windows): { input: Tensor; targets: Tensor } {
    const { count: B, window: T, features: F, horizon, targets: K } = batch;
    return { input: new Tensor(batch.x, [B, T, F]), targets: new Tensor(batch.y, [B, horizon, K]) };
  }

  /** Forecasts of every window in the data's units, the loss on the scaled ones, and the metrics per target. */
  evaluate(data: Windows): ForecastEvaluation {
    if (data.count === 0) throw new Error('forecast evaluation: no window to evaluate');
    const { horizon, targets: K } = data;
    const wasTraining = this.model.training;
    this.model.eval();
    const scaled = new Float32Array(data.count * horizon * K);
    let lossSum = 0;
    try {
      for (let start = 0; start < data.count; start += EVAL_BATCH) {
        const batch = windowRows(data, range(start, Math.min(data.count, start + EVAL_BATCH)));
        const { loss, output } = sequenceLossAndGrad(this.model, this.tensors(batch), { loss: this.info.settings.loss, backward: false });
        scaled.set(output.data, start * horizon * K);
        lossSum += loss * batch.count;
      }
    } finally {
      this.model.train(wasTraining);
    }
    const { scaler, settings } = this.info;
    const predictions = scaler.inverseTargets(scaled, K);
    const truth = scaler.inverseTargets(data.y, K);
    const metrics = Array.from({ length: K }, (_, k) => {
      const pick = (xs: Float64Array): Float64Array => xs.filter((_, j) => j % K === k);
      return forecastMetrics(pick(truth), pick(predictions), settings.maseScale[k]!);
    });
    const mase = metrics.reduce((s, m) => s + m.mase, 0) / K;
    return { loss: lossSum / data.count, metrics, mae: metrics[0]!.mae, mase, predictions, truth };
  }

  epochMetrics(train: TrainingSummary, valid: ForecastEvaluation | null): ForecastMetricsByEpoch {
    return { valLoss: valid?.loss ?? null, valMae: valid?.mae ?? null, valMase: valid?.mase ?? null, windowsPerSec: train.items / train.seconds };
  }

  carriedState(): null {
    return null;
  }

  checkpointMetadata(): Record<string, unknown> {
    const { config, settings, scaler, data } = this.info;
    return { model: config, forecast: settings, scaler: scaler.toJSON(), data };
  }
}
