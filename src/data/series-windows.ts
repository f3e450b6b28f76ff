// From a series to training examples: a chronological train / validation / test split, standardisation fitted on
// the training rows only (serialisable, with its inverse), and windows of `window` past steps (all F features)
// whose target is the next `horizon` steps of the K target columns.
// Shapes: x (B, T=window, F) batch-first, y (B, horizon * K) step-major: y[b, s * K + k] is target k at step t + s.
//
// No leakage across the split: a window belongs to the part that holds all its target steps. Training windows
// lie wholly inside the training rows (the model never sees a validation or test value while it learns);
// validation and test windows may read their inputs from earlier parts, which are the past at that moment.

import type { Series } from './series.js';

export interface SplitFractions {
  /** Fraction of the rows (the tail before the test rows) held out for validation. Default 0.1. */
  valid?: number;
  /** Fraction of the rows (the very end) held out for testing. Default 0.1. */
  test?: number;
}

/** Row boundaries: train [0, trainEnd), validation [trainEnd, validEnd), test [validEnd, length). */
export interface SeriesSplit {
  trainEnd: number;
  validEnd: number;
  length: number;
}

export type SeriesPart = 'train' | 'valid' | 'test';

/**
 * Splits N rows chronologically (never shuffled). Each non-empty part must hold at least one window:
 * `horizon` rows for validation and test, `window + horizon` for training; fewer is a one-line error.
 */
export function chronologicalSplit(length: number, window: number, horizon: number, fractions: SplitFractions = {}): SeriesSplit {
  checkWindow(window, horizon);
  const valid = fractions.valid ?? 0.1;
  const test = fractions.test ?? 0.1;
  for (const [name, f] of [['valid', valid], ['test', test]] as const) {
    if (!(f >= 0 && f < 1)) throw new Error(`chronologicalSplit: the ${name} fraction must be in [0, 1), got ${f}`);
  }
  if (length < window + horizon) throw new Error(`the series has ${length} rows, fewer than window + horizon = ${window} + ${horizon}`);
  const testRows = Math.floor(length * test);
  const validRows = Math.floor(length * valid);
  const trainEnd = length - testRows - validRows;
  for (const [name, rows, f] of [['validation', validRows, valid], ['test', testRows, test]] as const) {
    if (f > 0 && rows < horizon) throw new Error(`the ${name} part (${f} of ${length} rows = ${rows}) is shorter than the horizon ${horizon}: it holds no window`);
  }
  if (trainEnd < window + horizon) {
    throw new Error(`the training part has ${trainEnd} rows, fewer than window + horizon = ${window} + ${horizon} (lower the valid/test fractions or the window)`);
  }
  return { trainEnd, validEnd: trainEnd + validRows, length };
}

function checkWindow(window: number, horizon: number): void {
  if (!(Number.isInteger(window) && window >= 1)) throw new Error(`window must be a positive integer, got ${window}`);
  if (!(Number.isInteger(horizon) && horizon >= 1)) throw new Error(`horizon must be a positive integer, got ${horizon}`);
}

export interface ScalerJSON {
  format: 'lstm-ts/scaler';
  version: 1;
  columns: string[];
  mean: number[];
  std: number[];
}

/**
 * Per-column standardisation z = (x - mean) / std, as scikit-learn's StandardScaler: population std (ddof 0), and
 * a column that is constant on the rows it was fitted on keeps std 1 (it is only shifted). Fitted on the training
 * rows only, so no statistic of the validation or test part reaches the model.
 */
export class Scaler {
  constructor(readonly columns: readonly string[], readonly mean: Float64Array, readonly std: Float64Array) {
    if (mean.length !== columns.length || std.length !== columns.length) throw new Error(`Scaler: ${columns.length} columns need as many means and stds, got ${mean.length} and ${std.length}`);
    std.forEach((s, f) => {
      if (!(Number.isFinite(mean[f]!) && Number.isFinite(s) && s > 0)) throw new Error(`Scaler: column '${columns[f]}' has mean ${mean[f]} and std ${s}; both must be finite and std > 0`);
    });
  }

  /** Fits on rows [0, end) of the series. A target constant on those rows is an error: it would scale to nothing. */
  static fit(series: Series, end = series.length): Scaler {
    const F = series.columns.length;
    if (!(Number.isInteger(end) && end >= 1 && end <= series.length)) throw new Error(`Scaler.fit: end must be in [1, ${series.length}], got ${end}`);
    const mean = new Float64Array(F);
    const std = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      let sum = 0;
      for (let t = 0; t < end; t++) sum += series.values[t * F + f]!;
      const m = sum / end;
      let sq = 0;
      for (let t = 0; t < end; t++) sq += (series.values[t * F + f]! - m) ** 2;
      const s = Math.sqrt(sq / end);
      if (s === 0 && f < series.targetCount) throw new Error(`target column '${series.columns[f]}' is constant over the training part (${m}): there is nothing to learn`);
      mean[f] = m;
      std[f] = s > 0 ? s : 1;
    }
    return new Scaler(series.columns, mean, std);
  }

  /** Scales a row-major (rows, F) block laid out as the series' columns (a new array). */
  transform(values: ArrayLike<number>): Float64Array {
    const F = this.columns.length;
    const out = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) out[k] = (values[k]! - this.mean[k % F]!) / this.std[k % F]!;
    return out;
  }

  /** The inverse of transform on a (rows, F) block. */
  inverse(values: ArrayLike<number>): Float64Array {
    const F = this.columns.length;
    const out = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) out[k] = values[k]! * this.std[k % F]! + this.mean[k % F]!;
    return out;
  }

  /** Undoes the scaling of targets laid out (..., K) with K = targetCount, such as a model's (B, horizon * K) output. */
  inverseTargets(values: ArrayLike<number>, targetCount: number): Float64Array {
    if (!(Number.isInteger(targetCount) && targetCount >= 1 && targetCount <= this.columns.length)) throw new Error(`inverseTargets: targetCount ${targetCount} is out of range [1, ${this.columns.length}]`);
    const out = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) out[k] = values[k]! * this.std[k % targetCount]! + this.mean[k % targetCount]!;
    return out;
  }

  toJSON(): ScalerJSON {
    return { format: 'lstm-ts/scaler', version: 1, columns: [...this.columns], mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  /** Rebuilds a scaler saved by toJSON (a checkpoint's); anything malformed is a one-line error. */
  static fromJSON(json: unknown): Scaler {
    const obj = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Partial<Record<keyof ScalerJSON, unknown>>;
    if (obj.format !== 'lstm-ts/scaler') throw new Error(`Scaler.fromJSON: expected format 'lstm-ts/scaler', got ${JSON.stringify(obj.format)}`);
    if (obj.version !== 1) throw new Error(`Scaler.fromJSON: unsupported version ${JSON.stringify(obj.version)} (expected 1)`);
    const { columns, mean, std } = obj;
    const numbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');
    if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) throw new Error('Scaler.fromJSON: "columns" must be an array of strings');
    if (!numbers(mean) || !numbers(std)) throw new Error('Scaler.fromJSON: "mean" and "std" must be arrays of numbers');
    return new Scaler(columns, Float64Array.from(mean), Float64Array.from(std));
  }
}

export interface Windows {
  /** (count, window, F) inputs, batch-first, float32 as the models take them. */
  x: Float32Array;
  /** (count, horizon * K) targets, step-major. */
  y: Float32Array;
  /** Row index of each window's first target step (its forecast origin is the row before it). */
  origins: Int32Array;
  count: number;
  window: number;
  horizon: number;
  features: number;
  targets: number;
}

/** The first target row of every window of a part: each holds its `horizon` target rows inside the part. */
export function windowOrigins(split: SeriesSplit, part: SeriesPart, window: number, horizon: number): Int32Array {
  checkWindow(window, horizon);
  const [start, end] = part === 'train' ? [0, split.trainEnd] : part === 'valid' ? [split.trainEnd, split.validEnd] : part === 'test' ? [split.validEnd, split.length] : [NaN, NaN];
  if (Number.isNaN(start)) throw new Error(`windowOrigins: part must be 'train', 'valid' or 'test', got ${JSON.stringify(part)}`);
  const first = Math.max(start, window);
  const count = Math.max(0, end - horizon - first + 1);
  return Int32Array.from({ length: count }, (_, b) => first + b);
}

/**
 * The windows at the given origins, cut from `scaled` (the series' values after Scaler.transform, (N, F)):
 * x[b] = rows origin-window .. origin-1 (all features), y[b] = rows origin .. origin+horizon-1 (targets only).
 */
export function makeWindows(scaled: ArrayLike<number>, series: Series, origins: Int32Array, window: number, horizon: number): Windows {
  checkWindow(window, horizon);
  const F = series.columns.length;
  const K = series.targetCount;
  if (scaled.length !== series.length * F) throw new Error(`makeWindows: expected ${series.length} x ${F} values, got ${scaled.length}`);
  const count = origins.length;
  const x = new Float32Array(count * window * F);
  const y = new Float32Array(count * horizon * K);
  origins.forEach((t, b) => {
    if (t < window || t + horizon > series.length) throw new Error(`makeWindows: origin ${t} leaves no room for window ${window} and horizon ${horizon} in ${series.length} rows`);
    for (let s = 0; s < window; s++) for (let f = 0; f < F; f++) x[(b * window + s) * F + f] = scaled[(t - window + s) * F + f]!;
    for (let s = 0; s < horizon; s++) for (let k = 0; k < K; k++) y[(b * horizon + s) * K + k] = scaled[(t + s) * F + k]!;
  });
  return { x, y, origins, count, window, horizon, features: F, targets: K };
}

/** The input of a forecast past the end of the data: the last `window` rows of `scaled`, as x of shape (1, window, F). */
export function lastWindow(scaled: ArrayLike<number>, series: Series, window: number): Float32Array {
  checkWindow(window, 1);
  const F = series.columns.length;
  if (scaled.length !== series.length * F) throw new Error(`lastWindow: expected ${series.length} x ${F} values, got ${scaled.length}`);
  if (series.length < window) throw new Error(`the series has ${series.length} rows, fewer than the window ${window}`);
  return Float32Array.from({ length: window * F }, (_, k) => scaled[(series.length - window) * F + k]!);
}
