// The seasonal period m of a series, which the seasonal-naive baseline and MASE's scale need: given by the user,
// else implied by the date step (7 for daily data), else read from the autocorrelation of the training part as
// darts' check_seasonality does (the strongest local maximum of the ACF that is significant by Bartlett's
// formula), else 1 (no season: seasonal-naive is then the naive forecast).

import type { Series } from './series.js';
import { dateStep, seasonOfStep } from './series-dates.js';

export type SeasonSource = 'given' | 'date step' | 'autocorrelation' | 'none';

/** Sample autocorrelation r_k = Σ_t (x_t - x̄)(x_{t+k} - x̄) / Σ_t (x_t - x̄)², k = 0..maxLag (as numpy / statsmodels acf). */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += x[t]!;
  mean /= n;
  let denom = 0;
  for (let t = 0; t < n; t++) denom += (x[t]! - mean) ** 2;
  const r = new Float64Array(maxLag + 1);
  for (let k = 0; k <= maxLag && k < n; k++) {
    let sum = 0;
    for (let t = 0; t + k < n; t++) sum += (x[t]! - mean) * (x[t + k]! - mean);
    r[k] = denom > 0 ? sum / denom : 0;
  }
  return r;
}

/**
 * The season found in the ACF of x, or 1 when there is none: among lags 2..maxLag that are local maxima of the
 * ACF (r_{k-1} < r_k > r_{k+1}) and significant at 5% (r_k > 1.96 · sqrt((1 + 2 Σ_{j<k} r_j²) / n), Bartlett),
 * the one with the largest r_k. maxLag defaults to min(n/2 - 1, 400), covering a weekly season in hourly data.
 */
export function seasonFromAutocorrelation(x: ArrayLike<number>, maxLag = Math.min(Math.floor(x.length / 2) - 1, 400)): number {
  if (maxLag < 3) return 1;
  const r = autocorrelation(x, maxLag + 1);
  let best = 1;
  let sumSq = r[1]! ** 2;
  for (let k = 2; k <= maxLag; k++) {
    const bound = 1.959964 * Math.sqrt((1 + 2 * sumSq) / x.length);
    if (r[k]! > r[k - 1]! && r[k]! > r[k + 1]! && r[k]! > bound && (best === 1 || r[k]! > r[best]!)) best = k;
    sumSq += r[k]! ** 2;
  }
  return best;
}

/**
 * The season for a series: `given` when set (a positive integer), else from the date step, else from the ACF of
 * the first target over rows [0, end) (the training part: the test part must not choose the baseline), else 1.
 */
export function findSeason(series: Series, end = series.length, given?: number): { season: number; source: SeasonSource } {
  if (given !== undefined) {
    if (!(Number.isInteger(given) && given >= 1)) throw new Error(`season must be a positive integer, got ${given}`);
    if (given >= end) throw new Error(`season ${given} is not shorter than the ${end} training rows`);
    return { season: given, source: 'given' };
  }
  const step = series.times === null ? null : dateStep(series.times);
  const bySteps = step === null ? undefined : seasonOfStep(step);
  if (bySteps !== undefined && bySteps < end) return { season: bySteps, source: 'date step' };
  const F = series.columns.length;
  const target = Float64Array.from({ length: end }, (_, t) => series.values[t * F]!);
  const season = seasonFromAutocorrelation(target);
  return season > 1 ? { season, source: 'autocorrelation' } : { season: 1, source: 'none' };
}
