// A forecaster and a classifier exported with `lstm export --format torch` load strictly into the PyTorch modules of
// scripts/tasks (built from the sidecar's "torch" entry) and give lstm-ts' outputs within 1e-5; PyTorch then takes
// an Adam step and saves, `lstm import` brings that state dict back, and lstm-ts gives PyTorch's new outputs.
// Runs where /usr/bin/python3 has torch; elsewhere it is skipped with the reason printed, except where
// LSTM_REQUIRE_TORCH=1 (CI): there a missing torch fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { parseSeries } from '../src/data/series.js';
import { readSafetensors, writeSafetensors } from '../src/io/safetensors.js';
import { saveTaskCheckpoint } from '../src/train/checkpoint.js';
import { loadClassifier, trainClassifier } from '../src/train/classify-session.js';
import { loadForecaster, trainForecaster } from '../src/train/forecast-session.js';
import { lstm, ROOT } from './helpers/cli.js';
import { labelledWords, seriesCsv } from './helpers/task-data.js';
import { withTempDir } from './helpers/temp-dir.js';

const PYTHON = '/usr/bin/python3';
const found = spawnSync(PYTHON, ['-c', 'import importlib.util; print(bool(importlib.util.find_spec("torch")))'], { encoding: 'utf8' });
const skip = found.status === 0 && found.stdout.trim() === 'True' ? null : `${PYTHON} has no torch`;
const required = process.env.LSTM_REQUIRE_TORCH === '1';
if (skip !== null && !required) process.stdout.write(`# PyTorch task round trip skipped: ${skip}\n`);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
  return worst;
}

/** Exports `ckpt`, runs PyTorch on `inputs` (and one step), imports the result; returns PyTorch's outputs and the imported path. */
async function roundTrip(dir: string, ckpt: string, inputs: Record<string, Tensor>): Promise<{ before: Float32Array; after: Float32Array; back: string }> {
  const weights = join(dir, 'm.torch.safetensors');
  const exported = await lstm(['export', '--model', ckpt, '--format', 'torch', '--out', weights]);
  assert.equal(exported.code, 0, exported.stderr);
  const [input, output, trained] = [join(dir, 'in.safetensors'), join(dir, 'out.safetensors'), join(dir, 'trained.safetensors')];
  await writeSafetensors(input, inputs);
  const py = spawnSync(PYTHON, ['scripts/tasks/torch_roundtrip.py', '--weights', weights, '--inputs', input, '--out', output, '--save', trained], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
  assert.equal(py.status, 0, py.stderr);
  await copyFile(`${weights}.json`, `${trained}.json`);
  const back = join(dir, 'back.safetensors');
  const imported = await lstm(['import', '--from', trained, '--format', 'torch', '--out', back]);
  assert.equal(imported.code, 0, imported.stderr);
  const out = await readSafetensors(output);
  return { before: out.output!.data as Float32Array, after: out.trained!.data as Float32Array, back };
}

test('PyTorch loads an exported forecaster (bidirectional GRU x2) and an imported one gives PyTorch\'s forecasts', { skip: required ? false : (skip ?? false), timeout: 300_000 }, async () => {
  assert.equal(skip, null, `LSTM_REQUIRE_TORCH=1 but torch is missing: ${skip}`);
  await withTempDir('lstm-task-torch-', async (dir) => {
    const series = parseSeries(seriesCsv(100), { target: 'value' });
    const run = await trainForecaster(series, { window: 8, horizon: 2, model: { cell: 'gru', hiddenSize: 6, numLayers: 2, bidirectional: true }, training: { epochs: 1, batchSize: 16 } });
    const ckpt = join(dir, 'f.safetensors');
    await saveTaskCheckpoint(ckpt, run.task, run.trainer);
    const x = new Tensor(run.data.valid.x.slice(0, 4 * 8 * 2), [4, 8, 2]);
    const { before, after, back } = await roundTrip(dir, ckpt, { x });
    run.task.model.eval();
    const ours = noGrad(() => run.task.model.forward(x)).data;
    assert.ok(maxDiff(before, ours) < 1e-5, `export: ${maxDiff(before, ours)}`);
    const imported = (await loadForecaster(back)).task.model;
    imported.eval();
    const again = noGrad(() => imported.forward(x)).data;
    assert.ok(maxDiff(after, again) < 1e-5, `import: ${maxDiff(after, again)}`);
    assert.ok(maxDiff(after, before) > 1e-4, 'the PyTorch step changed the model');
  });
});

test('PyTorch loads an exported classifier (bidirectional LSTM, mean pool, embedding) and an imported one gives PyTorch\'s logits', { skip: required ? false : (skip ?? false), timeout: 300_000 }, async () => {
  await withTempDir('lstm-task-torch-', async (dir) => {
    const run = await trainClassifier(labelledWords(80), { model: { hiddenSize: 5, embeddingDim: 3, pool: 'mean' }, training: { epochs: 1, batchSize: 8 } });
    const ckpt = join(dir, 'c.safetensors');
    await saveTaskCheckpoint(ckpt, run.task, run.trainer);
    const lengths = [6, 2, 4];
    const ids = new Tensor(Float32Array.from({ length: 3 * 6 }, (_, k) => (k % 6 < lengths[Math.floor(k / 6)]! ? 1 + (k % 5) : 0)), [3, 6]);
    const { before, after, back } = await roundTrip(dir, ckpt, { ids, lengths: new Tensor(Float32Array.from(lengths), [3]) });
    run.task.model.eval();
    const ours = noGrad(() => run.task.model.forward(ids, lengths)).data;
    assert.ok(maxDiff(before, ours) < 1e-5, `export: ${maxDiff(before, ours)}`);
    const imported = (await loadClassifier(back)).task.model;
    imported.eval();
    assert.ok(maxDiff(after, noGrad(() => imported.forward(ids, lengths)).data) < 1e-5, 'import');
  });
});
