// A numeric series for forecasting, read from a table (table.ts): an optional date column (named, or found as the
// one column whose every cell is a date), the target column(s), and the rest as covariates. Every cell must be a
// number; missing cells are an error unless a fill is asked for. Values are kept row-major (time, column) with
// the targets first, so a window's input is a plain slice and its target columns are 0..targetCount-1.
// Shapes: N rows (time steps), F = columns.length features, K = targetCount.

import { columnIndex, parseTable, rowName, type TableCell, type Table, type TableOptions } from './table.js';
import { parseDate } from './series-dates.js';

export type FillMode = 'error' | 'previous' | 'linear';

export interface SeriesOptions {
  /** Column(s) to forecast. Default: the only numeric column; required when there are several. */
  target?: string | readonly string[];
  /** The date column's name; false for none; default: the column whose every cell is a date, if there is one. */
  date?: string | false;
  /** Input-only columns. Default: every column that is neither the date nor a target. */
  covariates?: readonly string[];
  /** Missing cells: 'error' (default), carry the previous value forward, or interpolate linearly between rows. */
  fill?: FillMode;
}

export interface Series {
  source: string;
  /** Feature names in the order of `values`' columns: the K targets, then the covariates. */
  columns: string[];
  targetCount: number;
  /** N * F values, row-major: values[t * F + f]. */
  values: Float64Array;
  length: number;
  dateColumn: string | null;
  /** The date cells as written (for output), and as ms since the epoch; null without a date column. */
  dates: string[] | null;
  times: Float64Array | null;
  /** How many missing cells were filled. */
  filled: number;
}

// The spellings of a missing value that pandas' read_csv also treats as NaN (a subset), plus the empty cell.
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '#n/a', '<na>', '-nan']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function isMissing(cell: TableCell): boolean {
  return cell === null || (typeof cell === 'string' && MISSING.has(cell.trim().toLowerCase()));
}

/** The cell as a finite number, NaN when missing, or undefined when it is something else (text, a boolean). */
function numberOf(cell: TableCell): number | undefined {
  if (isMissing(cell)) return NaN;
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  const x = typeof cell === 'string' && NUMBER.test(cell.trim()) ? Number(cell.trim()) : NaN;
  return Number.isFinite(x) ? x : undefined; // '1e400' overflows to Infinity: no measurement
}

function show(cell: TableCell): string {
  return typeof cell === 'string' ? `'${cell.length > 40 ? cell.slice(0, 40) + '…' : cell}'` : JSON.stringify(cell);
}

function isDateColumn(table: Table, k: number): boolean {
  let dates = 0;
  for (const row of table.rows) {
    const cell = row[k]!;
    if (isMissing(cell)) continue;
    if (typeof cell !== 'string' || parseDate(cell) === null) return false;
    dates++;
  }
  return dates > 0;
}

function findDateColumn(table: Table, option: string | false | undefined): number | null {
  if (option === false) return null;
  if (option !== undefined) return columnIndex(table, option, 'date column');
  // Only columns that are not plain numbers can be dates: a column of years is a number column.
  const found = table.columns.map((_, k) => k).filter((k) => table.rows.some((row) => numberOf(row[k]!) === undefined) && isDateColumn(table, k));
  if (found.length > 1) throw new Error(`${table.source}: columns ${found.map((k) => `'${table.columns[k]}'`).join(' and ')} both hold dates; name the date column`);
  return found[0] ?? null;
}

function readDates(table: Table, k: number): { dates: string[]; times: Float64Array } {
  const name = table.columns[k];
  const dates: string[] = [];
  const times = new Float64Array(table.rows.length);
  table.rows.forEach((row, r) => {
    const cell = row[k]!;
    if (isMissing(cell)) throw new Error(`${table.source} ${rowName(table, r)}: the date in column '${name}' is missing`);
    const t = typeof cell === 'string' ? parseDate(cell) : null;
    if (t === null) throw new Error(`${table.source} ${rowName(table, r)}, column '${name}': ${show(cell)} is not a date (expected e.g. 2000-01-31 or 2000-01-31 13:45)`);
    if (r > 0 && !(t > times[r - 1]!)) {
      throw new Error(`${table.source} ${rowName(table, r)}: date ${show(cell)} is not after the previous row's (rows must be in time order, each date once)`);
    }
    dates.push(cell as string);
    times[r] = t;
  });
  return { dates, times };
}

/** One column as numbers (NaN where missing); a cell that is not a number is a one-line error naming row and column. */
function readColumn(table: Table, k: number): Float64Array {
  const out = new Float64Array(table.rows.length);
  table.rows.forEach((row, r) => {
    const x = numberOf(row[k]!);
    if (x === undefined) throw new Error(`${table.source} ${rowName(table, r)}, column '${table.columns[k]}': ${show(row[k]!)} is not a number`);
    out[r] = x;
  });
  return out;
}

/**
 * Fills the NaNs of one column in place and returns how many it filled. 'previous' carries the last value
 * forward (pandas ffill); 'linear' interpolates between the neighbouring values by row and holds the last value
 * over a trailing gap (pandas interpolate's default). A gap at the very start has nothing to fill from: an error.
 */
export function fillMissing(column: Float64Array, mode: 'previous' | 'linear', name = 'column'): number {
  let filled = 0;
  let last = -1; // index of the last known value
  for (let t = 0; t <= column.length; t++) {
    if (t < column.length && Number.isNaN(column[t]!)) continue;
    const gap = t - last - 1;
    if (gap > 0) {
      if (last < 0) throw new Error(`${name}: the first ${gap === 1 ? 'value is' : `${gap} values are`} missing, with no earlier value to fill from`);
      for (let s = last + 1; s < t; s++) {
        const a = column[last]!;
        column[s] = mode === 'linear' && t < column.length ? a + ((column[t]! - a) * (s - last)) / (t - last) : a;
      }
      filled += gap;
    }
    last = t;
  }
  return filled;
}

/** Builds a series from a parsed table: picks the date, target and covariate columns and reads them as numbers. */
export function seriesFromTable(table: Table, options: SeriesOptions = {}): Series {
  const dateIndex = findDateColumn(table, options.date);
  const notDate = table.columns.filter((_, k) => k !== dateIndex);
  let targets: string[];
  if (options.target === undefined) {
    const numeric = notDate.filter((name) => table.rows.every((row) => numberOf(row[table.columns.indexOf(name)]!) !== undefined));
    if (numeric.length !== 1) {
      throw new Error(`${table.source}: name the target column(s) to forecast (${numeric.length === 0 ? 'no column is all numbers' : `numeric columns: ${numeric.join(', ')}`})`);
    }
    targets = numeric;
  } else targets = typeof options.target === 'string' ? [options.target] : [...options.target];
  if (targets.length === 0) throw new Error(`${table.source}: at least one target column is needed`);
  const covariates = options.covariates === undefined ? notDate.filter((name) => !targets.includes(name)) : [...options.covariates];
  const columns = [...targets, ...covariates];
  for (const name of columns) {
    const k = columnIndex(table, name, targets.includes(name) ? 'target column' : 'covariate column');
    if (k === dateIndex) throw new Error(`${table.source}: column '${name}' holds the dates; it cannot also be a ${targets.includes(name) ? 'target' : 'covariate'}`);
  }
  const twice = columns.find((name, k) => columns.indexOf(name) !== k);
  if (twice !== undefined) throw new Error(`${table.source}: column '${twice}' is named twice among the targets and covariates`);

  const length = table.rows.length;
  const F = columns.length;
  const values = new Float64Array(length * F);
  let filled = 0;
  columns.forEach((name, f) => {
    const k = table.columns.indexOf(name);
    const column = readColumn(table, k);
    const missing = column.reduce((n, x) => n + (Number.isNaN(x) ? 1 : 0), 0);
    if (missing > 0) {
      const fill = options.fill ?? 'error';
      if (fill === 'error') {
        const r = column.findIndex((x) => Number.isNaN(x));
        throw new Error(`${table.source}: column '${name}' has ${missing} missing value${missing === 1 ? '' : 's'} (first at ${rowName(table, r)}); fill them with 'previous' or 'linear'`);
      }
      if (fill !== 'previous' && fill !== 'linear') throw new Error(`fill must be 'error', 'previous' or 'linear', got ${JSON.stringify(fill)}`);
      filled += fillMissing(column, fill, `${table.source}: column '${name}'`);
    }
    if (f < targets.length && column.every((x) => x === column[0])) {
      throw new Error(`${table.source}: target column '${name}' is constant (every row is ${column[0]}): there is nothing to forecast`);
    }
    for (let t = 0; t < length; t++) values[t * F + f] = column[t]!;
  });
  const dated = dateIndex === null ? null : readDates(table, dateIndex);
  return {
    source: table.source, columns, targetCount: targets.length, values, length,
    dateColumn: dateIndex === null ? null : table.columns[dateIndex]!, dates: dated?.dates ?? null, times: dated?.times ?? null, filled,
  };
}

/** Parses CSV / TSV / JSON lines text into a series (parseTable, then seriesFromTable). */
export function parseSeries(text: string, options: SeriesOptions & TableOptions = {}): Series {
  return seriesFromTable(parseTable(text, options), options);
}

/** Column f of the series as its own array (a copy): e.g. the target history the baselines and MASE's scale need. */
export function seriesColumn(series: Series, f: number, start = 0, end = series.length): Float64Array {
  const F = series.columns.length;
  if (!(Number.isInteger(f) && f >= 0 && f < F)) throw new Error(`seriesColumn: column ${f} is out of range [0, ${F})`);
  const out = new Float64Array(end - start);
  for (let t = start; t < end; t++) out[t - start] = series.values[t * F + f]!;
  return out;
}
