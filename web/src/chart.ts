// The live learning curve: train and validation perplexity against characters seen, drawn with Apache ECharts
// (already the CLI's chart library) on a canvas. The chart's box has a fixed size and points are appended in
// place, so the page never re-lays out while training.
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { CurvePoint } from './protocol.js';
import { formatPerplexity } from './dom.js';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** Axis ticks are round numbers: 50k, 1.5M. */
const axisCount = (v: number): string => (v >= 1e6 ? `${+(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : String(v));

export class PerplexityChart {
  private readonly chart: echarts.ECharts;
  private train: Array<[number, number]> = [];
  private valid: Array<[number, number]> = [];

  constructor(el: HTMLElement) {
    this.chart = echarts.init(el, null, { renderer: 'canvas' });
    this.chart.setOption({
      animation: false,
      color: ['#3d5afe', '#f97316'],
      grid: { left: 48, right: 16, top: 36, bottom: 40 },
      legend: { top: 0, right: 0, itemWidth: 18, textStyle: { color: '#5d6475' } },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => formatPerplexity(Number(v)),
      },
      xAxis: {
        type: 'value', name: 'characters seen', nameLocation: 'middle', nameGap: 26, min: 0,
        nameTextStyle: { color: '#5d6475' }, axisLabel: { formatter: axisCount, color: '#5d6475', hideOverlap: true },
        splitLine: { show: false },
      },
      yAxis: {
        type: 'value', scale: true, name: 'perplexity', nameTextStyle: { color: '#5d6475', align: 'left' },
        axisLabel: { color: '#5d6475' }, splitLine: { lineStyle: { color: '#eceef3' } },
      },
      series: [
        { name: 'train', type: 'line', showSymbol: false, data: [], lineStyle: { width: 2 } },
        { name: 'validation', type: 'line', showSymbol: false, data: [], lineStyle: { width: 2 } },
      ],
    });
    new ResizeObserver(() => this.chart.resize()).observe(el);
  }

  add(point: CurvePoint): void {
    this.train.push([point.tokens, point.train]);
    if (point.valid !== null) this.valid.push([point.tokens, point.valid]);
    this.chart.setOption({ series: [{ data: this.train }, { data: this.valid }] });
  }

  clear(): void {
    this.train = [];
    this.valid = [];
    this.chart.setOption({ series: [{ data: [] }, { data: [] }] });
  }
}
