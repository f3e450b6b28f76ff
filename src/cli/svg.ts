// The perplexity curve written next to a checkpoint: train (and validation, when there is a split) perplexity
// per epoch, drawn by Apache ECharts' server-side SVG renderer (no browser, no canvas). ECharts is imported
// only here and only when a chart is written, so `lstm --help` and failing commands stay quick to start.
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

/** The chart as an SVG document. */
export async function perplexitySvg(history: readonly EpochStats[], options: ChartOptions): Promise<string> {
  const echarts = await import('echarts/core');
  const { LineChart } = await import('echarts/charts');
  const { GridComponent, LegendComponent, TitleComponent } = await import('echarts/components');
  const { SVGRenderer } = await import('echarts/renderers');
  echarts.use([LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

  const train = history.map((s) => [s.epoch, s.perplexity]);
  const valid = history.filter((s) => s.valPerplexity !== null).map((s) => [s.epoch, s.valPerplexity!]);
  const values = [...train, ...valid].map(([, p]) => p!).filter((p) => Number.isFinite(p));
  // Early epochs can sit orders of magnitude above the end of the run; a log axis keeps the end readable.
  // A loop, not Math.max(...values): a spread of a long history (60K+ epochs) overflows the call stack.
  let [lo, hi] = [Infinity, -Infinity];
  for (const p of values) [lo, hi] = [Math.min(lo, p), Math.max(hi, p)];
  const logScale = values.length > 0 && hi / lo > 20;
  const showSymbol = history.length <= 30;
  const series = [{ name: 'train', type: 'line' as const, data: train, showSymbol, color: '#1f77b4' }];
  if (valid.length > 0) series.push({ name: 'validation', type: 'line' as const, data: valid, showSymbol, color: '#ff7f0e' });

  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width ?? 720, height: options.height ?? 420 });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      title: { text: options.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { top: 28, data: series.map((s) => s.name) },
      grid: { left: 64, right: 24, top: 64, bottom: 48 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 28, min: 1, max: Math.max(2, history.length === 0 ? 2 : history[history.length - 1]!.epoch), minInterval: 1 },
      yAxis: { type: logScale ? 'log' : 'value', name: 'perplexity', scale: true },
      series,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Writes the chart atomically (io/files.ts), so a reader never sees half a file and no temp file is left. */
export async function writePerplexityChart(path: string, history: readonly EpochStats[], options: ChartOptions): Promise<void> {
  await writeFileAtomic(path, await perplexitySvg(history, options));
}
