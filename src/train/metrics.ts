// Metrics and baselines for the forecasting and classification tasks, as pure functions over plain arrays.
// Forecasts: MAE, RMSE, sMAPE and MASE (Hyndman & Koehler 2006: the MAE scaled by the in-sample MAE of the
// seasonal-naive forecast on the training part), and the naive and seasonal-naive forecasts themselves.
// Classes: accuracy, the confusion matrix, macro F1 (scikit-learn's f1_score(average='macro') over classes
// 0..C-1, an undefined precision or recall counted as 0), and the majority-class baseline.

function checkPair(name: string, actual: ArrayLike<number>, predicted: ArrayLike<number>): void {
  if (actual.length !== predicted.length) throw new Error(`${name}: ${actual.length} actual values but ${predicted.length} predictions`);
  if (actual.length === 0) throw new Error(`${name}: no values`);
}

/** Mean absolute error: (1/n) Σ |y - ŷ|. */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPair('mae', actual, predicted);
  let sum = 0;
  for (let k = 0; k < actual.length; k++) sum += Math.abs(actual[k]! - predicted[k]!);
  return sum / actual.length;
}

/** Root mean squared error: sqrt((1/n) Σ (y - ŷ)²). */
export function rmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPair('rmse', actual, predicted);
  let sum = 0;
  for (let k = 0; k < actual.length; k++) sum += (actual[k]! - predicted[k]!) ** 2;
  return Math.sqrt(sum / actual.length);
}

/**
 * Symmetric MAPE in percent, as in the M3/M4 competitions: (100/n) Σ 2|y - ŷ| / (|y| + |ŷ|), in [0, 200].
 * A term with y = ŷ = 0 is 0 (a perfect forecast of zero), not 0/0.
 */
export function smape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPair('smape', actual, predicted);
  let sum = 0;
  for (let k = 0; k < actual.length; k++) {
    const denom = Math.abs(actual[k]!) + Math.abs(predicted[k]!);
    if (denom > 0) sum += (2 * Math.abs(actual[k]! - predicted[k]!)) / denom;
  }
  return (100 * sum) / actual.length;
}

/**
 * MASE's denominator: the in-sample MAE of the seasonal-naive forecast on the training values,
 * (1/(n-m)) Σ_{t=m}^{n-1} |y_t - y_{t-m}| (m = 1 gives the naive scale). A zero scale (a training part that
 * repeats itself exactly) would make every MASE infinite: an error.
 */
export function seasonalNaiveScale(train: ArrayLike<number>, season: number): number {
  if (!(Number.isInteger(season) && season >= 1)) throw new Error(`seasonalNaiveScale: season must be a positive integer, got ${season}`);
  const n = train.length;
  if (n <= season) throw new Error(`seasonalNaiveScale: ${n} training values are too few for season ${season} (need more than ${season})`);
  let sum = 0;
  for (let t = season; t < n; t++) sum += Math.abs(train[t]! - train[t - season]!);
  const scale = sum / (n - season);
  if (!(scale > 0)) throw new Error(`seasonalNaiveScale: the training values repeat with period ${season} exactly, so the scale is 0`);
  return scale;
}

/** Mean absolute scaled error: MAE / scale, with scale from seasonalNaiveScale. Below 1 beats seasonal-naive in-sample. */
export function mase(actual: ArrayLike<number>, predicted: ArrayLike<number>, scale: number): number {
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`mase: scale must be a positive finite number, got ${scale}`);
  return mae(actual, predicted) / scale;
}

export interface ForecastMetrics {
  mae: number;
  rmse: number;
  smape: number;
  mase: number;
}

/** All four forecast metrics at once. */
export function forecastMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, scale: number): ForecastMetrics {
  return { mae: mae(actual, predicted), rmse: rmse(actual, predicted), smape: smape(actual, predicted), mase: mase(actual, predicted, scale) };
}

/** The naive forecast: the last observed value, repeated for every step of the horizon. */
export function naiveForecast(history: ArrayLike<number>, horizon: number): Float64Array {
  return seasonalNaiveForecast(history, horizon, 1);
}

/**
 * The seasonal-naive forecast: each step repeats the value one season earlier from the last observed season,
 * ŷ_{n+h} = y_{n+h-m·⌈h/m⌉} for h = 1..horizon (Hyndman & Athanasopoulos, FPP3 §5.2). The history is
 * history[0..end), so a caller can forecast from any origin without copying.
 */
export function seasonalNaiveForecast(history: ArrayLike<number>, horizon: number, season: number, end = history.length): Float64Array {
  if (!(Number.isInteger(horizon) && horizon >= 1)) throw new Error(`horizon must be a positive integer, got ${horizon}`);
  if (!(Number.isInteger(season) && season >= 1)) throw new Error(`season must be a positive integer, got ${season}`);
  if (!(Number.isInteger(end) && end >= 0 && end <= history.length)) throw new Error(`end must be an integer in [0, ${history.length}], got ${end}`);
  const n = end; // the history is history[0..end)
  if (n < season) throw new Error(`a seasonal-naive forecast with season ${season} needs at least ${season} past values, got ${n}`);
  return Float64Array.from({ length: horizon }, (_, s) => history[n - season + (s % season)]!);
}

/**
 * A baseline's forecasts for a set of windows, laid out as a model's output (count, horizon) for one target:
 * the forecast at origin t sees the values before row t (series[0..t)), as the model does.
 */
export function baselineForecasts(series: ArrayLike<number>, origins: ArrayLike<number>, horizon: number, season: number): Float64Array {
  const out = new Float64Array(origins.length * horizon);
  for (let b = 0; b < origins.length; b++) {
    const t = origins[b]!;
    out.set(seasonalNaiveForecast(series, horizon, season, t), b * horizon);
  }
  return out;
}

/** The actual values at the windows' target steps, (count, horizon), in the same layout. */
export function windowTruth(series: ArrayLike<number>, origins: ArrayLike<number>, horizon: number): Float64Array {
  const out = new Float64Array(origins.length * horizon);
  for (let b = 0; b < origins.length; b++) {
    for (let s = 0; s < horizon; s++) {
      const t = origins[b]! + s;
      if (t >= series.length) throw new Error(`windowTruth: step ${t} is past the series' ${series.length} values`);
      out[b * horizon + s] = series[t]!;
    }
  }
  return out;
}

function checkClasses(name: string, actual: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): void {
  checkPair(name, actual, predicted);
  if (!(Number.isInteger(numClasses) && numClasses >= 1)) throw new Error(`${name}: numClasses must be a positive integer, got ${numClasses}`);
  for (const [which, xs] of [['actual', actual], ['predicted', predicted]] as const) {
    for (let k = 0; k < xs.length; k++) {
      if (!(Number.isInteger(xs[k]) && xs[k]! >= 0 && xs[k]! < numClasses)) throw new Error(`${name}: ${which} class ${xs[k]} at ${k} is out of range [0, ${numClasses})`);
    }
  }
}

/** Fraction of predictions equal to the actual class. */
export function accuracy(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkPair('accuracy', actual, predicted);
  let hits = 0;
  for (let k = 0; k < actual.length; k++) if (actual[k] === predicted[k]) hits++;
  return hits / actual.length;
}

/** matrix[i][j]: how many examples of actual class i were predicted as class j (rows actual, as scikit-learn). */
export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  checkClasses('confusionMatrix', actual, predicted, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let k = 0; k < actual.length; k++) matrix[actual[k]!]![predicted[k]!]!++;
  return matrix;
}

/** Per-class F1 = 2·TP / (2·TP + FP + FN), 0 where the class is neither present nor predicted. */
export function f1PerClass(actual: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): Float64Array {
  const matrix = confusionMatrix(actual, predicted, numClasses);
  return Float64Array.from({ length: numClasses }, (_, c) => {
    const tp = matrix[c]![c]!;
    let fp = 0;
    let fn = 0;
    for (let j = 0; j < numClasses; j++) {
      if (j === c) continue;
      fp += matrix[j]![c]!;
      fn += matrix[c]![j]!;
    }
    return 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0;
  });
}

/** Macro F1: the unweighted mean of the per-class F1 over classes 0..C-1 (each class counts alike, however rare). */
export function macroF1(actual: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number {
  return f1PerClass(actual, predicted, numClasses).reduce((a, b) => a + b, 0) / numClasses;
}

/**
 * The majority-class baseline: the class most frequent in training (ties to the lowest index) predicted for every
 * evaluated example, with the accuracy and macro F1 that earns on `actual`.
 */
export function majorityBaseline(trainClasses: ArrayLike<number>, actual: ArrayLike<number>, numClasses: number): { label: number; accuracy: number; macroF1: number } {
  if (trainClasses.length === 0) throw new Error('majorityBaseline: no training classes');
  const counts = new Array<number>(numClasses).fill(0);
  for (let k = 0; k < trainClasses.length; k++) {
    const c = trainClasses[k]!;
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new Error(`majorityBaseline: training class ${c} is out of range [0, ${numClasses})`);
    counts[c]!++;
  }
  const label = counts.indexOf(Math.max(...counts));
  const predicted = new Int32Array(actual.length).fill(label);
  return { label, accuracy: accuracy(actual, predicted), macroF1: macroF1(actual, predicted, numClasses) };
}
