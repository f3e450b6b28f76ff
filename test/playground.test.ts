// The browser playground (web/): its activation recorder against the library's own forward pass, then the page
// itself end to end in Debian's Chromium: build with Vite, serve with cross-origin isolation, train on the
// built-in corpus until perplexity falls, see a sample, load a CLI checkpoint and match the CLI's greedy text,
// open the activation view, take screenshots (tmp/playground/), and check the one-thread fallback without COOP/COEP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Tensor } from '../src/core/tensor.js';
import { buildModel, type CellKind } from '../src/train/index.js';
import { recordActivations } from '../web/src/inspect.js';
import { CHAR_CLASSES, rankUnits } from '../web/src/units.js';
import { chromiumAvailable, CHROMIUM, launchChromium, type LaunchedBrowser } from './helpers/browser.js';
import { editMeta, poke } from './helpers/hostile.js';
import { settle, textOf, until, untilText } from './helpers/page.js';
import { buildPlayground, pageErrors, previewPlayground } from './helpers/playground.js';
import { serveStatic } from './helpers/static-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const SHOTS = process.env.PLAYGROUND_SCREENSHOTS ?? join(ROOT, 'tmp/playground');
const PREFIX = 'Call me';
const LENGTH = 120;

for (const cell of ['lstm', 'gru', 'rnn'] as CellKind[]) {
  for (const embeddingDim of [undefined, 5]) {
    test(`activation recorder: ${cell}, 2 layers, ${embeddingDim === undefined ? 'one-hot' : 'embedding'} — last h (and c) equal the model's state`, () => {
      const model = buildModel({ cell, hiddenSize: 6, numLayers: 2, dropout: 0, vocabSize: 9, seed: 3, embeddingDim });
      const ids = [1, 4, 2, 8, 0, 5, 5, 3];
      const rec = recordActivations(model, ids);
      model.eval();
      const [, state] = model.forward(new Tensor(Float32Array.from(ids), [1, ids.length]));
      const [h, c] = state instanceof Tensor ? [state, null] : state;
      const last = (ids.length - 1) * 6;
      for (let l = 0; l < 2; l++) {
        for (let j = 0; j < 6; j++) {
          assert.ok(Math.abs(rec.layers[l]!.h![last + j]! - h!.data[l * 6 + j]!) < 1e-5, `layer ${l} h[${j}]`);
          if (c !== null) assert.ok(Math.abs(rec.layers[l]!.c![last + j]! - c!.data[l * 6 + j]!) < 1e-5, `layer ${l} c[${j}]`);
        }
      }
      if (cell === 'lstm') for (const g of ['i', 'f', 'o']) assert.ok(rec.layers[0]![g]!.every((v) => v > 0 && v < 1), `gate ${g} in (0, 1)`);
    });
  }
}

test("the page's code type-checks with the DOM's types (web/tsconfig.json)", () => {
  // The root typecheck knows only Node's globals, so the page, the worker and the Vite config are checked here.
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'web/tsconfig.json')], { cwd: ROOT, stdio: 'pipe' });
});

test('rankUnits finds the unit that lights up on spaces', () => {
  const tokens = Array.from('a b cd e f');
  const H = 3;
  const values = new Float32Array(tokens.length * H);
  tokens.forEach((t, k) => {
    values[k * H] = Math.sin(k); // noise
    values[k * H + 1] = t === ' ' ? 0.9 : 0.1; // the space unit
    values[k * H + 2] = t === ' ' ? -0.2 : 0.2; // weakly negative
  });
  const ranked = rankUnits(values, H, tokens.map(CHAR_CLASSES.spaces!.test));
  assert.equal(ranked[0]!.unit, 1);
  assert.ok(ranked[0]!.score > 3 && ranked[1]!.unit === 2 && ranked[1]!.score < 0);
  assert.deepEqual(rankUnits(values, H, tokens.map(() => false)), []);
});

// ---- the page in a real browser ----

const haveChromium = chromiumAvailable();
const skip = haveChromium ? false : `no Chromium at ${CHROMIUM} (.ci/run installs it with apt-get)`;
if (!haveChromium && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM}; .ci/run installs it`);

let work = '';
let outDir = '';
let cliCheckpoint = '';
let cliGreedy = '';
let cliSampled = '';
let browser: LaunchedBrowser | null = null;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'lstm-ts-playground-'));
  outDir = join(work, 'page');
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(CLI)) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  await buildPlayground(outDir);
  cliCheckpoint = join(work, 'cli.lstm.safetensors');
  // About 100 steps at a brisk rate: enough that greedy text has words in it ("Call me the the …"), not one letter.
  cli(['train', '--hidden', '32', '--epochs', '3', '--batch', '16', '--lr', '0.02', '--max-tokens', '20000', '--sample-length', '0', '--out', cliCheckpoint]);
  const generate = (...flags: string[]): string => cli(['generate', '--model', cliCheckpoint, '--prefix', PREFIX, '--length', String(LENGTH), ...flags]).replace(/\n$/, '');
  cliGreedy = generate();
  cliSampled = generate('--strategy', 'sample', '--temperature', '0.8'); // the page's default temperature; both seed 0
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** The number a metric shows, or NaN while it shows '—'. */
async function metric(page: Page, testId: string): Promise<number> {
  const m = /^([\d.]+)(k|M)?/.exec((await textOf(page, testId)).trim());
  return m === null ? NaN : Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

/** Clicks Generate and returns the text once the page has replaced its "Generating…". */
async function generated(page: Page): Promise<string> {
  await page.getByTestId('generate-button').click();
  return until(() => textOf(page, 'generated-text'), (t) => t !== '' && t !== 'Generating…', 'generated text');
}

test('playground: train in the browser, sample, load a CLI checkpoint, same greedy text, activation view', { skip, timeout: 120_000 }, async (t) => {
  const server = await previewPlayground(outDir);
  const page = await browser!.context.newPage();
  try {
    const errors = pageErrors(page);
    await page.goto(server.url);

    // Cross-origin isolated: shared memory, so the kernels' worker threads start (one per core, up to 16).
    assert.equal(await page.evaluate('crossOriginIsolated'), true, 'the preview server sends COOP/COEP');
    await untilText(page, 'runtime-status', /\d+ threads? · cross-origin isolated/);
    const cores = (await page.evaluate('navigator.hardwareConcurrency')) as number;
    if (cores > 1) await untilText(page, 'runtime-status', /([2-9]|\d\d) threads/, 15_000);
    t.diagnostic(`runtime: ${(await textOf(page, 'runtime-status')).trim()}`);

    // Train a small LSTM on the built-in corpus until the shown perplexity has clearly fallen.
    await page.getByTestId('corpus-select').selectOption('builtin');
    await page.getByTestId('hidden-select').selectOption('64');
    await page.getByTestId('train-button').click();
    await untilText(page, 'perplexity-value', /^\d/);
    const first = await metric(page, 'perplexity-value');
    const started = Date.now();
    let latest = first;
    while (latest > 0.75 * first && Date.now() - started < 45_000) {
      await page.waitForTimeout(500);
      latest = await metric(page, 'perplexity-value');
    }
    t.diagnostic(`perplexity ${first} -> ${latest} in ${((Date.now() - started) / 1000).toFixed(1)} s; ${await page.getByTestId('tokens-per-sec').textContent()} tokens/s`);
    assert.ok(latest <= 0.75 * first, `perplexity fell from ${first} to ${latest}`);
    assert.ok((await metric(page, 'tokens-per-sec')) > 0);
    const sample = await untilText(page, 'sample-text', /^The [^]{100}/, 20_000);
    assert.ok(sample.startsWith('The '), 'samples continue the prefix "The "');
    await settle(page);
    await page.screenshot({ path: join(SHOTS, 'laptop-training.png'), fullPage: true });

    // Pause, then download: the file is a CLI checkpoint that `lstm generate` reads.
    await page.getByTestId('train-button').click();
    await untilText(page, 'run-state', /^paused$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-button').click()]);
    const downloaded = join(work, download.suggestedFilename());
    await download.saveAs(downloaded);
    assert.match(cli(['generate', '--model', downloaded, '--prefix', 'The', '--length', '20']), /^The/);

    // A hostile upload gets the CLI loader's checks, in the page: NaN weights, and a small file whose config
    // claims a model far larger than a page's memory budget.
    const good = new Uint8Array(readFileSync(cliCheckpoint));
    const [nanFile, wideFile] = [join(work, 'nan.lstm.safetensors'), join(work, 'wide.lstm.safetensors')];
    writeFileSync(nanFile, poke(good, 'decoder.bias', 0, NaN));
    writeFileSync(wideFile, editMeta(good, (m) => (m.model.hiddenSize = 30000)));
    await page.getByTestId('checkpoint-upload').setInputFiles(nanFile);
    await untilText(page, 'model-info', /nan\.lstm\.safetensors: decoder\.bias holds NaN at element 0/);
    await page.getByTestId('checkpoint-upload').setInputFiles(wideFile);
    await untilText(page, 'model-info', /lstm 30000x\d.*needs about .* of memory, more than the 1\.0 GiB of a web page's budget/);

    // Load the CLI's checkpoint and generate greedily: the same text as `lstm generate`.
    await page.getByTestId('checkpoint-upload').setInputFiles(cliCheckpoint);
    await untilText(page, 'model-info', /Generating from cli\.lstm\.safetensors/);
    await page.getByTestId('prefix-input').fill(PREFIX);
    await page.getByTestId('length-input').fill(String(LENGTH));
    await page.getByTestId('strategy-select').selectOption('greedy');
    assert.equal(await generated(page), cliGreedy, 'greedy text in the page = the CLI');
    t.diagnostic(`greedy: ${JSON.stringify(cliGreedy.slice(0, 80))}…`);
    // Sampling draws from the same seeded generator as the CLI (seed 0), so it matches too.
    await page.getByTestId('strategy-select').selectOption('sample');
    assert.equal(await generated(page), cliSampled, 'sampled text at temperature 0.8 = the CLI');

    // The activation view: one coloured span per character of the text, and a ranked list of units.
    const text = await page.getByTestId('inspect-text').inputValue();
    await page.getByTestId('inspect-button').click();
    const spans = page.locator('[data-testid=activation-view] span.t');
    await until(() => spans.count(), (n) => n === Array.from(text).length, 'one span per character in the activation view');
    await page.getByTestId('signal-select').selectOption('f');
    await page.getByTestId('char-class-select').selectOption('spaces');
    assert.ok((await page.locator('[data-testid=top-units] li button').count()) > 0, 'units ranked for spaces');
    await page.locator('[data-testid=top-units] li button').first().click();
    const colours = await spans.evaluateAll((els) => new Set(els.map((e) => e.getAttribute('style'))).size);
    assert.ok(colours > 5, `the strip has ${colours} distinct colours`);
    await settle(page);
    await page.screenshot({ path: join(SHOTS, 'laptop.png'), fullPage: true });
    await page.locator('#inside').screenshot({ path: join(SHOTS, 'activation-view.png') });

    // A phone's width: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await settle(page);
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
    await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SHOTS, 'phone-top.png') });
    assert.deepEqual(errors, [], 'no errors in the page');
  } finally {
    await page.close();
    await server.close();
  }
});

test('playground without cross-origin isolation: one thread, and the page says so', { skip, timeout: 30_000 }, async () => {
  const server = await serveStatic(outDir, { isolated: false });
  const page = await browser!.context.newPage();
  try {
    await page.goto(server.url);
    assert.equal(await page.evaluate('crossOriginIsolated'), false);
    await untilText(page, 'runtime-status', /1 thread: the page is not cross-origin isolated/);
  } finally {
    await page.close();
    await server.close();
  }
});
