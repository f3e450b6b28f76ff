// Forecasting from code, start to finish: `trainForecaster(series, options)` splits the series in time, scales it
// on the training rows, trains a SequenceRegressor on its windows and reports the test metrics beside the naive
// and seasonal-naive baselines; `resumeForecaster` continues a saved run exactly; `forecastReport` measures a
// trained forecaster on any part of a series; `forecastNext` forecasts past the end of the data, with dates where
// the data had them. Nothing here needs Node unless a checkpoint path is given, so a page or a Web Worker can run
// it as it is (parseSeries gives the series from a CSV's text; encodeTaskCheckpoint the checkpoint's bytes).
import { Tensor } from '../core/tensor.js';
import { seriesColumn, seriesFromTable, type FillMode, type Series } from '../data/series.js';
import { dateStep, futureDates } from '../data/series-dates.js';
import { prepareForecastData, type ForecastData } from '../data/series-prepare.js';
import { chronologicalSplit, lastWindow, makeWindows, windowOrigins, type SeriesPart, type Windows } from '../data/series-windows.js';
import type { Table } from '../data/table.js';
import { loadTaskCheckpoint, type TaskCheckpoint } from './checkpoint.js';
import { FORECAST_DEFAULTS, MODEL_DEFAULTS } from './defaults.js';
import { ForecastTask, type ForecastSettings } from './forecast-task.js';
import { baselineForecasts, forecastMetrics, seasonalNaiveScale, windowTruth, type ForecastMetrics } from './metrics.js';
import type { TrainOptions } from './options.js';
import { buildForecaster, validateForecasterConfig, type RecurrentConfig } from './sequence-config.js';
import { sequenceForward, type RegressionLoss } from './sequence-step.js';
import { FORECAST_LOADER } from './task-loaders.js';
import { dataChecksum, resumedSnapshot, runTask, type TaskResumeOptions, type TaskRunControls, type TaskRunPaths } from './task-run.js';
import { Trainer, type FitResult } from './trainer.js';
import type { ForecastMetricsByEpoch } from './forecast-task.js';

export interface ForecasterOptions extends TaskRunPaths {
  /** Past steps read (default 28). */
  window?: number;
  /** Steps predicted at once (default 7). */
  horizon?: number;
  /** On the scaled targets (default 'mae'). */
  loss?: RegressionLoss;
  /** The seasonal period of the baselines and MASE (default: from the date step, else the autocorrelation). */
  season?: number;
  /** Fractions of the rows held out at the end, validation then test (default 0.1 each). */
  validFraction?: number;
  testFraction?: number;
  /** How the series' missing values were filled when it was read (parseSeries' fill), so new data is read alike. */
  fill?: FillMode;
  /** The recurrent layer; anything left out takes FORECAST_DEFAULTS (LSTM 64x1), the seed the training seed. */
  model?: Partial<RecurrentConfig>;
  /** Default: FORECAST_DEFAULTS (Adam 3e-3, cosine, 30 epochs, batch 64), then the library's defaults. */
  training?: Partial<TrainOptions>;
  controls?: TaskRunControls<ForecastTask, ForecastData>;
}

/** A forecaster measured on one part of a series, beside the two baselines, per target (in the data's units). */
export interface ForecastReport {
  part: SeriesPart | 'all';
  windows: number;
  season: number;
  targets: string[];
  model: ForecastMetrics[];
  naive: ForecastMetrics[];
  seasonalNaive: ForecastMetrics[];
  /** The model's loss on the scaled targets. */
  loss: number;
  /** (N, horizon, K) forecasts and actual values, and each window's first target row. */
  predictions: Float64Array;
  truth: Float64Array;
  origins: Int32Array;
}

export interface ForecastRun {
  task: ForecastTask;
  trainer: Trainer<ForecastTask>;
  result: FitResult<ForecastMetricsByEpoch>;
  data: ForecastData;
  /** The epoch whose weights the model holds (the best by validation, else the last). */
  keptEpoch: number | null;
  /** The test part's report for those weights; null without test rows or when the run was stopped. */
  test: ForecastReport | null;
}

/** The task's settings for this data: what a checkpoint keeps so new data is read, cut and scaled the same way. */
function settingsFor(data: ForecastData, window: number, horizon: number, loss: RegressionLoss, fractions: { valid: number; test: number }): ForecastSettings {
  const { series, split, season } = data;
  const maseScale = Array.from({ length: series.targetCount }, (_, k) => seasonalNaiveScale(seriesColumn(series, k, 0, split.trainEnd), season));
  return {
    window, horizon, loss, validFraction: fractions.valid, testFraction: fractions.test, season, seasonSource: data.seasonSource,
    columns: series.columns, targetCount: series.targetCount, dateColumn: series.dateColumn,
    dateStep: series.times === null ? null : dateStep(series.times), fill: 'error', maseScale,
  };
}

/** Trains a forecaster on `series` (targets first, then covariates, as parseSeries gives it). */
export async function trainForecaster(series: Series, options: ForecasterOptions = {}): Promise<ForecastRun> {
  const window = options.window ?? FORECAST_DEFAULTS.window;
  const horizon = options.horizon ?? FORECAST_DEFAULTS.horizon;
  const loss = options.loss ?? FORECAST_DEFAULTS.loss;
  const valid = options.validFraction ?? FORECAST_DEFAULTS.validFraction;
  const test = options.testFraction ?? FORECAST_DEFAULTS.testFraction;
  const data = prepareForecastData(series, { window, horizon, valid, test, season: options.season });
  const settings = { ...settingsFor(data, window, horizon, loss, { valid, test }), fill: options.fill ?? 'error' };
  const training = { ...forecastTraining(), ...definedOf(options.training ?? {}), validFraction: valid };
  const seed = training.seed ?? 0;
  const config = validateForecasterConfig({
    cell: FORECAST_DEFAULTS.cell, hiddenSize: FORECAST_DEFAULTS.hiddenSize, numLayers: FORECAST_DEFAULTS.numLayers,
    bidirectional: FORECAST_DEFAULTS.bidirectional, dropout: MODEL_DEFAULTS.dropout, seed, ...definedOf(options.model ?? {}),
    inputSize: series.columns.length, horizon, targets: series.targetCount,
  });
  const info = { config, settings, scaler: data.scaler, data: { source: series.source, count: series.length, checksum: dataChecksum(series.values) } };
  const task = new ForecastTask(buildForecaster(config), info);
  const trainer = new Trainer(task, training);
  return finishRun(task, trainer, data, options);
}

async function finishRun(task: ForecastTask, trainer: Trainer<ForecastTask>, data: ForecastData, options: TaskRunPaths & { controls?: TaskRunControls<ForecastTask, ForecastData> }): Promise<ForecastRun> {
  if (data.train.count === 0) throw new Error('the training part holds no window');
  const valid = data.valid.count > 0 ? data.valid : null;
  const counts = { train: data.train.count, valid: data.valid.count };
  const { result, keptEpoch } = await runTask(trainer, data, data.train, valid, counts, options, options.controls);
  const finished = result.stopReason === 'completed' || result.stopReason === 'earlyStopped';
  const test = finished && data.test.count > 0 ? forecastReport(task, data, 'test') : null;
  return { task, trainer, result, data, keptEpoch, test };
}

/** The training options a forecaster starts from: FORECAST_DEFAULTS' batch, epochs, rate and schedule. */
export function forecastTraining(): Partial<TrainOptions> {
  const { batchSize, epochs, lr, lrSchedule, validFraction } = FORECAST_DEFAULTS;
  return { batchSize, epochs, lr, lrSchedule, validFraction };
}

function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Reads a table as the checkpoint's series: the same target and covariate columns, date column and fill. */
export function seriesForTask(table: Table, settings: ForecastSettings): Series {
  const { columns, targetCount, dateColumn } = settings;
  const date = dateColumn !== null && table.columns.includes(dateColumn) ? dateColumn : false;
  const fill = settings.fill === 'error' ? undefined : settings.fill;
  return seriesFromTable(table, { target: columns.slice(0, targetCount), covariates: columns.slice(targetCount), date, ...(fill === undefined ? {} : { fill }) });
}

/** The series cut and scaled as the checkpoint's run cut and scaled its own (its scaler, not a new fit). */
export function forecastDataFor(task: ForecastTask, series: Series): ForecastData {
  const { settings, scaler } = task.info;
  const { window, horizon } = settings;
  const split = chronologicalSplit(series.length, window, horizon, { valid: settings.validFraction, test: settings.testFraction });
  const scaled = scaler.transform(series.values);
  const part = (name: SeriesPart): Windows => makeWindows(scaled, series, windowOrigins(split, name, window, horizon), window, horizon);
  return { series, split, scaler, scaled, train: part('train'), valid: part('valid'), test: part('test'), season: settings.season, seasonSource: settings.seasonSource };
}

/** Every window of the series whose history reaches a full season before it (for the baselines). */
export function allWindows(task: ForecastTask, data: ForecastData): Windows {
  const { window, horizon, season } = task.info.settings;
  const first = Math.max(window, season);
  const origins = Int32Array.from({ length: Math.max(0, data.series.length - horizon - first + 1) }, (_, k) => first + k);
  if (origins.length === 0) throw new Error(`the series has ${data.series.length} rows, too few for one window of ${window} + horizon ${horizon} after a season of ${season}`);
  return makeWindows(data.scaled, data.series, origins, window, horizon);
}

/** The forecaster on one part of the data, beside the naive and seasonal-naive forecasts of the same windows. */
export function forecastReport(task: ForecastTask, data: ForecastData, part: SeriesPart | 'all'): ForecastReport {
  const windows = part === 'all' ? allWindows(task, data) : data[part];
  if (windows.count === 0) throw new Error(`the ${part} part of the series holds no window`);
  const { season, horizon, maseScale, columns, targetCount: K } = task.info.settings;
  const evaluation = task.evaluate(windows);
  const baseline = (m: number): ForecastMetrics[] => Array.from({ length: K }, (_, k) => {
    const column = seriesColumn(data.series, k);
    return forecastMetrics(windowTruth(column, windows.origins, horizon), baselineForecasts(column, windows.origins, horizon, m), maseScale[k]!);
  });
  return {
    part, windows: windows.count, season, targets: columns.slice(0, K), model: evaluation.metrics, naive: baseline(1), seasonalNaive: baseline(season),
    loss: evaluation.loss, predictions: evaluation.predictions, truth: evaluation.truth, origins: windows.origins,
  };
}

export interface Forecast {
  /** The dates of the forecast steps, continuing the series' own; null when the series has no dates. */
  dates: string[] | null;
  /** (horizon, K) in the data's units, step-major. */
  values: Float64Array;
  targets: string[];
}

/** The next `horizon` steps after the end of `series`, from its last `window` rows. */
export function forecastNext(task: ForecastTask, series: Series): Forecast {
  const { settings, scaler, config } = task.info;
  const x = lastWindow(scaler.transform(series.values), series, settings.window);
  const wasTraining = task.model.training;
  task.model.eval();
  const output = sequenceForward(task.model, new Tensor(x, [1, settings.window, config.inputSize]));
  task.model.train(wasTraining);
  const values = scaler.inverseTargets(output.data, settings.targetCount);
  let dates: string[] | null = null;
  if (series.dates !== null && series.times !== null) {
    const step = dateStep(series.times) ?? settings.dateStep;
    if (step !== null) dates = futureDates(series.dates[series.length - 1]!, step, settings.horizon);
  }
  return { dates, values, targets: settings.columns.slice(0, settings.targetCount) };
}

/** A forecaster's checkpoint (Node: a path); one of another task is refused in one line naming both. */
export function loadForecaster(path: string): Promise<TaskCheckpoint<ForecastTask>> {
  return loadTaskCheckpoint(path, FORECAST_LOADER);
}

/** Continues the run saved at `path` on `series`, which must be the series it was trained on. */
export async function resumeForecaster(path: string, series: Series, options: TaskResumeOptions<ForecastTask, ForecastData> = {}): Promise<ForecastRun> {
  const { task, training } = await loadForecaster(path);
  const snapshot = resumedSnapshot(path, training, options.overrides);
  const saved = task.info.data;
  if (saved !== null && saved.checksum !== dataChecksum(series.values)) throw new Error(`${series.source} is not the series ${path} was trained on (${saved.source})`);
  const trainer = new Trainer(task, {}, snapshot);
  return finishRun(task, trainer, forecastDataFor(task, series), { checkpointPath: options.checkpointPath ?? path, bestCheckpointPath: options.bestCheckpointPath, controls: options.controls });
}
