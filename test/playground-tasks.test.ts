// The playground's forecast and classify views end to end in Debian's Chromium: build with Vite, serve with
// cross-origin isolation, switch tasks, train briefly on the built-in data and watch the forecast drawn over the
// truth with its metrics beside the baselines, live accuracy and the confusion matrix, type a name and see its class
// probabilities; check the page's runs against `lstm train` with the same settings, download both checkpoints and
// check them with the CLI (`lstm eval` gives the page's test MAE, `lstm predict` its probabilities), load them back,
// refuse one of another task or a hostile one in one line; upload tables and pick their columns; see bad uploads'
// one-line errors; the views at a phone's width; and train once more on a page without cross-origin isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatMetric, formatPercent } from '../web/src/format.js';
import { chromiumAvailable, CHROMIUM, launchChromium, type LaunchedBrowser } from './helpers/browser.js';
import { ROOT } from './helpers/cli.js';
import { editMeta, poke } from './helpers/hostile.js';
import { settle, textOf, untilText } from './helpers/page.js';
import { buildPlayground, pageErrors, previewPlayground } from './helpers/playground.js';
import { serveStatic } from './helpers/static-server.js';
import { labelledWords, seriesCsv } from './helpers/task-data.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const SHOTS = process.env.PLAYGROUND_SCREENSHOTS ?? join(ROOT, 'tmp/playground');

const skip = chromiumAvailable() ? false : `no Chromium at ${CHROMIUM} (.ci/run installs it with apt-get)`;
if (skip && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM}; .ci/run installs it`);

let work = '';
let outDir = '';
let browser: LaunchedBrowser | null = null;
const file = (name: string): string => join(work, name);

function cli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The summary line of `lstm train ... --json` (the run's last JSON line). */
function trainSummary(args: string[]): unknown {
  const lines = cli(['train', ...args, '--out', file(`cli-${args[1]}.lstm.safetensors`), '--json']).trim().split('\n');
  return (JSON.parse(lines.at(-1)!) as { summary: unknown }).summary;
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'lstm-ts-playground-tasks-'));
  outDir = file('page');
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(CLI)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  await buildPlayground(outDir);
  // A dated series with two numeric columns (so the column chooser matters), and one with a word among the numbers.
  writeFileSync(file('shop.csv'), seriesCsv(400).replace('date,value,temp', 'day,sales,temperature'));
  writeFileSync(file('bad-shop.csv'), 'day,sales\n2020-01-01,10\n2020-01-02,12\n2020-01-03,eleven\n2020-01-04,13\n');
  // Labelled words under other column names than label/text, with an id column that is neither.
  const words = labelledWords(300);
  writeFileSync(file('words.csv'), `id,kind,word\n${words.map((e, i) => `${i + 1},${e.label},${e.text}`).join('\n')}\n`);
  writeFileSync(file('bad.jsonl'), '{"label":"a","text":"one"}\n{"label":"b","text":"two"}\n{"label":"a","text":"  "}\n');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** Clicks Download in a view and saves the file in the work directory; returns its path. */
async function download(page: Page, prefix: string): Promise<string> {
  const [saved] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`${prefix}-download-button`).click()]);
  const path = file(saved.suggestedFilename());
  await saved.saveAs(path);
  return path;
}

// Functions run in the page take `any`: the tests' type-check knows Node's globals, not the DOM's.
/** The text of each cell of a table's body, row by row. */
async function tableCells(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows: any[]) => rows.map((r) => Array.from(r.children, (c: any) => String(c.textContent).trim())));
}

const NUMBER = /^[\d,]+(\.\d+)?%?$/;

test('playground: forecast and classify views, trained, measured, saved, loaded, with uploads', { skip, timeout: 90_000 }, async (t) => {
  const server = await previewPlayground(outDir);
  const page = await browser!.context.newPage();
  try {
    const errors = pageErrors(page);
    await page.goto(server.url);

    // ---- forecast: the built-in births, a short run; the validation forecast drawn over the truth, live ----
    await page.getByTestId('task-forecast').click();
    assert.equal(await page.getByTestId('task-forecast').getAttribute('aria-selected'), 'true');
    assert.equal(new URL(page.url()).hash, '#forecast');
    await untilText(page, 'fc-data-info', /^5,479 rows, 2000-01-01 to 2014-12-31/);
    await page.getByTestId('fc-hidden-select').selectOption('16');
    await page.getByTestId('fc-epochs-input').fill('30');
    // Every picture as it is drawn, with the run's state then: a small model's epoch takes a fraction of a second
    // on the fused engine, so the test cannot count on polling to catch the ones drawn while it trains.
    await page.evaluate(`window.seen = []; new MutationObserver(() => window.seen.push({
      state: document.getElementById('fc-state').textContent, chart: document.getElementById('fc-chart').getAttribute('aria-label'),
      rows: Array.from(document.querySelectorAll('#fc-metrics-body tr'), (tr) => Array.from(tr.children, (c) => c.textContent)),
    })).observe(document.getElementById('fc-chart'), { attributes: true, attributeFilter: ['aria-label'] })`);
    // Start, and Pause at once; Resume: the same trainer goes on where it stopped.
    await page.getByTestId('fc-train-button').click();
    assert.equal(await textOf(page, 'fc-train-button'), 'Pause');
    await page.getByTestId('fc-train-button').click();
    await untilText(page, 'fc-run-state', /^paused$/);
    assert.equal(await textOf(page, 'fc-train-button'), 'Resume');
    await page.getByTestId('fc-train-button').click();
    await untilText(page, 'fc-run-state', /^finished$/, 30_000);
    const seen = (await page.evaluate('window.seen')) as Array<{ state: string; chart: string; rows: string[][] }>;
    const live = seen.filter((p) => p.state === 'training' && /validation part/.test(p.chart));
    assert.ok(live.length >= 2, `validation forecasts drawn while training: ${JSON.stringify(seen.map((p) => [p.state, p.chart]))}`);
    for (const { chart, rows } of live) {
      const [, forecastRows, truthRows] = /forecast of (\d+) rows over the actual values of (\d+) rows/.exec(chart)!.map(Number);
      assert.ok(forecastRows! > 100 && truthRows! >= forecastRows!, chart);
      assert.deepEqual(rows.map((r) => r[0]), ['LSTM 16x1', 'naive', 'seasonal naive (7)']);
      assert.ok(rows.every((r) => r.slice(1).every((c) => NUMBER.test(c))), JSON.stringify(rows));
    }
    // The model learns: its validation MAE falls from the first picture to the last.
    const maeOf = (p: { rows: string[][] }): number => Number(p.rows[0]![1]!.replace(/,/g, ''));
    assert.ok(maeOf(live.at(-1)!) < maeOf(live[0]!), `validation MAE ${maeOf(live[0]!)} -> ${maeOf(live.at(-1)!)}`);
    // The end of the run: the test part, with the weights of the best validation epoch.
    assert.match((await page.getByTestId('fc-chart').getAttribute('aria-label'))!, /of the test part/);
    const rows = await tableCells(page, '[data-testid=fc-metrics-table]');
    const testMae = rows[0]![1]!;
    t.diagnostic(`forecast test: ${JSON.stringify(rows)}; ${await textOf(page, 'fc-chart-info')}`);
    await settle(page);
    await page.screenshot({ path: join(SHOTS, 'forecast.png'), fullPage: true });

    // The downloaded checkpoint is the CLI's: `lstm eval` on the built-in data gives the page's test MAE.
    const forecaster = await download(page, 'fc');
    const evaluated = JSON.parse(cli(['eval', '--model', forecaster, '--json'])) as { part: string; model: Array<{ mae: number }>; seasonalNaive: Array<{ mae: number }> };
    assert.equal(evaluated.part, 'test');
    assert.equal(formatMetric(evaluated.model[0]!.mae), testMae, 'lstm eval and the page agree on the test MAE');
    assert.equal(formatMetric(evaluated.seasonalNaive[0]!.mae), rows[2]![1]);
    // And the page trains what `lstm train` trains with the same settings: its run (paused and resumed) ends at the
    // CLI's test MAE, with the same best epoch kept.
    const fromCli = trainSummary(['--task', 'forecast', '--hidden', '16', '--epochs', '30']) as { keptEpoch: number; test: { model: Array<{ mae: number }> } };
    assert.equal(formatMetric(fromCli.test.model[0]!.mae), testMae, 'lstm train and the page agree on the test MAE');
    const kept = fromCli.keptEpoch === 30 ? 'After epoch 30 of 30' : `The best epoch's weights (epoch ${fromCli.keptEpoch} of 30)`;
    assert.ok((await textOf(page, 'fc-chart-info')).startsWith(`${kept}: `), await textOf(page, 'fc-chart-info'));

    // Loaded back into the view: the same forecasts of the same data.
    await page.getByTestId('fc-checkpoint-upload').setInputFiles(forecaster);
    await untilText(page, 'fc-model-info', /^Showing forecast-lstm-16x1-epoch30\.lstm\.safetensors: LSTM, 1 layer x 16 hidden/);
    await untilText(page, 'fc-chart-info', /^forecast-lstm-16x1-epoch30\.lstm\.safetensors: 541 windows of the test part/);
    assert.equal((await tableCells(page, '[data-testid=fc-metrics-table]'))[0]![1], testMae);

    // A hostile one gets the loader's checks in the page too: NaN weights, and a config far beyond a page's memory.
    const good = new Uint8Array(readFileSync(forecaster));
    writeFileSync(file('nan.lstm.safetensors'), poke(good, 'head.bias', 0, NaN));
    writeFileSync(file('wide.lstm.safetensors'), editMeta(good, (m) => (m.model.hiddenSize = 40000)));
    await page.getByTestId('fc-checkpoint-upload').setInputFiles(file('nan.lstm.safetensors'));
    await untilText(page, 'fc-model-info', /^nan\.lstm\.safetensors: head\.bias holds NaN at element 0/);
    await page.getByTestId('fc-checkpoint-upload').setInputFiles(file('wide.lstm.safetensors'));
    await untilText(page, 'fc-model-info', /^wide\.lstm\.safetensors: .*more than the 1\.0 GiB of a web page's budget/);

    // An uploaded table: its numeric columns to choose from, one chosen, a short run drawn against its dates.
    await page.getByTestId('fc-reset-button').click();
    await page.getByTestId('fc-data-select').selectOption('upload');
    await page.getByTestId('fc-upload').setInputFiles(file('shop.csv'));
    await untilText(page, 'fc-data-info', /^shop\.csv: 400 rows, 2020-01-01 to 2021-02-03; 2 numeric columns/);
    const options = await page.locator('[data-testid=fc-target-select] option').allTextContents();
    assert.deepEqual(options, ['sales', 'temperature']);
    await page.getByTestId('fc-target-select').selectOption('temperature');
    await page.getByTestId('fc-epochs-input').fill('1');
    await page.getByTestId('fc-train-button').click();
    await untilText(page, 'fc-run-state', /^finished$/, 20_000);
    assert.match((await page.getByTestId('fc-chart').getAttribute('aria-label'))!, /^temperature: the model's forecast of \d+ rows .* of the test part/);
    assert.match(await textOf(page, 'fc-run-info'), /^temperature from shop\.csv with sales as input: 400 rows/);

    // A bad upload: the library's one-line error naming the row and the column.
    await page.getByTestId('fc-reset-button').click();
    await page.getByTestId('fc-upload').setInputFiles(file('bad-shop.csv'));
    const bad = await untilText(page, 'fc-data-info', /eleven/);
    assert.equal(bad, "bad-shop.csv row 3 (line 4), column 'sales': 'eleven' is not a number");
    assert.ok(await page.getByTestId('fc-data-info').evaluate((el: any) => el.classList.contains('error') as boolean));

    // ---- classify: the built-in names, live accuracy and confusion matrix, a typed name's probabilities ----
    await page.getByTestId('task-classify').click();
    assert.equal(await page.locator('#forecast-view').isHidden(), true);
    await untilText(page, 'cl-data-info', /^8,003 examples, 2 classes: female 4,525, male 3,478$/);
    await page.getByTestId('cl-hidden-select').selectOption('16');
    await page.getByTestId('cl-epochs-input').fill('3');
    await page.evaluate(`window.seen = []; new MutationObserver(() => window.seen.push({
      state: document.getElementById('cl-state').textContent, accuracy: document.getElementById('cl-accuracy').textContent,
      info: document.getElementById('cl-confusion-info').textContent,
      cells: Array.from(document.querySelectorAll('#cl-confusion tbody tr'), (tr) => Array.from(tr.children, (c) => c.textContent)),
    })).observe(document.getElementById('cl-confusion-info'), { childList: true })`);
    await page.getByTestId('cl-train-button').click();
    await page.getByTestId('cl-input').fill('Emma');
    await untilText(page, 'cl-run-state', /^finished$/, 30_000);
    // Accuracy and the confusion matrix of the validation part, drawn while it trained.
    const pictures = (await page.evaluate('window.seen')) as Array<{ state: string; accuracy: string; info: string; cells: string[][] }>;
    const liveClasses = pictures.filter((p) => p.state === 'training' && /of the validation part/.test(p.info));
    assert.ok(liveClasses.length >= 1, `live pictures: ${JSON.stringify(pictures.map((p) => [p.state, p.info]))}`);
    for (const { accuracy, info, cells } of liveClasses) {
      assert.match(accuracy, /^\d+\.\d%$/);
      assert.deepEqual(cells.map((r) => r[0]), ['female', 'male']);
      const count = cells.flatMap((r) => r.slice(1)).reduce((n, c) => n + Number(c.replace(/,/g, '')), 0);
      assert.match(info, new RegExp(`: ${count} examples of the validation part`));
    }
    const accuracy = parseFloat(await textOf(page, 'cl-accuracy'));
    const majority = parseFloat(await textOf(page, 'cl-majority'));
    t.diagnostic(`names: test accuracy ${accuracy}% (majority ${majority}%), confusion ${JSON.stringify(await tableCells(page, '[data-testid=cl-confusion]'))}`);
    assert.ok(accuracy > majority + 10, `accuracy ${accuracy}% against the majority class's ${majority}%`);
    const cliRun = trainSummary(['--task', 'classify', '--hidden', '16', '--epochs', '3']) as { test: { accuracy: number } };
    assert.equal(formatPercent(cliRun.test.accuracy), await textOf(page, 'cl-accuracy'), 'lstm train and the page agree on the test accuracy');
    const bars = async (): Promise<Array<[string, string]>> =>
      page.locator('[data-testid=cl-probabilities] li').evaluateAll((lis: any[]) => lis.map((li): [string, string] => [li.querySelector('.label').textContent, li.querySelector('.value').textContent]));
    await untilText(page, 'cl-try-info', /^'female', by the model training here\.$/);
    const shown = await bars();
    assert.deepEqual(shown.map(([l]) => l), ['female', 'male']);
    await settle(page);
    await page.screenshot({ path: join(SHOTS, 'classify.png'), fullPage: true });

    // The downloaded checkpoint gives `lstm predict` the probabilities the page shows.
    const classifier = await download(page, 'cl');
    const predicted = JSON.parse(cli(['predict', '--model', classifier, '--input', 'Emma', '--json'])) as { label: string; probabilities: Record<string, number> };
    assert.equal(predicted.label, 'female');
    assert.deepEqual(shown, ['female', 'male'].map((l) => [l, formatPercent(predicted.probabilities[l]!)]));

    // A checkpoint of another task is refused with the loader's one line, in each view (the language model's too).
    await page.getByTestId('cl-checkpoint-upload').setInputFiles(forecaster);
    assert.equal(await untilText(page, 'cl-model-info', /checkpoint/), `${forecaster.split('/').pop()} is a forecast checkpoint, not a classify checkpoint`);
    await page.getByTestId('task-forecast').click();
    await page.getByTestId('fc-checkpoint-upload').setInputFiles(classifier);
    await untilText(page, 'fc-model-info', /\.safetensors is a classify checkpoint, not a forecast checkpoint$/);
    await page.getByTestId('task-language-model').click();
    await page.getByTestId('checkpoint-upload').setInputFiles(classifier);
    await untilText(page, 'model-info', /\.safetensors is a classify checkpoint, not a language-model checkpoint$/);

    // An uploaded table with its own column names: the columns chosen, a short run, a typed word's probabilities.
    await page.getByTestId('task-classify').click();
    await page.getByTestId('cl-reset-button').click();
    await page.getByTestId('cl-data-select').selectOption('upload');
    await page.getByTestId('cl-upload').setInputFiles(file('words.csv'));
    await untilText(page, 'cl-data-info', /^words\.csv: 300 examples, 2 classes: a-i \d+, k-u \d+$/);
    assert.deepEqual(await page.locator('[data-testid=cl-text-select] option').allTextContents(), ['id', 'kind', 'word']);
    await page.getByTestId('cl-label-select').selectOption('id');
    await untilText(page, 'cl-data-info', /^words\.csv: 300 examples, 300 classes/);
    await page.getByTestId('cl-label-select').selectOption('kind');
    await page.getByTestId('cl-text-select').selectOption('word');
    await untilText(page, 'cl-data-info', /^words\.csv: 300 examples, 2 classes/);
    await page.getByTestId('cl-epochs-input').fill('2');
    await page.getByTestId('cl-train-button').click();
    await untilText(page, 'cl-run-state', /^finished$/, 30_000);
    await page.getByTestId('cl-input').fill('tomba');
    await untilText(page, 'cl-try-info', /^'(a-i|k-u)', by the model training here\.$/);
    assert.deepEqual((await bars()).map(([l]) => l), ['a-i', 'k-u']);
    assert.deepEqual((await tableCells(page, '[data-testid=cl-confusion]')).map((r) => r[0]), ['a-i', 'k-u']);

    // The classifier of the names, loaded: it answers the box now, and says why it is not measured on these words.
    await page.getByTestId('cl-checkpoint-upload').setInputFiles(classifier);
    const loaded = await untilText(page, 'cl-model-info', /^Showing classify-bidirectional-lstm-16x1-epoch3\.lstm\.safetensors: bidirectional LSTM/);
    assert.match(loaded, /It is not measured on this data: example \d+: label '(a-i|k-u)' was never seen in training \(known labels: female, male\)\.$/);
    await page.getByTestId('cl-input').fill('Emma');
    await untilText(page, 'cl-try-info', /^'female', by classify-bidirectional-lstm-16x1-epoch3\.lstm\.safetensors\.$/);

    // A bad upload: an empty text, named by its line.
    await page.getByTestId('cl-reset-button').click();
    await page.getByTestId('cl-upload').setInputFiles(file('bad.jsonl'));
    assert.equal(await untilText(page, 'cl-data-info', /empty/), 'bad.jsonl row 3 (line 3): the text is empty');

    // A phone's width: both views in one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const view of ['classify', 'forecast']) {
      await page.getByTestId(`task-${view}`).click();
      await settle(page);
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      assert.ok(overflow <= 0, `the ${view} view is ${overflow}px wider than a phone`);
      await page.screenshot({ path: join(SHOTS, `phone-${view}.png`), fullPage: true });
    }
    assert.deepEqual(errors, [], 'no errors in the page');
  } finally {
    await page.close();
    await server.close();
  }
});

test('playground without cross-origin isolation: the classify view trains on one thread', { skip, timeout: 30_000 }, async () => {
  const server = await serveStatic(outDir, { isolated: false });
  const page = await browser!.context.newPage();
  try {
    const errors = pageErrors(page);
    await page.goto(`${server.url}#classify`);
    assert.equal(await page.evaluate('crossOriginIsolated'), false);
    await untilText(page, 'runtime-status', /1 thread: the page is not cross-origin isolated/);
    await untilText(page, 'cl-data-info', /^8,003 examples/);
    await page.getByTestId('cl-hidden-select').selectOption('8');
    await page.getByTestId('cl-epochs-input').fill('1');
    await page.getByTestId('cl-train-button').click();
    await untilText(page, 'cl-run-state', /^finished$/, 20_000);
    assert.match(await textOf(page, 'cl-accuracy'), /^\d+\.\d%$/);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.close();
  }
});
