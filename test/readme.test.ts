// The README's promises: its first two commands are the install-and-run and the test commands; its "Use it in your
// project" programs are examples/node-app and examples/vite-app word for word (test/consumer.test.ts runs them
// from an installed package); its ten-line example is examples/quickstart.ts and runs; its table of defaults is
// the library's and the CLI's; and nothing before the developers' section points at files the package does not ship.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

import { defineTrain } from '../src/cli/args.js';
import { CLASSIFY_DEFAULTS, FORECAST_DEFAULTS, resolveTrainOptions, validateTextSettings, withModelDefaults } from '../src/train/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const forUsers = readme.slice(0, readme.indexOf('\n## For developers'));

/** The fenced blocks of `lang` in the section under `heading` (up to the next ## heading). */
function blocks(heading: string, lang: string): string[] {
  const start = readme.indexOf(`\n## ${heading}`);
  assert.ok(start >= 0, `README has a section "${heading}"`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

test('the README example is examples/quickstart.ts and it runs', () => {
  const [block] = blocks('Ten lines', 'ts');
  const example = readFileSync(`${root}examples/quickstart.ts`, 'utf8');
  assert.equal(block, example);
  assert.ok(example.split('\n').filter((l) => l.trim() !== '').length <= 10, 'ten lines at most');
  // `lstm-ts` resolves to this package itself (package.json "exports"), i.e. the built dist/.
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /output \[ 5, 2, 4 \] h \[ 2, 2, 4 \] c \[ 2, 2, 4 \]/);
  assert.match(run.stdout, /dL\/dW_i of layer 0: Float32Array\(12\)/);
});

test('the forecast and classify examples are examples/forecast.ts and examples/classify.ts, and they run', () => {
  const [forecast, classify] = blocks('Forecast a series', 'ts');
  for (const [block, file, expected] of [
    [forecast, 'examples/forecast.ts', /^test MAE [\d.]+ \(MASE 0\.\d{3}\); seasonal-naive MAE 465\.1\n2015-01-01 \d+\n(.*\n){5}2015-01-07 \d+\n$/],
    [classify, 'examples/classify.ts', /^test accuracy (8[5-9]|9\d)\.\d% \(majority class 'female' 56\.6%\)\n(fe)?male 0\.\d{3} Emma\n(fe)?male 0\.\d{3} James\n(fe)?male 0\.\d{3} Olivia\n$/],
  ] as const) {
    const example = readFileSync(`${root}${file}`, 'utf8');
    assert.equal(block, example, file);
    assert.ok(example.split('\n').filter((l) => l.trim() !== '').length <= 10, `${file}: ten lines at most`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    // With the defaults the forecaster beats seasonal-naive (MASE below 1) and the classifier is far above the majority.
    assert.match(run.stdout, expected);
  }
});

test("the tasks' defaults in the README are FORECAST_DEFAULTS and CLASSIFY_DEFAULTS", () => {
  const names: Record<string, string> = {
    hidden: 'hiddenSize', layers: 'numLayers', batch: 'batchSize', 'lr-schedule': 'lrSchedule', valid: 'validFraction', test: 'testFraction',
    'max-length': 'maxLength', embedding: 'embeddingDim',
  };
  for (const [task, defaults] of [['forecast', FORECAST_DEFAULTS], ['classify', CLASSIFY_DEFAULTS]] as const) {
    const row = new RegExp(`^\\| ${task} \\| \`([^\`]+)\` \\|$`, 'm').exec(readme);
    assert.ok(row, `a row of ${task} defaults`);
    const flags = [...row[1]!.matchAll(/--([a-z-]+)(?: ([^-\s][^\s]*))?/g)];
    assert.ok(flags.length >= 12);
    for (const [, flag, value] of flags) {
      const key = (names[flag!] ?? flag!) as keyof typeof defaults;
      const expected = defaults[key] as unknown;
      assert.notEqual(expected, undefined, `${task} --${flag} is in the table`);
      assert.deepEqual(value === undefined ? true : Number.isNaN(Number(value)) ? value : Number(value), expected, `${task} --${flag}`);
    }
  }
});

test('"Use it in your project" installs lstm-ts and shows the Node and the Vite programs the consumer test runs', () => {
  assert.deepEqual(blocks('Use it in your project', 'sh'), ['npm install lstm-ts\n']);
  const [node, page] = blocks('Use it in your project', 'ts');
  assert.equal(node, readFileSync(`${root}examples/node-app/main.ts`, 'utf8'));
  assert.equal(page, readFileSync(`${root}examples/vite-app/main.ts`, 'utf8'));
  assert.ok(!forUsers.includes('SIZES_'), 'the sizes are filled in');
});

test('the README opens with the install-and-run command and the test command', () => {
  const first = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(first);
  const commands = first[1]!.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('#')[0]!.trim());
  assert.deepEqual(commands, ['npm install && npm start', 'npm test']);
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.start!, /dist\/cli\/main\.js train/);
});

test("the README's table of defaults is the library's and the CLI's", () => {
  const library: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(withModelDefaults({ vocabSize: 1 }))) library[`model.${k}`] = v;
  for (const [k, v] of Object.entries(validateTextSettings({}))) library[`text.${k}`] = v;
  for (const [k, v] of Object.entries(resolveTrainOptions({}))) library[`training.${k}`] = v;
  const cli = new Map(defineTrain(new Command()).options.map((o) => [o.long, o.defaultValue as unknown]));
  const rows = [...readme.matchAll(/^\| `([a-zA-Z.]+)` \| `(--[a-z-]+)` \| `([^`]+)`(.*)\|$/gm)];
  assert.ok(rows.length >= 18, `rows: ${rows.length}`);
  for (const [, option, flag, value] of rows) {
    const parsed = JSON.parse(value!.replaceAll("'", '"')) as unknown;
    assert.deepEqual(library[option!], parsed, `library ${option}`);
    if (option !== 'training.lr') assert.deepEqual(cli.get(flag!), parsed, `CLI ${flag}`);
  }
});

test('nothing a package user reads points at files the package does not ship', () => {
  for (const path of ['examples/', 'scripts/', '../shared', 'bench/', 'src/']) assert.ok(!forUsers.includes(path), `${path} before the developers' section`);
  for (const command of ['export', 'import', 'train', 'generate', 'eval', 'predict']) {
    const help = spawnSync(process.execPath, ['dist/cli/main.js', command, '--help'], { cwd: root, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    for (const path of ['examples/', 'scripts/', '../shared']) assert.ok(!help.stdout.includes(path), `lstm ${command} --help mentions ${path}`);
  }
});
