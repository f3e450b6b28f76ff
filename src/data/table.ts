// Tables for the forecasting and classification data: CSV / TSV with a header row (parsed by papaparse, quoted
// fields and line breaks inside quotes included) or JSON lines (one object per line). Every row remembers the file
// line it started on, so an error can name it. Cells stay as given (strings, or JSON values); what they must
// mean (numbers, dates, labels) is decided by series.ts and labelled.ts. No Node imports: a page can bundle it.

import Papa from 'papaparse';

export type TableFormat = 'csv' | 'tsv' | 'jsonl';

/** A cell as the file gave it: always a string in CSV/TSV; any JSON scalar in JSON lines (null when absent). */
export type TableCell = string | number | boolean | null;

export interface Table {
  /** Where the table came from (a file name, or 'data'), used in every error message. */
  source: string;
  format: TableFormat;
  columns: string[];
  /** rows[r][c]; every row has exactly columns.length cells. */
  rows: TableCell[][];
  /** The 1-based file line each row starts on (the header, or the first JSON object, is line 1 or later). */
  lines: number[];
}

export interface TableOptions {
  /** Default: from the source's extension (.csv, .tsv/.tab, .jsonl/.ndjson), else from the text itself. */
  format?: TableFormat;
  /** Names the table in errors (default 'data'). */
  source?: string;
}

/** The format a file name's extension says, or undefined when it says none. */
export function tableFormatOf(name: string): TableFormat | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  return undefined;
}

// Without a name to go by: JSON lines open with '{'; a header line with tabs and no commas is TSV; else CSV.
function sniffFormat(text: string): TableFormat {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('{')) return 'jsonl';
  const header = body.split(/\r\n|\r|\n/, 1)[0] ?? '';
  return header.includes('\t') && !header.includes(',') ? 'tsv' : 'csv';
}

/** Parses a table; fails with one line naming the source and the line for malformed input. */
export function parseTable(text: string, options: TableOptions = {}): Table {
  const source = options.source ?? 'data';
  const format = options.format ?? tableFormatOf(source) ?? sniffFormat(text);
  if (text.trim().replace(/^\uFEFF/, '').length === 0) throw new Error(`${source} is empty`);
  if (format === 'jsonl') return parseJsonLines(text, source);
  if (format === 'csv' || format === 'tsv') return parseDelimited(text, source, format);
  throw new Error(`${source}: format must be 'csv', 'tsv' or 'jsonl', got ${JSON.stringify(format)}`);
}

/** Line numbers (1-based) of character offsets given in increasing order, in one pass over the text. */
function linesAt(text: string, offsets: readonly number[]): number[] {
  const out: number[] = [];
  let line = 1;
  let pos = 0;
  for (const offset of offsets) {
    for (; pos < offset; pos++) if (text.charCodeAt(pos) === 10) line++;
    out.push(line);
  }
  return out;
}

function parseDelimited(text: string, source: string, format: 'csv' | 'tsv'): Table {
  text = text.replace(/^\uFEFF/, '');
  const records: string[][] = [];
  const starts: number[] = [];
  let cursor = 0;
  let quoteError: number | null = null;
  Papa.parse<string[]>(text, {
    delimiter: format === 'tsv' ? '\t' : ',',
    skipEmptyLines: true, // only truly empty lines: a row of empty cells is a row of missing values
    step(result) {
      // papaparse reports where each record ends; it starts after the previous one's end and any blank lines.
      let start = cursor;
      while (start < text.length && (text[start] === '\n' || text[start] === '\r')) start++;
      if (result.errors.some((e) => e.code === 'MissingQuotes') && quoteError === null) quoteError = start;
      records.push(result.data);
      starts.push(start);
      cursor = result.meta.cursor;
    },
  });
  const lines = linesAt(text, quoteError === null ? starts : [...starts, quoteError]);
  if (quoteError !== null) throw new Error(`${source} line ${lines[lines.length - 1]}: a quoted field is never closed`);
  const [header, ...rows] = records;
  if (header === undefined) throw new Error(`${source} is empty`);
  const columns = namesOf(header, source);
  if (rows.length === 0) throw new Error(`${source} has a header but no data rows`);
  rows.forEach((row, r) => {
    if (row.length !== columns.length) {
      throw new Error(`${source} line ${lines[r + 1]}: ${row.length} field${row.length === 1 ? '' : 's'}, but the header has ${columns.length} (${columns.join(', ')})`);
    }
  });
  return { source, format, columns, rows, lines: lines.slice(1) };
}

// Header names, trimmed; an unnamed column (a pandas index, say) is called 'column N'; duplicates are an error.
function namesOf(header: readonly string[], source: string): string[] {
  const names = header.map((name, k) => (name.trim() === '' ? `column ${k + 1}` : name.trim()));
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`${source}: the header names column '${name}' twice`);
    seen.add(name);
  }
  return names;
}

function parseJsonLines(text: string, source: string): Table {
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let columns: string[] | null = null;
  const rows: TableCell[][] = [];
  const lines: number[] = [];
  physical.forEach((raw, k) => {
    const line = k + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new Error(`${source} line ${line}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${source} line ${line}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`);
    }
    const object = value as Record<string, unknown>;
    // The first object fixes the columns; later objects may leave keys out (missing values) but not add any.
    if (columns === null) columns = namesOf(Object.keys(object), source);
    for (const key of Object.keys(object)) {
      if (!columns.includes(key)) throw new Error(`${source} line ${line}: key '${key}' is not among the first line's keys (${columns.join(', ')})`);
    }
    rows.push(columns.map((name) => jsonCell(object[name], source, line, name)));
    lines.push(line);
  });
  if (columns === null) throw new Error(`${source} is empty`);
  return { source, format: 'jsonl', columns, rows, lines };
}

function jsonCell(value: unknown, source: string, line: number, column: string): TableCell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new Error(`${source} line ${line}, column '${column}': expected a number or a string, got ${Array.isArray(value) ? 'an array' : 'an object'}`);
}

/** The index of a named column; an unknown name is a one-line error listing the columns there are. */
export function columnIndex(table: Table, name: string, role = 'column'): number {
  const k = table.columns.indexOf(name);
  if (k < 0) throw new Error(`${table.source}: unknown ${role} '${name}' (columns: ${table.columns.join(', ')})`);
  return k;
}

/** "row 3 (line 4)": data rows count from 1 under the header; the line is where the row starts in the file. */
export function rowName(table: Table, r: number): string {
  return `row ${r + 1} (line ${table.lines[r]})`;
}
