// Tests for tables and forecasting series: CSV / TSV / JSON lines parsing with file lines in errors, every
// one-line error of the series reader (non-numeric cell, missing values, unknown column, constant target, dates
// out of order, too few rows), the fills, dates and their step, and the built-in births series.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  birthsTable, dateStep, fillMissing, futureDates, loadBirths, parseDate, parseSeries, parseTable, seasonOfStep, seriesColumn,
} from '../src/data/index.js';
import { throwsOneLine } from './helpers/one-line.js';


test('parseTable: quoted fields with commas, quotes and line breaks; each row knows its file line', () => {
  const t = parseTable('a,b\r\n1,"x,y"\r\n2,"multi\nline ""q"""\r\n\r\n3,4\r\n', { source: 'f.csv' });
  assert.equal(t.format, 'csv');
  assert.deepEqual(t.columns, ['a', 'b']);
  assert.deepEqual(t.rows, [['1', 'x,y'], ['2', 'multi\nline "q"'], ['3', '4']]);
  assert.deepEqual(t.lines, [2, 3, 6]);
});

test('parseTable: TSV by extension or by sniffing, JSON lines with missing keys as null, a BOM dropped', () => {
  assert.deepEqual(parseTable('a\tb\n1\t2\n', { source: 'x.tsv' }).rows, [['1', '2']]);
  const sniffed = parseTable('\uFEFFa\tb\n1\t2\n');
  assert.equal(sniffed.format, 'tsv');
  assert.deepEqual(sniffed.columns, ['a', 'b']);
  const j = parseTable('{"a":1,"b":"x"}\n\n{"a":null}\n{"b":"y"}\n');
  assert.equal(j.format, 'jsonl');
  assert.deepEqual(j.rows, [[1, 'x'], [null, null], [null, 'y']]);
  assert.deepEqual(j.lines, [1, 3, 4]);
});

test('parseTable: malformed input is a one-line error naming the source and line', () => {
  throwsOneLine(() => parseTable('', { source: 'f.csv' }), /^f\.csv is empty$/);
  throwsOneLine(() => parseTable('a,b\n', { source: 'f.csv' }), /f\.csv has a header but no data rows/);
  throwsOneLine(() => parseTable('a,b\n1,2\n3\n', { source: 'f.csv' }), /f\.csv line 3: 1 field, but the header has 2 \(a, b\)/);
  throwsOneLine(() => parseTable('a,b\n1,"x\n2,3\n', { source: 'f.csv' }), /f\.csv line 2: a quoted field is never closed/);
  throwsOneLine(() => parseTable('a,a\n1,2\n', { source: 'f.csv' }), /names column 'a' twice/);
  throwsOneLine(() => parseTable('{"a":1}\n{x\n', { source: 'f.jsonl' }), /f\.jsonl line 2: not valid JSON/);
  throwsOneLine(() => parseTable('{"a":1}\n[1]\n', { source: 'f.jsonl' }), /line 2: expected a JSON object, got an array/);
  throwsOneLine(() => parseTable('{"a":1}\n{"c":2}\n', { source: 'f.jsonl' }), /line 2: key 'c' is not among the first line's keys \(a\)/);
  throwsOneLine(() => parseTable('{"a":{"b":1}}\n', { source: 'f.jsonl' }), /line 1, column 'a': expected a number or a string, got an object/);
});

const CSV = 'date,sales,temp\n2024-01-01,10,3.5\n2024-01-02,12,4\n2024-01-03,11,2.5\n2024-01-04,15,1\n';

test('parseSeries: the date column is found, the only-numeric target chosen by name, covariates the rest', () => {
  const s = parseSeries(CSV, { target: 'sales', source: 's.csv' });
  assert.equal(s.dateColumn, 'date');
  assert.deepEqual(s.columns, ['sales', 'temp']);
  assert.equal(s.targetCount, 1);
  assert.deepEqual(Array.from(s.values), [10, 3.5, 12, 4, 11, 2.5, 15, 1]);
  assert.deepEqual(s.dates, ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04']);
  assert.equal(s.times![1]! - s.times![0]!, 86_400_000);
  assert.deepEqual(Array.from(seriesColumn(s, 1, 1, 3)), [4, 2.5]);
  // With one numeric column the target needs no name; with several it does.
  assert.deepEqual(parseSeries('t,y\n2024-01-01,1\n2024-01-02,2\n').columns, ['y']);
  throwsOneLine(() => parseSeries(CSV, { source: 's.csv' }), /s\.csv: name the target column\(s\) to forecast \(numeric columns: sales, temp\)/);
  // Targets first, then covariates, in the order named; covariates: [] leaves the others out.
  assert.deepEqual(parseSeries(CSV, { target: ['temp', 'sales'] }).columns, ['temp', 'sales']);
  assert.deepEqual(parseSeries(CSV, { target: 'sales', covariates: [] }).columns, ['sales']);
  assert.equal(parseSeries(CSV, { target: 'sales', date: false, covariates: [] }).dates, null);
});

test('parseSeries: a non-numeric cell names its row, line and column', () => {
  throwsOneLine(() => parseSeries('date,sales\n2024-01-01,10\n2024-01-02,abc\n', { source: 's.csv', target: 'sales' }), /^s\.csv row 2 \(line 3\), column 'sales': 'abc' is not a number$/);
  throwsOneLine(() => parseSeries('{"y":1}\n{"y":true}\n', { source: 's.jsonl', target: 'y' }), /s\.jsonl row 2 \(line 2\), column 'y': true is not a number/);
  throwsOneLine(() => parseSeries('a,b\n1,x\n2,y\n', { target: 'a' }), /row 1 \(line 2\), column 'b': 'x' is not a number/);
  throwsOneLine(() => parseSeries('y\n1e400\n2\n', { target: 'y' }), /'1e400' is not a number/); // Infinity is no measurement
});

test('parseSeries: missing values are an error unless a fill is asked for', () => {
  const text = 'y,x\n1,0\n,0\nNA,1\n4,1\nnull,2\n';
  throwsOneLine(() => parseSeries(text, { target: 'y', source: 'm.csv' }), /^m\.csv: column 'y' has 3 missing values \(first at row 2 \(line 3\)\); fill them with 'previous' or 'linear'$/);
  const previous = parseSeries(text, { target: 'y', fill: 'previous' });
  assert.deepEqual(Array.from(seriesColumn(previous, 0)), [1, 1, 1, 4, 4]);
  assert.equal(previous.filled, 3);
  const linear = parseSeries(text, { target: 'y', fill: 'linear' });
  assert.deepEqual(Array.from(seriesColumn(linear, 0)), [1, 2, 3, 4, 4]); // a trailing gap holds the last value, as pandas
  throwsOneLine(() => parseSeries('y\n\n', { target: 'y' }), /has a header but no data rows/);
  throwsOneLine(() => parseSeries('y,x\n,1\n2,2\n', { target: 'y', fill: 'previous' }), /column 'y': the first value is missing, with no earlier value to fill from/);
  throwsOneLine(() => parseSeries(text, { target: 'y', fill: 'mean' as 'linear' }), /fill must be 'error', 'previous' or 'linear', got "mean"/);
});

test('fillMissing: linear interpolation by row across a gap of several', () => {
  const column = Float64Array.from([0, NaN, NaN, NaN, 8]);
  assert.equal(fillMissing(column, 'linear'), 3);
  assert.deepEqual(Array.from(column), [0, 2, 4, 6, 8]);
});

test('parseSeries: unknown columns, a constant target, a target that is the date column', () => {
  throwsOneLine(() => parseSeries(CSV, { target: 'revenue', source: 's.csv' }), /^s\.csv: unknown target column 'revenue' \(columns: date, sales, temp\)$/);
  throwsOneLine(() => parseSeries(CSV, { target: 'sales', covariates: ['wind'] }), /unknown covariate column 'wind'/);
  throwsOneLine(() => parseSeries(CSV, { target: 'sales', date: 'day' }), /unknown date column 'day'/);
  throwsOneLine(() => parseSeries(CSV, { target: 'date' }), /column 'date' holds the dates; it cannot also be a target/);
  throwsOneLine(() => parseSeries('y,x\n5,1\n5,2\n5,3\n', { target: 'y', source: 'c.csv' }), /^c\.csv: target column 'y' is constant \(every row is 5\): there is nothing to forecast$/);
  throwsOneLine(() => parseSeries(CSV, { target: ['sales', 'sales'] }), /column 'sales' is named twice/);
});

test('parseSeries: dates must parse and increase; a named date column is checked cell by cell', () => {
  throwsOneLine(() => parseSeries('d,y\n2024-01-02,1\n2024-01-01,2\n', { target: 'y', date: 'd' }), /row 2 \(line 3\): date '2024-01-01' is not after the previous row's/);
  throwsOneLine(() => parseSeries('d,y\n2024-01-01,1\n2024-02-30,2\n', { target: 'y', date: 'd' }), /row 2 \(line 3\), column 'd': '2024-02-30' is not a date/);
  throwsOneLine(() => parseSeries('d,y\n2024-01-01,1\n,2\n', { target: 'y', date: 'd' }), /row 2 \(line 3\): the date in column 'd' is missing/);
  // A column of years is numbers, not dates: it is not taken as the date column.
  assert.equal(parseSeries('year,y\n2000,1\n2001,2\n', { target: 'y' }).dateColumn, null);
  throwsOneLine(() => parseSeries('a,b,y\n2024-01-01,2024-01-01,1\n2024-01-02,2024-01-02,2\n', { target: 'y' }), /columns 'a' and 'b' both hold dates; name the date column/);
});

test('parseDate: ISO-like forms, offsets, and impossible days refused', () => {
  assert.equal(parseDate('2000-01-31'), Date.UTC(2000, 0, 31));
  assert.equal(parseDate('2000/1/31'), Date.UTC(2000, 0, 31));
  assert.equal(parseDate('2000-03'), Date.UTC(2000, 2, 1));
  assert.equal(parseDate('2000-01-31T13:45:07.25Z'), Date.UTC(2000, 0, 31, 13, 45, 7, 250));
  assert.equal(parseDate('2000-01-31 13:45+02:00'), Date.UTC(2000, 0, 31, 11, 45));
  for (const bad of ['2001-02-29', '2000-13-01', '2000-01-01 24:00', '31/01/2000', '12', 'soon']) assert.equal(parseDate(bad), null, bad);
});

test('dateStep, seasonOfStep, futureDates: days give 7, months 12, quarters 4, hours 24', () => {
  const days = [0, 1, 2, 4, 5].map((d) => Date.UTC(2024, 0, 1 + d)); // one missing day: the median step is still a day
  assert.deepEqual(dateStep(days), { unit: 'ms', count: 86_400_000 });
  assert.equal(seasonOfStep(dateStep(days)!), 7);
  const months = ['2023-11-30', '2023-12-30', '2024-01-30'].map((d) => parseDate(d)!);
  assert.deepEqual(dateStep(months), { unit: 'month', count: 1 });
  assert.equal(seasonOfStep({ unit: 'month', count: 1 }), 12);
  assert.equal(seasonOfStep({ unit: 'month', count: 3 }), 4);
  assert.equal(seasonOfStep({ unit: 'ms', count: 3_600_000 }), 24);
  assert.equal(seasonOfStep({ unit: 'month', count: 12 }), undefined);
  assert.deepEqual(futureDates('2014-12-30', { unit: 'ms', count: 86_400_000 }, 3), ['2014-12-31', '2015-01-01', '2015-01-02']);
  assert.deepEqual(futureDates('2024-11', { unit: 'month', count: 1 }, 2), ['2024-12', '2025-01']);
  assert.deepEqual(futureDates('2024-01-01 22:00', { unit: 'ms', count: 3_600_000 }, 2), ['2024-01-01T23:00:00.000Z', '2024-01-02T00:00:00.000Z']);
});

test('built-in births: 5,479 days 2000-01-01 .. 2014-12-31 from the package, the same as its CSV', async () => {
  const s = await loadBirths(['day_of_week']);
  assert.equal(s.length, 5479);
  assert.deepEqual(s.columns, ['births', 'day_of_week']);
  assert.equal(s.dates![0], '2000-01-01');
  assert.equal(s.dates![s.length - 1], '2014-12-31');
  assert.deepEqual(Array.from(s.values.subarray(0, 4)), [9083, 6, 8006, 7]); // the package's first rows
  assert.deepEqual(dateStep(s.times!), { unit: 'ms', count: 86_400_000 });
  throwsOneLine(() => birthsTable([{ year: 2000 }]), /record 0 has no integer 'month'/);
  throwsOneLine(() => birthsTable({}), /expected a non-empty array of records/);
});
