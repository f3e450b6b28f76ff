// The data of `lstm train|eval|predict` for the forecast and classify tasks: a --data file (CSV, TSV or JSON lines,
// read strictly: a regular file within --max-data-size; missing, empty, binary or non-UTF-8 files are one-line errors), a folder of one sub-folder per
// class (classify), or without --data the built-in sets, which the output names so nobody mistakes them for theirs.
import { statSync } from 'node:fs';
import { BIRTHS_NAME, loadBirths } from '../data/series-births.js';
import { parseTable, type Table } from '../data/table.js';
import { seriesFromTable, type FillMode, type Series } from '../data/series.js';
import { labelledFromTable, type LabelledExample } from '../data/labelled.js';
import { loadNames, NAMES_NAME } from '../data/labelled-names.js';
import { readLabelledFolder } from '../data/labelled-folder.js';
import { readFileChecked } from '../io/files.js';
import { CliError } from './errors.js';

const onFetch = (m: string): void => void process.stderr.write(`lstm: ${m}\n`);

/** The text of a data file, strictly: a regular file within --max-data-size (io/files.ts), not empty, not binary, valid UTF-8. */
export async function readDataText(path: string, maxBytes?: number): Promise<string> {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError(`--data ${path} is a directory (a folder of one sub-folder per class is read by --task classify only)`);
  }
  const bytes = await readFileChecked(path, 'data file', { maxBytes, raiseWith: '--max-data-size' });
  if (bytes.length === 0) throw new CliError(`data file is empty: ${path}`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new CliError(`data file looks binary (NUL byte at offset ${nul}): ${path}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`data file is not valid UTF-8 text: ${path}`);
  }
}

export async function readTable(path: string, maxBytes?: number): Promise<Table> {
  return parseTable(await readDataText(path, maxBytes), { source: path });
}

export interface SeriesInput {
  series: Series;
  /** The file, or the built-in set's name. */
  source: string;
  builtin: boolean;
}

export interface SeriesFlags {
  target?: string[];
  covariates?: string[];
  date?: string;
  fill?: FillMode;
}

/** The series to train on: --data with the column flags, or the built-in births (target births). */
export async function loadSeries(path: string | undefined, flags: SeriesFlags & { maxDataSize?: number }): Promise<SeriesInput> {
  if (path === undefined) {
    if (flags.target !== undefined && (flags.target.length !== 1 || flags.target[0] !== 'births')) {
      throw new CliError(`--target ${flags.target.join(',')}: the built-in series (no --data) has the target column 'births' and the covariate 'day_of_week'`);
    }
    if (flags.date !== undefined && flags.date !== 'date') throw new CliError(`--date ${flags.date}: the built-in series' date column is 'date'`);
    return { series: await loadBirths(flags.covariates ?? [], { onFetch }), source: BIRTHS_NAME, builtin: true };
  }
  const table = await readTable(path, flags.maxDataSize);
  const series = seriesFromTable(table, {
    ...(flags.target === undefined ? {} : { target: flags.target }), ...(flags.covariates === undefined ? {} : { covariates: flags.covariates }),
    ...(flags.date === undefined ? {} : { date: flags.date }), ...(flags.fill === undefined ? {} : { fill: flags.fill }),
  });
  return { series, source: path, builtin: false };
}

/** True when a checkpoint's data is the built-in set of its task. */
export function isBuiltinSource(source: string | undefined): boolean {
  return source === BIRTHS_NAME || source === NAMES_NAME;
}

export interface ExamplesInput {
  examples: LabelledExample[];
  source: string;
  builtin: boolean;
  /** The table's label and text columns; null for the built-in set or a folder per class. */
  columns: { label: string; text: string } | null;
}

/** The labelled examples: a table with --label and --text columns, a folder per class, or the built-in names. */
export async function loadExamples(path: string | undefined, flags: { label?: string; text?: string; maxDataSize?: number }): Promise<ExamplesInput> {
  if (path === undefined) {
    if (flags.label !== undefined || flags.text !== undefined) throw new CliError('--label and --text name the columns of a --data file; the built-in names set (no --data) has none to choose');
    return { examples: await loadNames({ onFetch }), source: NAMES_NAME, builtin: true, columns: null };
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    if (flags.label !== undefined || flags.text !== undefined) throw new CliError(`--label and --text name table columns; ${path} is a folder, whose sub-folders are the labels`);
    return { examples: await readLabelledFolder(path, { maxBytes: flags.maxDataSize, raiseWith: '--max-data-size' }), source: path, builtin: false, columns: null };
  }
  const table = await readTable(path, flags.maxDataSize);
  const columns = { label: flags.label ?? 'label', text: flags.text ?? 'text' };
  return { examples: labelledFromTable(table, columns), source: path, builtin: false, columns };
}
