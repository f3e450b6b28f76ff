// The forecast task's part of `lstm train` (see task-train.ts): its flags to the library's trainForecaster, its
// header and epoch lines, the test metrics beside the naive and seasonal-naive baselines, and the SVG of history,
// forecast and truth beside the checkpoint.
import { basename } from 'node:path';
import type { ForecastData } from '../data/series-prepare.js';
import { forecastLines } from '../train/forecast-chart.js';
import { resumeForecaster, trainForecaster, type ForecastReport, type ForecastRun } from '../train/forecast-session.js';
import type { ForecastTask } from '../train/forecast-task.js';
import { describeTaskModel } from '../train/sequence-config.js';
import { FORECAST_LOADER } from '../train/task-loaders.js';
import { dataChecksum } from '../train/task-run.js';
import { CliError } from './errors.js';
import { formatCount, formatRate } from './format.js';
import { forecastSvgPathFor, writeForecastChart } from './forecast-svg.js';
import { commonConflicts, describeTaskTraining, type TaskCommand } from './task-train.js';
import { formatValue, table, type EpochView } from './task-output.js';
import { loadSeries, type SeriesInput } from './task-data.js';

type ForecastEpoch = { epoch: number; loss: number; valLoss: number | null; valMae: number | null; valMase: number | null; windowsPerSec: number };

export const FORECAST_VIEW: EpochView = {
  unit: 'win',
  line(stats, total) {
    const s = stats as unknown as ForecastEpoch;
    const val = s.valMae === null ? '' : `  val MAE ${formatValue(s.valMae)}  val MASE ${s.valMase!.toFixed(3)}`;
    return `epoch ${s.epoch}/${total}  loss ${s.loss.toFixed(4)}${val}  ${formatRate(s.windowsPerSec)} win/s`;
  },
  json(stats) {
    const { epoch, loss, valLoss, valMae, valMase, windowsPerSec } = stats as unknown as ForecastEpoch;
    return { epoch, loss, valLoss, valMae, valMase, windowsPerSec };
  },
};

/** The test (or other part's) metrics beside the baselines, one block per target. */
export function reportLines(report: ForecastReport, what: string): string[] {
  const lines = [`${what} (${formatCount(report.windows)} windows of the ${report.part} part, horizon ${report.predictions.length / (report.windows * report.targets.length)}):`];
  report.targets.forEach((name, k) => {
    if (report.targets.length > 1) lines.push(`  target ${name}:`);
    const row = (label: string, m: ForecastReport['model'][number]): string[] => [label, formatValue(m.mae), formatValue(m.rmse), m.smape.toFixed(2), m.mase.toFixed(3)];
    lines.push(...table([
      ['', 'MAE', 'RMSE', 'sMAPE %', 'MASE'],
      row('model', report.model[k]!),
      row(`seasonal-naive (${report.season})`, report.seasonalNaive[k]!),
      row('naive', report.naive[k]!),
    ]));
  });
  const m = report.model[0]!;
  const s = report.seasonalNaive[0]!;
  const verdict = m.mae < s.mae ? `beats seasonal-naive by ${(100 * (1 - m.mae / s.mae)).toFixed(1)}% on MAE` : `does not beat seasonal-naive on MAE (${formatValue(m.mae)} against ${formatValue(s.mae)})`;
  lines.push(`  the model ${verdict}${report.targets.length > 1 ? ` (target ${report.targets[0]})` : ''}`);
  return lines;
}

/** A report without its arrays, for JSON. */
export function reportJson(report: ForecastReport): Record<string, unknown> {
  const { part, windows, season, targets, model, naive, seasonalNaive, loss } = report;
  return { part, windows, season, targets, loss, model, seasonalNaive, naive };
}

/** Writes the SVG of history, forecast and truth over a report's part. */
export async function writeChart(path: string, run: { data: ForecastRun['data'] }, report: ForecastReport, title: string): Promise<void> {
  const { series } = run.data;
  const dates = series.dates;
  await writeForecastChart(path, { title, yLabel: report.targets[0]!, ...forecastLines(run.data, report), dateOf: dates === null ? null : (r) => dates[Math.min(r, dates.length - 1)]! });
}

function describeData(input: SeriesInput, task: ForecastTask, counts: { train: number; valid: number; test: number }): string {
  const { series } = input;
  const s = task.info.settings;
  const covariates = series.columns.slice(series.targetCount);
  const dates = series.dates === null ? 'no dates' : `${series.dates[0]} to ${series.dates.at(-1)}`;
  const filled = series.filled > 0 ? `, ${formatCount(series.filled)} missing values filled (${s.fill})` : '';
  return `data: ${input.source}${input.builtin ? ' (no --data given)' : ''}: ${formatCount(series.length)} rows (${dates}), target ${series.columns.slice(0, series.targetCount).join(', ')}` +
    `${covariates.length > 0 ? `, covariates ${covariates.join(', ')}` : ''}${filled}; windows of ${s.window} -> ${s.horizon}: ` +
    `${formatCount(counts.train)} train, ${formatCount(counts.valid)} validation, ${formatCount(counts.test)} test; season ${s.season} (${s.seasonSource}), loss ${s.loss}`;
}

export const FORECAST_COMMAND: TaskCommand<ForecastTask, SeriesInput, ForecastRun, ForecastData> = {
  loader: FORECAST_LOADER,
  view: FORECAST_VIEW,
  extraOutputs: (out) => [['forecast chart', forecastSvgPathFor(out)]],
  load: (flags) => loadSeries(flags.data, flags),
  conflicts(flags, given, task, options) {
    const { config: c, settings: s } = task.info;
    const targets = s.columns.slice(0, s.targetCount);
    return commonConflicts(flags, given, [
      ['cell', '--cell', c.cell], ['hidden', '--hidden', c.hiddenSize], ['layers', '--layers', c.numLayers], ['dropout', '--dropout', c.dropout],
      ['seed', '--seed', c.seed], ['bidirectional', '--bidirectional', c.bidirectional], ['window', '--window', s.window], ['horizon', '--horizon', s.horizon],
      ['loss', '--loss', s.loss], ['season', '--season', s.season], ['test', '--test', s.testFraction], ['target', '--target', targets],
      ['covariates', '--covariates', s.columns.slice(s.targetCount)], ['fill', '--fill', s.fill],
    ], options);
  },
  checkSameData(task, input, out) {
    const saved = task.info.data;
    if (saved !== null && saved.checksum !== dataChecksum(input.series.values)) {
      throw new CliError(`--resume: ${input.source} is not the series ${out} was trained on (${saved.source}); give the same --data to continue`);
    }
  },
  train(input, flags, training, paths, controls) {
    return trainForecaster(input.series, {
      window: flags.window, horizon: flags.horizon, loss: flags.loss, season: flags.season, validFraction: flags.valid, testFraction: flags.test, fill: flags.fill,
      model: { cell: flags.cell, hiddenSize: flags.hidden, numLayers: flags.layers, dropout: flags.dropout, bidirectional: flags.bidirectional, seed: flags.seed },
      training, ...paths, controls,
    });
  },
  resume: (out, input, options) => resumeForecaster(out, input.series, options),
  header(start, input, runtime) {
    const { task, data } = start;
    return [
      describeData(input, task, { train: start.trainCount, valid: start.validCount, test: data.test.count }),
      `model: ${describeTaskModel(task.info.config)}`,
      `training: ${describeTaskTraining(start.trainer.options)}, ${runtime}`,
    ];
  },
  async finish(run, input, out) {
    const lines: string[] = [];
    const summary: Record<string, unknown> = { data: input.source, parameters: run.task.model.parameters().reduce((n, p) => n + p.size, 0) };
    if (run.test !== null) {
      const which = run.keptEpoch === null ? '' : run.keptEpoch === run.trainer.epoch ? `, epoch ${run.keptEpoch}` : `, the best epoch's weights (epoch ${run.keptEpoch})`;
      lines.push(...reportLines(run.test, `test metrics${which}`));
      summary.test = reportJson(run.test);
    }
    const report = run.test;
    if (report !== null) {
      const svg = forecastSvgPathFor(out);
      const name = input.builtin ? 'US births' : basename(input.source);
      await writeChart(svg, run, report, `${name}: ${report.targets[0]} (${report.part} part), forecast ${run.task.info.settings.horizon} steps at a time`);
      lines.push(`forecast chart: ${svg}`);
      summary.svg = svg;
    }
    return { lines, summary };
  },
};
