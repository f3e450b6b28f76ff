// What a forecast chart draws, computed once for the CLI's SVG and for a page: for one part of the series, the
// history before it, the actual values (truth) and the model's forecasts, each window's `horizon` steps laid end to
// end from origins one horizon apart, so the forecast line is what the model said a horizon at a time. Points are
// [row, value] in the first target's units; at most `maxRows` rows of the part are drawn (its last ones).
import { seriesColumn } from '../data/series.js';
import type { ForecastData } from '../data/series-prepare.js';
import type { ForecastReport } from './forecast-session.js';

export interface ForecastLines {
  history: Array<[number, number]>;
  truth: Array<[number, number]>;
  forecast: Array<[number, number]>;
}

export function forecastLines(data: ForecastData, report: ForecastReport, maxRows = 120): ForecastLines {
  const { series } = data;
  const target = seriesColumn(series, 0);
  const K = report.targets.length;
  const origins = report.origins;
  const horizon = origins.length === 0 ? 0 : report.predictions.length / (origins.length * K);
  const first = origins[0] ?? 0;
  const last = (origins.at(-1) ?? 0) + horizon;
  const from = Math.max(first, last - maxRows);
  const historyFrom = Math.max(0, from - Math.min(3 * data.train.window, maxRows));
  const history: Array<[number, number]> = [];
  for (let t = historyFrom; t < from; t++) history.push([t, target[t]!]);
  const truth: Array<[number, number]> = [];
  for (let t = from; t < last; t++) truth.push([t, target[t]!]);
  const forecast: Array<[number, number]> = [];
  // Origins one horizon apart, counted back from the last window so the final steps are always drawn.
  for (let b = origins.length - 1; b >= 0; b -= Math.max(1, horizon)) {
    if (origins[b]! < from) break;
    for (let s = horizon - 1; s >= 0; s--) forecast.push([origins[b]! + s, report.predictions[(b * horizon + s) * K]!]);
  }
  forecast.reverse();
  return { history, truth, forecast };
}
