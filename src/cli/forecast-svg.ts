// The forecast chart written beside a forecaster's checkpoint: the series' history before the test part, the actual
// values of the test part (truth) and the model's forecasts over it, each window's `horizon` steps drawn end to end
// from origins one horizon apart (what the model would have said, a horizon at a time), as one small static SVG.
// x is the row (labelled with dates when the data has them), y the first target in its own units.
import { writeFileAtomic } from '../io/files.js';
import { niceTicks, svgOpening, svgText, yGrid } from './svg.js';

export interface ForecastChart {
  title: string;
  /** Label of the y axis (the target's name). */
  yLabel: string;
  /** [row, value] points of each line. */
  history: Array<[number, number]>;
  truth: Array<[number, number]>;
  forecast: Array<[number, number]>;
  /** The date of a row, for the x ticks; null without dates. */
  dateOf: ((row: number) => string) | null;
}

/** forecast.lstm.safetensors -> forecast.lstm.forecast.svg. */
export function forecastSvgPathFor(checkpoint: string): string {
  return `${checkpoint.replace(/\.safetensors$/i, '')}.forecast.svg`;
}

const COLORS = { history: '#7f7f7f', truth: '#1f77b4', forecast: '#d62728' } as const;
const MARGIN = { left: 72, right: 24, top: 64, bottom: 48 };
const label = svgText;

export function forecastSvg(chart: ForecastChart, width = 900, height = 420): string {
  const lines = (['history', 'truth', 'forecast'] as const).map((name) => ({ name, points: chart[name].filter(([, v]) => Number.isFinite(v)) }));
  const all = lines.flatMap((l) => l.points);
  if (all.length === 0) throw new Error('forecast chart: nothing to draw');
  let [x0, x1] = [all.reduce((m, [r]) => Math.min(m, r), Infinity), all.reduce((m, [r]) => Math.max(m, r), -Infinity)];
  if (x1 === x0) x1 = x0 + 1;
  let lo = all.reduce((m, [, v]) => Math.min(m, v), Infinity);
  let hi = all.reduce((m, [, v]) => Math.max(m, v), -Infinity);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const yTicks = niceTicks(lo, hi);
  [lo, hi] = [Math.min(lo, yTicks[0]!), Math.max(hi, yTicks.at(-1)!)];
  const plot = { left: MARGIN.left, right: width - MARGIN.right, bottom: height - MARGIN.bottom, top: MARGIN.top };
  const x = (r: number): number => plot.left + ((r - x0) / (x1 - x0)) * (plot.right - plot.left);
  const y = (v: number): number => plot.bottom - ((v - lo) / (hi - lo)) * (plot.bottom - plot.top);
  const out = [...svgOpening(width, height, chart.title), ...yGrid(yTicks, y, plot.left, plot.right)];
  for (const r of niceTicks(x0, x1, 6).filter((t) => Number.isInteger(t) && t >= x0 && t <= x1)) {
    out.push(`<line x1="${x(r).toFixed(1)}" x2="${x(r).toFixed(1)}" y1="${plot.bottom}" y2="${plot.bottom + 5}" stroke="#333"/>`);
    out.push(label(x(r), plot.bottom + 18, chart.dateOf === null ? String(r) : chart.dateOf(r), ' text-anchor="middle"'));
  }
  out.push(`<path d="M${plot.left} ${plot.top}V${plot.bottom}H${plot.right}" fill="none" stroke="#333"/>`);
  out.push(label((plot.left + plot.right) / 2, height - 10, chart.dateOf === null ? 'row' : 'date', ' text-anchor="middle"'));
  out.push(label(16, (plot.top + plot.bottom) / 2, chart.yLabel, ` text-anchor="middle" transform="rotate(-90 16 ${((plot.top + plot.bottom) / 2).toFixed(1)})"`));
  lines.forEach((l, k) => {
    if (l.points.length === 0) return;
    const d = l.points.map(([r, v], i) => `${i === 0 ? 'M' : 'L'}${x(r).toFixed(1)} ${y(v).toFixed(1)}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${COLORS[l.name]}" stroke-width="${l.name === 'forecast' ? 1.5 : 1.2}"/>`);
    const lx = width / 2 - 150 + k * 110;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="42" y2="42" stroke="${COLORS[l.name]}" stroke-width="2"/>`);
    out.push(label(lx + 30, 46, l.name));
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Writes the chart atomically (io/files.ts), so a reader never sees half a file. */
export async function writeForecastChart(path: string, chart: ForecastChart): Promise<void> {
  await writeFileAtomic(path, forecastSvg(chart));
}
