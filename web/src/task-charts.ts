// The forecast and classify views' charts, drawn with Apache ECharts on a canvas like the perplexity chart: the
// forecast over the truth (the history before the part in grey, the actual values, the model's forecast a horizon
// at a time), and validation accuracy as training goes on beside the majority class. Each chart starts when its
// view is first shown (a hidden element has no size to draw in) and says what it shows in its aria-label.
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { ClassifyPicture, ForecastPicture } from './task-protocol.js';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const MUTED = '#5d6475';
const axisText = { color: MUTED, hideOverlap: true };
const line = (name: string, color: string, extra: object = {}): object => ({ name, type: 'line', showSymbol: false, data: [], color, lineStyle: { width: 2, color }, ...extra });

/** A chart in a fixed box that follows the box's size. */
function chartIn(el: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({ animation: false, grid: { left: 56, right: 16, top: 36, bottom: 40 }, legend: { top: 0, right: 0, itemWidth: 18, textStyle: { color: MUTED } }, ...option });
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

export class ForecastChart {
  private readonly chart: echarts.ECharts;

  constructor(private readonly el: HTMLElement) {
    this.chart = chartIn(el, {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(v)) },
      xAxis: { type: 'value', scale: true, axisLabel: axisText, splitLine: { show: false } },
      yAxis: { type: 'value', scale: true, axisLabel: { ...axisText, formatter: (v: number) => compact.format(v) }, splitLine: { lineStyle: { color: '#eceef3' } } },
      series: [line('history', '#a0a6b5'), line('actual', '#1d2230'), line('forecast', '#f97316', { lineStyle: { width: 2, color: '#f97316', type: 'dashed' } })],
    });
  }

  show(p: ForecastPicture): void {
    // Dates are a time axis; a series without dates is drawn against its row numbers.
    this.chart.setOption({
      xAxis: { type: p.dates ? 'time' : 'value', name: p.dates ? '' : 'row', nameLocation: 'middle', nameGap: 26 },
      yAxis: { name: p.target, nameTextStyle: { color: MUTED, align: 'left' } },
      series: [{ data: p.history }, { data: p.truth }, { data: p.forecast }],
    });
    const part = p.part === 'valid' ? 'validation' : 'test';
    this.el.setAttribute('aria-label', `${p.target}: the model's forecast of ${p.forecast.length} rows over the actual values of ${p.truth.length} rows of the ${part} part, after ${p.history.length} rows of history`);
  }

  clear(): void {
    this.chart.setOption({ series: [{ data: [] }, { data: [] }, { data: [] }] });
    this.el.setAttribute('aria-label', 'The forecast over the actual values appears here while the model trains');
  }
}

export class AccuracyChart {
  private readonly chart: echarts.ECharts;
  private points: Array<[number, number]> = [];

  constructor(private readonly el: HTMLElement) {
    this.chart = chartIn(el, {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${(100 * Number(v)).toFixed(1)}%` },
      xAxis: { type: 'value', name: 'epochs', nameLocation: 'middle', nameGap: 26, min: 0, nameTextStyle: { color: MUTED }, axisLabel: axisText, splitLine: { show: false } },
      yAxis: { type: 'value', scale: true, max: 1, axisLabel: { ...axisText, formatter: (v: number) => `${Math.round(100 * v)}%` }, splitLine: { lineStyle: { color: '#eceef3' } } },
      series: [line('validation accuracy', '#3d5afe'), line('majority class', '#a0a6b5', { lineStyle: { width: 2, color: '#a0a6b5', type: 'dashed' } })],
    });
  }

  /** A live point of the run (an uploaded checkpoint's picture has no place on this axis). */
  add(p: ClassifyPicture): void {
    if (p.progress === null || p.part !== 'valid') return;
    this.points.push([p.progress, p.accuracy]);
    const majority = [[0, p.majority.accuracy], [Math.max(1, p.progress), p.majority.accuracy]];
    this.chart.setOption({ series: [{ data: this.points }, { data: majority }] });
    this.el.setAttribute('aria-label', `Validation accuracy at ${this.points.length} moments of training, last ${(100 * p.accuracy).toFixed(1)}%; the majority class scores ${(100 * p.majority.accuracy).toFixed(1)}%`);
  }

  clear(): void {
    this.points = [];
    this.chart.setOption({ series: [{ data: [] }, { data: [] }] });
    this.el.setAttribute('aria-label', 'Validation accuracy appears here while the model trains');
  }
}
