// Tools for the fuzz suites (test/fuzz-*.test.ts): a small real checkpoint to damage, edits of its safetensors
// header and metadata, and a CLI runner that reports the child's peak resident memory and which files changed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/core/tensor.js';
import { trainOnText, type CheckpointInput } from '../../src/train/index.js';
import { ROOT } from './cli.js';

export const TEXT = 'the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us '.repeat(8);

/** A resumable checkpoint input of a tiny LSTM (Adam, so it has optimizer buffers), trained for one epoch. */
export async function tinyCheckpoint(options: { embeddingDim?: number; optimizer?: 'adam' | 'sgd' } = {}): Promise<CheckpointInput> {
  const run = await trainOnText(TEXT, {
    model: { cell: 'lstm', hiddenSize: 6, numLayers: 2, dropout: 0, seed: 1, embeddingDim: options.embeddingDim },
    text: { tokens: 'char', preprocess: 'none' },
    training: { epochs: 2, batchSize: 2, numSteps: 5, optimizer: options.optimizer ?? 'adam', validFraction: 0, momentum: options.optimizer === 'sgd' ? 0.9 : 0 },
    controls: { maxEpochs: 1 },
  });
  return { config: run.config, model: run.model, text: run.text, vocab: run.vocab, trainer: run.trainer, corpus: run.corpus };
}

/** The parts of safetensors bytes: the header JSON (parsed) and the data section. */
export function splitFile(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))), data: bytes.slice(8 + len) };
}

/** Safetensors bytes from a header given as JSON text (written as is, so "__proto__" keys survive) and data. */
export function joinFile(headerJson: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(headerJson);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The checkpoint with its lstm-ts metadata edited (`edit` changes the parsed object in place). */
export function editMeta(bytes: Uint8Array, edit: (meta: any) => void): Uint8Array {
  const { header, data } = splitFile(bytes);
  const meta = JSON.parse(header.__metadata__['lstm-ts']);
  edit(meta);
  header.__metadata__['lstm-ts'] = JSON.stringify(meta);
  return joinFile(JSON.stringify(header), data);
}

/** The checkpoint with its header edited (`edit` changes the parsed header in place). */
export function editHeader(bytes: Uint8Array, edit: (header: any) => void): Uint8Array {
  const { header, data } = splitFile(bytes);
  edit(header);
  return joinFile(JSON.stringify(header), data);
}

/** Writes `value` into element `k` of tensor `name`, as its dtype stores it. */
export function poke(bytes: Uint8Array, name: string, k: number, value: number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const len = Number(view.getBigUint64(0, true));
  const entry = splitFile(bytes).header[name];
  const at = 8 + len + entry.data_offsets[0];
  if (entry.dtype === 'F64') view.setFloat64(at + 8 * k, value, true);
  else view.setFloat32(at + 4 * k, value, true);
  return out;
}

export const small = (shape: number[]): Tensor => new Tensor(new Float32Array(shape.reduce((a, d) => a * d, 1)), shape);

/** Asserts `fn` throws a plain Error (the user's kind, not a bug's TypeError/RangeError) of one line matching `pattern`. */
export function refuses(fn: () => unknown, pattern: RegExp, what: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error && err.constructor === Error, `${what}: a plain Error, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `${what}: one line, got ${err.message}`);
    assert.match(err.message, pattern, what);
    return true;
  });
}

/** sha256 of every regular file under `dir` (FIFOs and devices are listed by kind, never opened). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const [k, v] of snapshot(path)) out.set(k, v);
    else out.set(path, stat.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : `not a file (mode ${stat.mode})`);
  }
  return out;
}

export interface HostileRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the CLI process, in MiB (getrusage maxRSS, read at its exit). */
  peakMiB: number;
}

let runs = 0;

/** Runs the built CLI (dist/) with a preload that records its peak memory at exit. */
export function hostileRun(args: string[], options: { signals?: Array<[afterStdout: RegExp, signal: NodeJS.Signals]>; cwd?: string } = {}): Promise<HostileRun> {
  const rssFile = join(tmpdir(), `lstm-peak-${process.pid}-${runs++}.txt`);
  const env: NodeJS.ProcessEnv = { ...process.env, LSTM_PEAK_RSS_FILE: rssFile };
  delete env.LSTM_DEBUG;
  delete env.NODE_TEST_CONTEXT;
  const preload = new URL('./peak-rss.mjs', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', preload, join(ROOT, 'dist/cli/main.js'), ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const pending = [...(options.signals ?? [])];
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      while (pending.length > 0 && pending[0]![0].test(stdout)) child.kill(pending.shift()![1]);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let peakMiB = NaN;
      try {
        peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
        rmSync(rssFile, { force: true });
      } catch {
        // no record: the process died before its exit handlers ran (asserted by the caller)
      }
      resolve({ code, stdout, stderr, peakMiB });
    });
  });
}

/** The promises of every hostile CLI case: one `lstm: error:` line, exit 1, no trace, no file changed, under 500 MiB. */
export function assertRefused(r: HostileRun, pattern: RegExp, before: Map<string, string>, after: Map<string, string>, what: string): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(r.code, 1, `${what}: exit code (stderr: ${r.stderr})`);
  assert.equal(lines.length, 1, `${what}: one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^lstm: error: /, what);
  assert.match(lines[0]!, pattern, what);
  assert.ok(!/\n\s+at /.test(r.stderr), `${what}: no stack trace`);
  assert.deepEqual(after, before, `${what}: no file changed, created or removed`);
  assert.ok(r.peakMiB < 500, `${what}: peak resident memory ${r.peakMiB.toFixed(0)} MiB`);
}
