// The perplexity curve written next to a checkpoint: train (and validation, when there is a split) perplexity
// per epoch, as a small static SVG written here. A chart library was weighed and left out: the one we used
// (ECharts' server-side renderer) is 62 MB installed for this one picture, and the small ones (uPlot, Chart.js)
// draw on a page's canvas; two polylines, round ticks and a log axis when the range is wide are a page of code.
import { writeFileAtomic } from '../io/files.js';
import type { EpochStats } from '../train/index.js';

/** model.lstm.safetensors -> model.lstm.perplexity.svg; any other name gets .perplexity.svg appended. */
export function svgPathFor(checkpoint: string): string {
  return `${checkpoint.replace(/\.safetensors$/i, '')}.perplexity.svg`;
}

export interface ChartOptions {
  title: string;
  width?: number;
  height?: number;
}

const COLORS = { train: '#1f77b4', validation: '#ff7f0e' } as const;
const MARGIN = { left: 64, right: 24, top: 64, bottom: 48 };

/** About `count` round ticks (1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
  return ticks;
}

/** Powers of ten (and 2x, 5x when there are few decades) inside [lo, hi], for a log axis. */
function logTicks(lo: number, hi: number): number[] {
  const decades = Math.log10(hi) - Math.log10(lo);
  const multiples = decades < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
    for (const m of multiples) if (m * 10 ** p >= lo && m * 10 ** p <= hi) ticks.push(+(m * 10 ** p).toPrecision(12));
  }
  return ticks;
}

const escapeXml = (s: string): string => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
/** A tick's label: 1,200 or 3.45. */
export const tickLabel = (v: number): string => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(+v.toPrecision(4)));
const fmt = tickLabel;
/** A text element, its content escaped. */
export const svgText = (x: number, y: number, s: string, attrs = ''): string => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs}>${escapeXml(s)}</text>`;
const text = svgText;

/** A chart's opening: the svg element, a white background and the title. */
export function svgOpening(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" fill="#333">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(width / 2, 24, title, ' text-anchor="middle" font-size="14" font-weight="bold"'),
  ];
}

/** Horizontal grid lines across [left, right] at the ticks, labelled at the left edge; `y` maps a value to its row. */
export function yGrid(ticks: readonly number[], y: (v: number) => number, left: number, right: number): string[] {
  return ticks.flatMap((v) => [
    `<line x1="${left}" x2="${right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`,
    text(left - 8, y(v) + 4, fmt(v), ' text-anchor="end"'),
  ]);
}

/** The chart as an SVG document. */
export function perplexitySvg(history: readonly EpochStats[], options: ChartOptions): string {
  const width = options.width ?? 720, height = options.height ?? 420;
  const series = [
    { name: 'train' as const, points: history.map((s) => [s.epoch, s.perplexity] as const) },
    { name: 'validation' as const, points: history.filter((s) => s.valPerplexity !== null).map((s) => [s.epoch, s.valPerplexity!] as const) },
  ].map((s) => ({ ...s, points: s.points.filter(([, p]) => Number.isFinite(p) && p > 0) })).filter((s) => s.points.length > 0);
  const values = series.flatMap((s) => s.points.map(([, p]) => p));
  // Loops, not Math.max(...values): a spread of a long history (60K+ epochs) overflows the call stack.
  let lastEpoch = 2;
  for (const s of history) lastEpoch = Math.max(lastEpoch, s.epoch);
  let [lo, hi] = values.length > 0 ? [Infinity, -Infinity] : [1, 10];
  for (const p of values) [lo, hi] = [Math.min(lo, p), Math.max(hi, p)];
  // Early epochs can sit orders of magnitude above the end of the run; a log axis keeps the end readable.
  const log = hi / lo > 20;
  if (hi === lo) [lo, hi] = [lo * 0.9, hi * 1.1];
  const yTicks = log ? logTicks(lo, hi) : niceTicks(lo, hi);
  if (!log) [lo, hi] = [Math.min(lo, yTicks[0]!), Math.max(hi, yTicks.at(-1)!)];
  const plot = { x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top };
  const x = (epoch: number): number => plot.x0 + ((epoch - 1) / (lastEpoch - 1)) * (plot.x1 - plot.x0);
  const t = (v: number): number => (log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo));
  const y = (v: number): number => plot.y0 - t(v) * (plot.y0 - plot.y1);

  const out: string[] = [...svgOpening(width, height, options.title), ...yGrid(yTicks, y, plot.x0, plot.x1)];
  for (const v of niceTicks(1, lastEpoch, Math.min(10, lastEpoch - 1)).filter((e) => Number.isInteger(e))) {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${plot.y0}" y2="${plot.y0 + 5}" stroke="#333"/>`);
    out.push(text(x(v), plot.y0 + 18, fmt(v), ' text-anchor="middle"'));
  }
  out.push(`<path d="M${plot.x0} ${plot.y1}V${plot.y0}H${plot.x1}" fill="none" stroke="#333"/>`);
  out.push(text((plot.x0 + plot.x1) / 2, height - 10, 'epoch', ' text-anchor="middle"'));
  out.push(text(16, (plot.y0 + plot.y1) / 2, 'perplexity', ` text-anchor="middle" transform="rotate(-90 16 ${((plot.y0 + plot.y1) / 2).toFixed(1)})"`));
  series.forEach((s, k) => {
    const d = s.points.map(([e, p], i) => `${i === 0 ? 'M' : 'L'}${x(e).toFixed(1)} ${y(p).toFixed(1)}`).join('');
    out.push(`<path d="${d}" fill="none" stroke="${COLORS[s.name]}" stroke-width="2"/>`);
    if (history.length <= 30) for (const [e, p] of s.points) out.push(`<circle cx="${x(e).toFixed(1)}" cy="${y(p).toFixed(1)}" r="3" fill="${COLORS[s.name]}"/>`);
    const lx = width / 2 - 70 + k * 110;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="42" y2="42" stroke="${COLORS[s.name]}" stroke-width="2"/>`);
    out.push(text(lx + 30, 46, s.name));
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Writes the chart atomically (io/files.ts), so a reader never sees half a file and no temp file is left. */
export async function writePerplexityChart(path: string, history: readonly EpochStats[], options: ChartOptions): Promise<void> {
  await writeFileAtomic(path, perplexitySvg(history, options));
}
