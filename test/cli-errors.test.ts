// Tests that every bad input to `lstm` fails the same way: exactly one `lstm: error: ...` line on stderr naming
// the problem, exit code 1, no stack frames, and an existing checkpoint byte-identical afterwards (train cases
// even pass --force or --resume on it, so only a real bug could touch it). Also: internal errors show a stack
// only with LSTM_DEBUG=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../src/core/tensor.js';
import { writeSafetensors } from '../src/io/safetensors.js';
import { reportError } from '../src/cli/errors.js';
import { lstm } from './helpers/cli.js';

const TIME_MACHINE = new URL('../../shared/data/timemachine.txt', import.meta.url);
const TINY = ['--hidden', '8', '--batch', '4', '--steps', '10', '--max-tokens', '2000'];



let dir = '';
const path = (name: string): string => join(dir, name);
let ckptBytes: Buffer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lstm-cli-errors-'));
  const text = await readFile(TIME_MACHINE, 'utf8');
  await writeFile(path('small.txt'), text.slice(0, 4000));
  await writeFile(path('other.txt'), text.slice(50000, 54000));
  await writeFile(path('tiny.txt'), 'the time machine\n');
  await writeFile(path('empty.txt'), '');
  await writeFile(path('binary.dat'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
  const r = await lstm(['train', '--data', path('small.txt'), ...TINY, '--epochs', '1', '--out', path('model.safetensors'), '--json', '--sample-length', '0']);
  assert.equal(r.code, 0, r.stderr);
  ckptBytes = await readFile(path('model.safetensors'));
  // A truncated copy (corrupt) and a safetensors file of some other model (no lstm-ts metadata).
  await copyFile(path('model.safetensors'), path('corrupt.safetensors'));
  await truncate(path('corrupt.safetensors'), Math.floor(ckptBytes.length / 2));
  await writeSafetensors(path('other-model.safetensors'), { 'encoder.weight': new Tensor(new Float32Array(6), [2, 3]) });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** [what, args (paths relative to the temp dir marked with @), the message expected on the one line]. */
type Case = [string, string[], RegExp];

const onCheckpoint = ['--out', '@model.safetensors'];
const TRAIN = (...rest: string[]): string[] => ['train', '--data', '@small.txt', ...TINY, ...rest];

const CASES: Case[] = [
  ['empty data file', ['train', '--data', '@empty.txt', ...onCheckpoint, '--force'], /corpus file is empty: .*empty\.txt$/],
  ['missing data file', ['train', '--data', '@nope.txt', ...onCheckpoint, '--force'], /corpus file not found: .*nope\.txt$/],
  ['binary data file', ['train', '--data', '@binary.dat', ...onCheckpoint, '--force'], /looks binary/],
  ['corpus shorter than one minibatch', ['train', '--data', '@tiny.txt', '--valid', '0', ...onCheckpoint, '--force'], /the text has 17 tokens, too few for one minibatch of --batch 32 x --steps 35/],
  ['--steps 0', TRAIN('--steps', '0', ...onCheckpoint, '--force'), /option '--steps <n>' argument '0' is invalid\. must be a positive integer/],
  ['--batch 2.5', TRAIN('--batch', '2.5', ...onCheckpoint, '--force'), /'--batch <n>' argument '2\.5' is invalid/],
  ['--hidden -4', TRAIN('--hidden', '-4', ...onCheckpoint, '--force'), /'--hidden <n>' argument '-4' is invalid/],
  ['--epochs 0', TRAIN('--epochs', '0', ...onCheckpoint, '--force'), /'--epochs <n>' argument '0' is invalid/],
  ['--layers x', TRAIN('--layers', 'x', ...onCheckpoint, '--force'), /'--layers <n>' argument 'x' is invalid/],
  ['--lr 0', TRAIN('--lr', '0', ...onCheckpoint, '--force'), /'--lr <rate>' argument '0' is invalid\. must be a finite number > 0/],
  ['--dropout 1', TRAIN('--dropout', '1', ...onCheckpoint, '--force'), /'--dropout <p>' argument '1' is invalid/],
  ['--dropout with one layer', TRAIN('--dropout', '0.3', ...onCheckpoint, '--force'), /--dropout 0\.3 has no effect with --layers 1/],
  ['--valid 1.5', TRAIN('--valid', '1.5', ...onCheckpoint, '--force'), /'--valid <fraction>' argument '1\.5' is invalid/],
  ['unknown --cell', TRAIN('--cell', 'transformer', ...onCheckpoint, '--force'), /'--cell <kind>' argument 'transformer' is invalid\. Allowed choices are lstm, gru, rnn/],
  ['unknown --tokens', TRAIN('--tokens', 'bytes', ...onCheckpoint, '--force'), /Allowed choices are char, word/],
  ['unknown flag', TRAIN('--hiden', '3', ...onCheckpoint, '--force'), /unknown option '--hiden'/],
  ['--out exists without --force', TRAIN(...onCheckpoint), /already exists; use --resume to continue it, --force/],
  ['--prefix outside the vocabulary', TRAIN('--prefix', 'Zq#', ...onCheckpoint, '--force'), /--prefix has characters not in the vocabulary: .*'#'/],
  ['NaN/Inf in a new run', TRAIN('--lr', '1e38', '--clip', '0', ...onCheckpoint, '--force'), /training diverged at epoch 1, step \d+ .*; no checkpoint was written/],
  ['NaN/Inf while resuming', TRAIN('--epochs', '2', '--lr', '1e38', '--clip', '0', ...onCheckpoint, '--resume'), /training diverged at epoch 2, .* keeps the last good state \(epoch 1\)$/],
  ['--resume with a conflicting --hidden', TRAIN('--hidden', '32', '--epochs', '2', ...onCheckpoint, '--resume'), /--resume: --hidden 32 \(checkpoint: 8\) conflicts with/],
  ['--resume on another text', ['train', '--data', '@other.txt', ...TINY, '--epochs', '2', ...onCheckpoint, '--resume'], /other\.txt is not the text .* was trained on/],
  ['--resume of a finished run', TRAIN(...onCheckpoint, '--resume'), /has already completed 1 epochs/],
  ['--resume on a non-checkpoint', TRAIN('--epochs', '2', '--out', '@small.txt', '--resume'), /small\.txt is not an lstm-ts checkpoint/],
  ['--resume without a checkpoint', TRAIN('--out', '@none.safetensors', '--resume'), /no checkpoint at/],
  ['--out in a missing directory', TRAIN('--out', '@no/dir/m.safetensors'), /directory .* does not exist/],
  ['generate: --model is a text file', ['generate', '--model', '@small.txt', '--prefix', 'the'], /small\.txt is not an lstm-ts checkpoint/],
  ['generate: corrupt checkpoint', ['generate', '--model', '@corrupt.safetensors', '--prefix', 'the'], /corrupt\.safetensors is not an lstm-ts checkpoint/],
  ['generate: another model\'s file', ['generate', '--model', '@other-model.safetensors', '--prefix', 'the'], /without "lstm-ts" metadata/],
  ['generate: missing checkpoint', ['generate', '--model', '@none.safetensors', '--prefix', 'the'], /checkpoint not found/],
  ['generate: prefix outside the vocabulary', ['generate', '--model', '@model.safetensors', '--prefix', 'the €'], /--prefix has characters not in the vocabulary: '€'/],
  ['generate: top-k without k', ['generate', '--model', '@model.safetensors', '--prefix', 'the', '--strategy', 'top-k'], /--strategy top-k needs --top-k/],
  ['generate: --temperature 0', ['generate', '--model', '@model.safetensors', '--prefix', 'the', '--temperature', '0'], /'--temperature <t>' argument '0' is invalid/],
  ['generate: no --prefix', ['generate', '--model', '@model.safetensors'], /required option '--prefix <text>' not specified/],
  ['eval: binary data', ['eval', '--model', '@model.safetensors', '--data', '@binary.dat'], /looks binary/],
  ['eval: --steps 0', ['eval', '--model', '@model.safetensors', '--data', '@small.txt', '--steps', '0'], /'--steps <n>' argument '0' is invalid/],
  ['eval: corrupt checkpoint', ['eval', '--model', '@corrupt.safetensors', '--data', '@small.txt'], /is not an lstm-ts checkpoint/],
  ['unknown command', ['fit'], /unknown command 'fit'/],
];

describe('bad input: one line on stderr, exit 1, no stack trace, checkpoint untouched', { concurrency: 3 }, () => {
  for (const [what, args, message] of CASES) {
    test(what, async () => {
      const r = await lstm(args.map((a) => (a.startsWith('@') ? path(a.slice(1)) : a)));
      assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `exactly one stderr line, got:\n${r.stderr}`);
      assert.match(lines[0]!, /^lstm: error: /);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /, 'no stack frames');
      assert.deepEqual(await readFile(path('model.safetensors')), ckptBytes, 'the existing checkpoint is byte-identical');
      assert.equal(existsSync(path('none.safetensors')), false);
    });
  }
});

describe('internal errors', () => {
  const collect = (err: unknown, debug: boolean): { code: number; text: string } => {
    const saved = process.env.LSTM_DEBUG;
    if (debug) process.env.LSTM_DEBUG = '1';
    else delete process.env.LSTM_DEBUG;
    let text = '';
    try {
      return { code: reportError(err, (t) => (text += t)), text };
    } finally {
      if (saved === undefined) delete process.env.LSTM_DEBUG;
      else process.env.LSTM_DEBUG = saved;
    }
  };

  test('a bug (not a plain Error) is one line without LSTM_DEBUG, with a stack trace with LSTM_DEBUG=1', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'data')");
    const quiet = collect(bug, false);
    assert.equal(quiet.code, 2);
    assert.equal(quiet.text.trimEnd().split('\n').length, 1);
    assert.match(quiet.text, /^lstm: internal error: TypeError: Cannot read .* \(set LSTM_DEBUG=1 to see the stack trace\)\n$/);
    const loud = collect(bug, true);
    assert.equal(loud.code, 2);
    assert.match(loud.text, /\n\s+at /);
  });

  test('a bad-input error with a multi-line message still prints one line', () => {
    const { code, text } = collect(new Error('first\nsecond'), false);
    assert.equal(code, 1);
    assert.equal(text, 'lstm: error: first second\n');
  });
});
