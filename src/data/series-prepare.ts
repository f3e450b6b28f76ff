// Everything a forecaster needs from a series, in one call: the chronological split, the scaler fitted on the
// training rows, the scaled values, the windows of each part and the season. The CLI, the library's
// trainForecaster and scripts/tasks/prepare.ts (which hands the same windows to PyTorch) all start here.

import type { Series } from './series.js';
import { findSeason, type SeasonSource } from './series-season.js';
import { chronologicalSplit, makeWindows, Scaler, windowOrigins, type SeriesSplit, type SplitFractions, type Windows } from './series-windows.js';

export interface ForecastDataOptions extends SplitFractions {
  window: number;
  horizon: number;
  /** The seasonal period for the baselines and MASE; default: found (findSeason). */
  season?: number;
}

export interface ForecastData {
  series: Series;
  split: SeriesSplit;
  scaler: Scaler;
  /** The whole series scaled, (N, F) row-major. */
  scaled: Float64Array;
  train: Windows;
  valid: Windows;
  test: Windows;
  season: number;
  seasonSource: SeasonSource;
}

export function prepareForecastData(series: Series, options: ForecastDataOptions): ForecastData {
  const { window, horizon } = options;
  const split = chronologicalSplit(series.length, window, horizon, options);
  const scaler = Scaler.fit(series, split.trainEnd);
  const scaled = scaler.transform(series.values);
  const part = (name: 'train' | 'valid' | 'test'): Windows => makeWindows(scaled, series, windowOrigins(split, name, window, horizon), window, horizon);
  const { season, source } = findSeason(series, split.trainEnd, options.season);
  return { series, split, scaler, scaled, train: part('train'), valid: part('valid'), test: part('test'), season, seasonSource: source };
}
