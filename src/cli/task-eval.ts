// `lstm eval` of a forecaster or a classifier: its metrics beside the baselines on a part of the data. On the data the
// checkpoint was trained on (checked by its checksum) the default part is the test part of the same split; on other
// data it is all of it (every window, every example). Labels the model never saw and columns it does not know are
// one-line errors.
import { loadBirths } from '../data/series-births.js';
import { loadNames } from '../data/labelled-names.js';
import { readLabelledFolder } from '../data/labelled-folder.js';
import { labelledFromTable, type LabelledExample } from '../data/labelled.js';
import type { Series } from '../data/series.js';
import { init } from '../kernels/runtime.js';
import { loadTaskCheckpoint } from '../train/checkpoint.js';
import { classifyDataFor, classifyReport, examplesChecksum, type ClassifyReport } from '../train/classify-session.js';
import type { ClassifyTask } from '../train/classify-task.js';
import { forecastDataFor, forecastReport, seriesForTask } from '../train/forecast-session.js';
import type { ForecastTask } from '../train/forecast-task.js';
import { describeTaskModel } from '../train/sequence-config.js';
import { CLASSIFY_LOADER, FORECAST_LOADER } from '../train/task-loaders.js';
import { dataChecksum } from '../train/task-run.js';
import type { EvalFlags } from './args.js';
import { classifyReportLines } from './classify-cli.js';
import { CliError } from './errors.js';
import { reportJson, reportLines } from './forecast-cli.js';
import { isBuiltinSource, readTable } from './task-data.js';
import { dataFor } from './task-files.js';

export type Part = 'train' | 'valid' | 'test' | 'all';

const write = (text: string): void => void process.stdout.write(text);
const onFetch = (m: string): void => void process.stderr.write(`lstm: ${m}\n`);

/** The series a forecaster's command reads: --data with the checkpoint's columns, or the built-in births. */
export async function seriesOf(task: ForecastTask, given: string | undefined, model: string, maxBytes?: number): Promise<{ series: Series; source: string; builtin: boolean }> {
  const trained = task.info.data?.source;
  const builtin = given === undefined && isBuiltinSource(trained);
  const path = dataFor(given, trained, builtin, model);
  if (path === undefined) return { series: await loadBirths(task.info.settings.columns.slice(task.info.settings.targetCount), { onFetch }), source: trained!, builtin: true };
  return { series: seriesForTask(await readTable(path, maxBytes), task.info.settings), source: path, builtin: false };
}

/** The labelled examples a classifier's command reads: --data (a table or a folder per class), or the built-in names. */
export async function examplesOf(task: ClassifyTask, flags: { data?: string; label?: string; text?: string; maxDataSize?: number }, model: string): Promise<{ examples: LabelledExample[]; source: string }> {
  const trained = task.info.data?.source;
  const builtin = flags.data === undefined && isBuiltinSource(trained);
  const path = dataFor(flags.data, trained, builtin, model);
  if (path === undefined) return { examples: await loadNames({ onFetch }), source: trained! };
  const { statSync } = await import('node:fs');
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) return { examples: await readLabelledFolder(path, { maxBytes: flags.maxDataSize, raiseWith: '--max-data-size' }), source: path };
  const { settings } = task.info;
  const columns = { label: flags.label ?? settings.labelColumn ?? 'label', text: flags.text ?? settings.textColumn ?? 'text' };
  return { examples: labelledFromTable(await readTable(path, flags.maxDataSize), columns), source: path };
}

export async function taskEvalAction(flags: EvalFlags, kind: 'forecast' | 'classify'): Promise<number> {
  if (flags.batch !== undefined || flags.steps !== undefined || flags.maxTokens !== 0) {
    throw new CliError(`--batch, --steps and --max-tokens apply to a language model; ${flags.model} is a ${kind} checkpoint`);
  }
  await init({ backend: flags.backend, threads: flags.threads ?? 'auto' });
  return kind === 'forecast' ? evalForecaster(flags) : evalClassifier(flags);
}

async function evalForecaster(flags: EvalFlags): Promise<number> {
  if (flags.label !== undefined || flags.text !== undefined) throw new CliError(`--label and --text apply to a classifier; ${flags.model} is a forecast checkpoint`);
  const { task } = await loadTaskCheckpoint(flags.model, FORECAST_LOADER);
  const { series, source, builtin } = await seriesOf(task, flags.data, flags.model, flags.maxDataSize);
  const same = task.info.data !== null && task.info.data.checksum === dataChecksum(series.values);
  const part = flags.part ?? (same ? 'test' : 'all');
  const report = forecastReport(task, forecastDataFor(task, series), part);
  if (flags.json === true) {
    write(`${JSON.stringify({ task: 'forecast', checkpoint: flags.model, data: source, sameData: same, ...reportJson(report) })}\n`);
    return 0;
  }
  const lines = [
    `data: ${source}${builtin ? ' (no --data given)' : ''}: ${series.length.toLocaleString('en-US')} rows${same ? ', the data the model was trained on' : ''}`,
    `model: ${describeTaskModel(task.info.config)}`,
    ...reportLines(report, 'metrics'),
  ];
  write(`${lines.join('\n')}\n`);
  return 0;
}

async function evalClassifier(flags: EvalFlags): Promise<number> {
  const { task } = await loadTaskCheckpoint(flags.model, CLASSIFY_LOADER);
  const { examples, source } = await examplesOf(task, flags, flags.model);
  if (examples.length === 0) throw new CliError(`${source} holds no example`);
  const same = task.info.data !== null && task.info.data.checksum === examplesChecksum(examples);
  const part: Part = flags.part ?? (same ? 'test' : 'all');
  const prepared = classifyDataFor(task, examples, (i) => `${source} example ${i + 1}`);
  const data = part === 'all' ? prepared.all : prepared[part];
  if (data.classes.length === 0) throw new CliError(`the ${part} part of ${source} holds no example`);
  const report: ClassifyReport = classifyReport(task, data, part);
  if (flags.json === true) {
    write(`${JSON.stringify({ task: 'classify', checkpoint: flags.model, data: source, sameData: same, truncated: prepared.truncated, unknownTokens: prepared.unknownTokens, ...report })}\n`);
    return 0;
  }
  const notes = [prepared.truncated > 0 ? `${prepared.truncated} texts cut to ${task.info.settings.maxLength} tokens` : '', prepared.unknownTokens > 0 ? `${prepared.unknownTokens} tokens outside the vocabulary read as <unk>` : ''].filter(Boolean);
  const lines = [
    `data: ${source}: ${examples.length.toLocaleString('en-US')} examples${same ? ', the data the model was trained on' : ''}${notes.length > 0 ? `; ${notes.join(', ')}` : ''}`,
    `model: ${describeTaskModel(task.info.config)}`,
    ...classifyReportLines(report, 'metrics'),
  ];
  write(`${lines.join('\n')}\n`);
  return 0;
}
