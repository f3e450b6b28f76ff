// Tests for `lstm train`, run as a user would (a child process on src/cli/main.ts): it writes the checkpoint and
// the perplexity SVG and prints a sample; --json prints exactly one five-key object per epoch plus a summary;
// --resume (after a finished run or after Ctrl-C mid-epoch) continues to the very numbers of a straight run;
// --preset d2l with overrides trains on letters-only text and samples from "time traveller".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../src/train/index.js';
import { lstm } from './helpers/cli.js';
import { jsonLines, sameTensors } from './helpers/outputs.js';

const TIME_MACHINE = new URL('../../shared/data/timemachine.txt', import.meta.url);
const TINY = ['--hidden', '16', '--batch', '4', '--steps', '10', '--max-tokens', '3000'];



async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lstm-cli-train-'));
}

async function smallText(dir: string, chars = 6000): Promise<string> {
  const path = join(dir, 'small.txt');
  await writeFile(path, (await readFile(TIME_MACHINE, 'utf8')).slice(0, chars));
  return path;
}



test('train on a small text writes the checkpoint and the SVG curve and prints a sample', async () => {
  const dir = await tempDir();
  try {
    const data = await smallText(dir);
    const out = join(dir, 'm.safetensors');
    const r = await lstm(['train', '--data', data, ...TINY, '--epochs', '2', '--out', out, '--prefix', 'The ', '--sample-length', '20']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^data: .*small\.txt: 3,000 tokens \(char, preprocess none\), vocabulary \d+/m);
    assert.match(r.stdout, /^epoch 1\/2  loss \d+\.\d{3}  ppl \d+\.\d{2}  val \d+\.\d{2}  [\d,]+ tok\/s$/m);
    assert.match(r.stdout, /^epoch 2\/2  loss /m);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('sample (greedy, after "The "):'));
    assert.ok(at > 0, r.stdout);
    assert.ok(lines[at + 1]!.startsWith('The '), 'the sample starts with the prefix');
    assert.equal([...lines[at + 1]!].length, 4 + 20);

    const ckpt = await loadCheckpoint(out);
    assert.equal(ckpt.config.hiddenSize, 16);
    assert.equal(ckpt.training?.progress.epoch, 2);

    const svgPath = join(dir, 'm.perplexity.svg');
    assert.match(r.stdout, new RegExp(`perplexity curve: ${svgPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const svg = await readFile(svgPath, 'utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\s*$/);
    // The train series (its colour) is a drawn polyline with at least two points; validation is there too.
    const trainLine = [...svg.matchAll(/<path d="(M[^"]*)"[^>]*stroke="#1f77b4"/g)].map((m) => m[1]!);
    assert.ok(trainLine.some((d) => /L/.test(d)), 'a train perplexity line');
    assert.match(svg, /stroke="#ff7f0e"/, 'a validation line');
    for (const label of ['perplexity', 'epoch', 'train', 'validation']) assert.ok(svg.includes(`>${label}</text>`), label);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a drawn sample (top-k, seeded) is the one lstm generate draws, and the output says how to get the greedy one', async () => {
  const dir = await tempDir();
  try {
    const data = await smallText(dir);
    const out = join(dir, 'k.safetensors');
    const r = await lstm(['train', '--data', data, ...TINY, '--epochs', '1', '--out', out, '--prefix', 'The ', '--sample-length', '40', '--sample-strategy', 'top-k', '--sample-top-k', '3', '--seed', '7']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l === 'sample (top-k 3, seed 7, after "The "):');
    assert.ok(at > 0, r.stdout);
    const greedy = `lstm generate --model ${out} --prefix "The " --length 40`;
    assert.equal(lines.find((l) => l.startsWith('the greedy continuation')), `the greedy continuation (always the most likely next token): ${greedy}`);
    const [drawn, plain] = await Promise.all([
      lstm(['generate', '--model', out, '--prefix', 'The ', '--length', '40', '--strategy', 'top-k', '--top-k', '3', '--seed', '7']),
      lstm(['generate', '--model', out, '--prefix', 'The ', '--length', '40']),
    ]);
    const sample = lines.slice(at + 1, lines.findIndex((l) => l.startsWith('the greedy continuation'))).join('\n');
    assert.equal(drawn.stdout.trimEnd(), sample, 'the same draws as lstm generate with the same seed');
    assert.equal(plain.code, 0, plain.stderr);
    assert.ok(plain.stdout.startsWith('The '));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--json prints exactly one {epoch, loss, perplexity, valPerplexity, tokensPerSec} per epoch, then a summary', async () => {
  const dir = await tempDir();
  try {
    const data = await smallText(dir);
    const out = join(dir, 'j.safetensors');
    const r = await lstm(['train', '--data', data, ...TINY, '--epochs', '3', '--valid', '0', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const objects = jsonLines(r.stdout);
    assert.equal(objects.length, 4);
    objects.slice(0, 3).forEach((o, k) => {
      assert.deepEqual(Object.keys(o), ['epoch', 'loss', 'perplexity', 'valPerplexity', 'tokensPerSec']);
      assert.equal(o.epoch, k + 1);
      assert.equal(o.valPerplexity, null);
      assert.ok(Math.abs((o.perplexity as number) - Math.exp(o.loss as number)) < 1e-9);
      assert.ok((o.tokensPerSec as number) > 0);
    });
    const summary = objects[3]!.summary as Record<string, unknown>;
    assert.ok(summary !== undefined, 'the last line is {"summary": ...}');
    assert.equal(summary.epochs, 3);
    assert.equal(summary.perplexity, objects[2]!.perplexity);
    assert.equal(summary.checkpoint, out);
    assert.equal(summary.svg, join(dir, 'j.perplexity.svg'));
    assert.equal(typeof summary.sample, 'string');
    assert.ok((summary.sample as string).startsWith(summary.prefix as string));
    assert.ok(existsSync(out) && existsSync(summary.svg as string));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--resume continues at the next epoch and ends where a straight run ends', async () => {
  const dir = await tempDir();
  try {
    const data = await smallText(dir);
    const [straight, split] = [join(dir, 'straight.safetensors'), join(dir, 'split.safetensors')];
    const common = ['train', '--data', data, ...TINY, '--json'];
    const [a, b] = await Promise.all([lstm([...common, '--epochs', '3', '--out', straight]), lstm([...common, '--epochs', '1', '--out', split])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const c = await lstm([...common, '--epochs', '3', '--out', split, '--resume']);
    assert.equal(c.code, 0, c.stderr);
    const full = jsonLines(a.stdout);
    const resumed = jsonLines(c.stdout);
    assert.deepEqual(resumed.slice(0, -1).map((o) => o.epoch), [2, 3]);
    for (const k of [0, 1]) {
      assert.equal(resumed[k]!.loss, full[k + 1]!.loss);
      assert.equal(resumed[k]!.valPerplexity, full[k + 1]!.valPerplexity);
    }
    await sameTensors(straight, split);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C stops mid-epoch and saves; --resume then finishes exactly like a straight run', async () => {
  const dir = await tempDir();
  try {
    // Epochs long enough (about 4,000 minibatches) that the Ctrl-C sent after epoch 1 lands inside epoch 2: the
    // trainer looks at the event loop every 50 ms, and the fused engine runs a batch of 4 x 10 at width 16 in ~20 us.
    const data = await smallText(dir, 170000);
    const [straight, stopped] = [join(dir, 'straight.safetensors'), join(dir, 'stopped.safetensors')];
    const common = ['train', '--data', data, '--hidden', '16', '--batch', '4', '--steps', '10', '--max-tokens', '160000', '--valid', '0', '--epochs', '2', '--json'];
    let sent = false;
    const interrupted = await lstm([...common, '--out', stopped], (text, child) => {
      if (!sent && text.includes('"epoch":1')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /stopping after this minibatch/);
    const summary = jsonLines(interrupted.stdout).at(-1)!.summary as Record<string, unknown>;
    assert.equal(summary.stopReason, 'aborted');
    const saved = await loadCheckpoint(stopped);
    assert.equal(saved.training?.progress.epoch, 1);
    assert.ok(saved.training!.progress.batch > 0, 'stopped inside epoch 2');

    const [resumed, full] = await Promise.all([lstm([...common, '--out', stopped, '--resume']), lstm([...common, '--out', straight])]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(full.code, 0, full.stderr);
    assert.equal(jsonLines(resumed.stdout)[0]!.loss, jsonLines(full.stdout)[1]!.loss);
    await sameTensors(straight, stopped);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--preset d2l with overrides: letters-only chars, SGD lr 1, batch 32 x 35, no validation, sample from "time traveller"', async () => {
  const dir = await tempDir();
  try {
    const out = join(dir, 'd2l.safetensors');
    const data = fileURLToPath(TIME_MACHINE);
    const r = await lstm(['train', '--preset', 'd2l', '--epochs', '1', '--hidden', '16', '--max-tokens', '5000', '--data', data, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /5,000 tokens \(char, preprocess letters\), vocabulary 28\n/);
    assert.match(r.stdout, /^training: 1 epochs, sgd lr 1, clip 1, batch 32 x 35 steps, sequential sampling/m);
    assert.match(r.stdout, /^epoch 1\/1  loss \S+  ppl \S+  [\d,]+ tok\/s$/m, 'no validation column');
    assert.match(r.stdout, /^sample \(greedy, after "time traveller"\):\ntime traveller/m);

    const ckpt = await loadCheckpoint(out);
    assert.deepEqual(ckpt.text, { tokens: 'char', preprocess: 'letters' });
    assert.deepEqual(ckpt.vocab.tokens.slice(1).sort(), [' ', ...'abcdefghijklmnopqrstuvwxyz']);
    assert.equal(ckpt.config.hiddenSize, 16, 'the flag overrides the preset');
    assert.equal(ckpt.config.cell, 'lstm');
    assert.equal(ckpt.corpus?.maxTokens, 5000);
    const o = ckpt.training!.progress.options;
    assert.deepEqual([o.optimizer, o.lr, o.clip, o.batchSize, o.numSteps, o.sampling, o.validFraction, o.epochs], ['sgd', 1, 1, 32, 35, 'sequential', 0, 1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
