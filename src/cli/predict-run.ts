// The work of `lstm predict` (predict.ts defines the command): the forecast or the labels, as CSV (for --out) and as
// the lines printed (aligned for people, JSON lines with --json).
import { tableFormatOf } from '../data/table.js';
import { loadTaskCheckpoint } from '../train/checkpoint.js';
import { classifyTexts } from '../train/classify-session.js';
import type { ClassifyTask } from '../train/classify-task.js';
import { forecastNext } from '../train/forecast-session.js';
import { CLASSIFY_LOADER, FORECAST_LOADER } from '../train/task-loaders.js';
import { CliError } from './errors.js';
import { csvCell, type PredictFlags } from './predict.js';
import { formatValue } from './task-output.js';
import { readDataText, readTable } from './task-data.js';
import { seriesOf } from './task-eval.js';

export interface Prediction {
  csv: string;
  lines: string;
}

export async function predictForecast(flags: PredictFlags): Promise<Prediction> {
  if (flags.input !== undefined || flags.text !== undefined) throw new CliError(`--input and --text apply to a classifier; ${flags.model} is a forecast checkpoint`);
  const { task } = await loadTaskCheckpoint(flags.model, FORECAST_LOADER);
  const { series } = await seriesOf(task, flags.data, flags.model);
  const { dates, values, targets } = forecastNext(task, series);
  const K = targets.length;
  const first = dates === null ? 'step' : (series.dateColumn ?? 'date');
  const rows = Array.from({ length: values.length / K }, (_, s) => [dates === null ? String(s + 1) : dates[s]!, ...targets.map((_, k) => values[s * K + k]!)] as const);
  const csv = [[first, ...targets].map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
  if (flags.json === true) {
    const json = rows.map(([at, ...v]) => JSON.stringify({ [first]: dates === null ? Number(at) : at, ...Object.fromEntries(targets.map((t, k) => [t, v[k]])) }));
    return { csv, lines: `${json.join('\n')}\n` };
  }
  // Printed, the forecast is the same CSV with its numbers rounded as a person reads them.
  const shown = rows.map(([at, ...v]) => [at, ...v.map((x) => formatValue(x as number).replace(/,/g, ''))].map(csvCell).join(','));
  return { csv, lines: [[first, ...targets].map(csvCell).join(','), ...shown].join('\n') + '\n' };
}

/** The texts to label: --input, a table's text column, or the lines of a plain text file (an empty line is an error). */
async function textsOf(task: ClassifyTask, flags: PredictFlags): Promise<{ texts: string[]; where: (i: number) => string }> {
  if (flags.input !== undefined && flags.data !== undefined) throw new CliError('give the texts with --input or in a --data file, not both');
  if (flags.input !== undefined) return { texts: flags.input, where: (i) => `--input ${i + 1}` };
  if (flags.data === undefined) throw new CliError('nothing to label: give texts with --input or a --data file (a table with a text column, or one text per line)');
  const path = flags.data;
  if (tableFormatOf(path) !== undefined) {
    const table = await readTable(path);
    const column = flags.text ?? task.info.settings.textColumn ?? 'text';
    const k = table.columns.indexOf(column);
    if (k < 0) throw new CliError(`${path}: unknown text column '${column}' (columns: ${table.columns.join(', ')}); name it with --text`);
    return { texts: table.rows.map((row) => (row[k] === null ? '' : String(row[k]))), where: (i) => `${path} line ${table.lines[i]}` };
  }
  if (flags.text !== undefined) throw new CliError(`--text names a table column; ${path} is read as one text per line (give it a .csv, .tsv or .jsonl name to read it as a table)`);
  const lines = (await readDataText(path)).replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.at(-1) === '') lines.pop();
  return { texts: lines, where: (i) => `${path} line ${i + 1}` };
}

export async function predictClasses(flags: PredictFlags): Promise<Prediction> {
  const { task } = await loadTaskCheckpoint(flags.model, CLASSIFY_LOADER);
  const { texts, where } = await textsOf(task, flags);
  if (texts.length === 0) throw new CliError('nothing to label: the input holds no text');
  texts.forEach((t, i) => {
    if (t.trim() === '') throw new CliError(`${where(i)} is empty; every input needs a text to label`);
  });
  const results = classifyTexts(task, texts, where);
  const labels = task.info.labels.labels;
  const header = ['text', 'label', ...labels.map((l) => `p_${l}`)];
  const csv = [header.map(csvCell).join(','), ...results.map((r) => [r.text, r.label, ...labels.map((l) => r.probabilities[l]!)].map(csvCell).join(','))].join('\n') + '\n';
  if (flags.json === true) return { csv, lines: results.map((r) => JSON.stringify(r)).join('\n') + '\n' };
  const width = Math.max(5, ...labels.map((l) => l.length));
  const lines = results.map((r) => {
    const p = labels.map((l) => `${l} ${r.probabilities[l]!.toFixed(3)}`).join('  ');
    return `${r.label.padEnd(width)}  ${p}  ${JSON.stringify(r.text.length > 80 ? `${r.text.slice(0, 77)}...` : r.text)}`;
  });
  return { csv, lines: `${lines.join('\n')}\n` };
}
