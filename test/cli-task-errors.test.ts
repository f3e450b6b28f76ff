// Bad input to `lstm train --task forecast|classify`, `eval` and `predict`: each case is one line `lstm: error: …`
// naming the problem, exit code 1, and the file at --out (given with --force, so only the failure can stop the
// overwrite) byte for byte as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lstm } from './helpers/cli.js';
import { labelledCsv, labelledWords, seriesCsv } from './helpers/task-data.js';
import { withTempDir } from './helpers/temp-dir.js';

const FORECAST = ['train', '--task', 'forecast', '--window', '10', '--horizon', '3', '--hidden', '8', '--epochs', '1', '--force'];
const CLASSIFY = ['train', '--task', 'classify', '--hidden', '8', '--embedding', '4', '--epochs', '1', '--force'];

/** Rows of the test series with one cell changed: row r (1-based, under the header), column c. */
function withCell(csv: string, r: number, c: number, value: string): string {
  const lines = csv.trimEnd().split('\n');
  const cells = lines[r]!.split(',');
  cells[c] = value;
  lines[r] = cells.join(',');
  return `${lines.join('\n')}\n`;
}

const SENTINEL = 'an earlier checkpoint that must survive\n';

async function refused(dir: string, args: string[], pattern: RegExp): Promise<void> {
  const out = join(dir, 'out.safetensors');
  await writeFile(out, SENTINEL);
  const r = await lstm([...args, '--out', out]);
  assert.equal(r.code, 1, `exit code for ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /^lstm: error: [^\n]+\n$/, 'one line');
  assert.match(r.stderr, pattern);
  assert.equal(await readFile(out, 'utf8'), SENTINEL, 'nothing overwritten');
}

test('forecast data: a non-numeric cell, missing values, too few rows, a constant target, an unknown column', async () => {
  await withTempDir('lstm-task-errors-', async (dir) => {
    const file = async (name: string, text: string): Promise<string> => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };
    const good = seriesCsv(80);
    await refused(dir, [...FORECAST, '--data', await file('text.csv', withCell(good, 3, 1, 'abc')), '--target', 'value'],
      /text\.csv row 3 \(line 4\), column 'value': 'abc' is not a number/);
    const gap = await file('gap.csv', withCell(withCell(good, 5, 1, ''), 6, 1, 'NA'));
    await refused(dir, [...FORECAST, '--data', gap, '--target', 'value'], /gap\.csv: column 'value' has 2 missing values \(first at row 5 \(line 6\)\); fill them with 'previous' or 'linear'/);
    await refused(dir, [...FORECAST, '--data', await file('short.csv', seriesCsv(12)), '--target', 'value'], /the series has 12 rows, fewer than window \+ horizon = 10 \+ 3/);
    const constant = good.replace(/^(\d{4}-\d\d-\d\d),[^,]+,/gm, '$1,5,');
    await refused(dir, [...FORECAST, '--data', await file('flat.csv', constant), '--target', 'value'], /target column 'value' is constant \(every row is 5\): there is nothing to forecast/);
    await refused(dir, [...FORECAST, '--data', await file('ok.csv', good), '--target', 'sales'], /ok\.csv: unknown target column 'sales' \(columns: date, value, temp\)/);
    await refused(dir, [...FORECAST, '--data', join(dir, 'ok.csv'), '--target', 'value', '--covariates', 'rain'], /unknown covariate column 'rain'/);
    await refused(dir, [...FORECAST, '--data', join(dir, 'none.csv')], /data file not found: .*none\.csv/);
    await refused(dir, [...FORECAST, '--data', join(dir, 'ok.csv'), '--target', 'value', '--pool', 'mean'], /--pool applies to --task classify, not to --task forecast/);
    await refused(dir, [...FORECAST, '--data', join(dir, 'ok.csv'), '--target', 'value', '--steps', '5'], /--steps applies to --task language-model, not to --task forecast/);

    // With --fill the gaps are filled and the run trains.
    const filled = await lstm([...FORECAST, '--data', gap, '--target', 'value', '--fill', 'linear', '--out', join(dir, 'filled.safetensors')]);
    assert.equal(filled.code, 0, filled.stderr);
    assert.match(filled.stdout, /2 missing values filled \(linear\)/);
  });
});

test('classify data: one class only, an empty text, a label never seen in training at eval, nothing to label', async () => {
  await withTempDir('lstm-task-errors-', async (dir) => {
    const examples = labelledWords(120);
    const file = async (name: string, text: string): Promise<string> => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };
    await refused(dir, [...CLASSIFY, '--data', await file('one.csv', labelledCsv(examples.map((e) => ({ ...e, label: 'yes' }))))],
      /one\.csv has only one class \('yes'\): classification needs at least two/);
    const empty = labelledCsv(examples).replace(/\n(a-i|k-u),[a-z]+\n/, '\n$1,\n');
    await refused(dir, [...CLASSIFY, '--data', await file('empty.csv', empty)], /empty\.csv row \d+ \(line \d+\): the text is empty/);
    await refused(dir, [...CLASSIFY, '--data', join(dir, 'empty.csv'), '--label', 'class'], /unknown label column 'class' \(columns: label, text\)/);
    await refused(dir, [...CLASSIFY, '--data', join(dir, 'empty.csv'), '--window', '4'], /--window applies to --task forecast, not to --task classify/);
    await refused(dir, [...CLASSIFY, '--data', await file('words3.csv', labelledCsv(examples)), '--class-weights', '1,2,3'], /--class-weights must be 2 finite numbers >= 0 \(one per class: a-i, k-u\), got 3/);

    const data = await file('words.csv', labelledCsv(examples));
    const model = join(dir, 'words.safetensors');
    const trained = await lstm([...CLASSIFY, '--data', data, '--out', model]);
    assert.equal(trained.code, 0, trained.stderr);
    const unseen = await file('unseen.csv', labelledCsv([...examples.slice(0, 3), { text: 'zed', label: 'neither' }]));
    const e = await lstm(['eval', '--model', model, '--data', unseen]);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /^lstm: error: .*unseen\.csv example 4: label 'neither' was never seen in training \(known labels: a-i, k-u\)\n$/);
    const blank = await file('blank.txt', 'anna\n\nbob\n');
    const p = await lstm(['predict', '--model', model, '--data', blank]);
    assert.equal(p.code, 1);
    assert.match(p.stderr, /^lstm: error: .*blank\.txt line 2 is empty; every input needs a text to label\n$/);
    const nothing = await lstm(['predict', '--model', model]);
    assert.match(nothing.stderr, /^lstm: error: nothing to label: give texts with --input or a --data file/);
  });
});
