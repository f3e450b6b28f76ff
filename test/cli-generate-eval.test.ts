// Tests for `lstm generate` and `lstm eval` on a checkpoint trained by `lstm train`, and for every subcommand's
// --help: generated text starts with the prefix and has the asked length; greedy is deterministic and equals
// top-k with k = 1; seeded sampling repeats; eval prints a perplexity equal to exp(loss), the same in both formats.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lstm } from './helpers/cli.js';

const TIME_MACHINE = new URL('../../shared/data/timemachine.txt', import.meta.url);



let dir = '';
let model = '';
let data = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lstm-cli-use-'));
  data = join(dir, 'small.txt');
  await writeFile(data, (await readFile(TIME_MACHINE, 'utf8')).slice(0, 5000));
  model = join(dir, 'model.safetensors');
  const r = await lstm(['train', '--data', data, '--hidden', '16', '--batch', '4', '--steps', '10', '--epochs', '2', '--out', model, '--json']);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('generate prints the prefix and then --length tokens; greedy is deterministic and equals top-k 1', async () => {
  const prefix = 'The Time ';
  const args = ['generate', '--model', model, '--prefix', prefix, '--length', '30'];
  const [a, b, topOne] = await Promise.all([lstm(args), lstm(args), lstm([...args, '--top-k', '1', '--seed', '7'])]);
  for (const r of [a, b, topOne]) assert.equal(r.code, 0, r.stderr);
  assert.ok(a.stdout.startsWith(prefix));
  assert.ok(a.stdout.endsWith('\n'));
  assert.equal([...a.stdout.slice(0, -1)].length, prefix.length + 30);
  assert.equal(a.stdout, b.stdout);
  assert.equal(topOne.stdout, a.stdout);
});

test('generate with sampling repeats for one --seed and differs across seeds', async () => {
  const args = ['generate', '--model', model, '--prefix', 'the', '--length', '60', '--temperature', '1.5'];
  const [a, b, c] = await Promise.all([lstm([...args, '--seed', '1']), lstm([...args, '--seed', '1']), lstm([...args, '--seed', '2'])]);
  for (const r of [a, b, c]) assert.equal(r.code, 0, r.stderr);
  assert.ok(a.stdout.startsWith('the'));
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, c.stdout);
});

test('eval prints loss and perplexity, and --json gives the same numbers', async () => {
  const args = ['eval', '--model', model, '--data', data, '--max-tokens', '3000', '--batch', '2', '--steps', '20'];
  const [human, json] = await Promise.all([lstm(args), lstm([...args, '--json'])]);
  assert.equal(human.code, 0, human.stderr);
  assert.equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout) as Record<string, number>;
  assert.equal(result.tokens, 3000);
  assert.equal(result.predicted, 2998, 'two rows of 1,499 predictions each');
  assert.equal(result.batch, 2);
  assert.equal(result.steps, 20);
  assert.ok(Math.abs(result.perplexity! - Math.exp(result.loss!)) < 1e-9);
  assert.ok(result.perplexity! > 1 && result.perplexity! < 70, `perplexity ${result.perplexity} of a model trained on this text`);
  const m = /^loss (\d+\.\d+)  perplexity (\d+\.\d+)  \(2,998 predictions, batch 2 x 20 steps\)$/m.exec(human.stdout);
  assert.ok(m !== null, human.stdout);
  assert.equal(m[1], result.loss!.toFixed(4));
  assert.equal(m[2], result.perplexity!.toFixed(2));
});

test('--help of each subcommand lists its flags', async () => {
  const flags: Record<string, string[]> = {
    train: [
      '--data', '--tokens', '--preprocess', '--cell', '--hidden', '--layers', '--dropout', '--embedding', '--batch', '--steps', '--epochs', '--lr',
      '--clip', '--optimizer', '--weight-decay', '--sampling', '--valid', '--lr-schedule', '--out', '--resume', '--seed', '--max-tokens', '--json',
      '--engine', '--sample-length', '--sample-strategy', '--sample-top-k', '--sample-temperature', '--prefix', '--preset',
    ],
    generate: ['--model', '--prefix', '--length', '--strategy', '--temperature', '--top-k', '--seed'],
    eval: ['--model', '--data', '--max-tokens', '--batch', '--steps', '--json'],
  };
  const runs = await Promise.all(Object.keys(flags).map((command) => lstm([command, '--help'])));
  Object.entries(flags).forEach(([command, list], k) => {
    const r = runs[k]!;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: lstm ${command} \\[options\\]`));
    for (const flag of list) assert.match(r.stdout, new RegExp(`^\\s+${flag}\\b`, 'm'), `${command} --help lists ${flag}`);
  });
  assert.match(runs[0]!.stdout, /--preset d2l/);
  assert.match(runs[0]!.stdout, /model\.lstm\.safetensors/);
});
