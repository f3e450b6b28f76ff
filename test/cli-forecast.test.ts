// `lstm train --task forecast`, `predict`, `eval`, `export` and `import`, run as a user would: the checkpoint, the best
// checkpoint and the SVG beside it; the test metrics beside the baselines; --json lines; Ctrl-C mid-epoch and --resume
// ending where a straight run does; the forecast as CSV with the dates after the data's; the checkpoint refused by the
// language model's commands in one line; and exported to torch and ONNX and imported back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors } from '../src/io/safetensors.js';
import { loadForecaster } from '../src/train/forecast-session.js';
import { lstm } from './helpers/cli.js';
import { jsonLines, sameTensors } from './helpers/outputs.js';
import { seriesCsv } from './helpers/task-data.js';
import { withTempDir } from './helpers/temp-dir.js';

const TINY = ['--task', 'forecast', '--window', '10', '--horizon', '3', '--hidden', '8', '--batch', '8', '--lr', '0.01'];



test('train --task forecast writes the checkpoint, the best one and the chart, and prints the test metrics beside the baselines', async () => {
  await withTempDir('lstm-cli-forecast-', async (dir) => {
    const data = join(dir, 'sales.csv');
    await writeFile(data, seriesCsv(160));
    const out = join(dir, 'sales.safetensors');
    const r = await lstm(['train', ...TINY, '--data', data, '--target', 'value', '--epochs', '3', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^data: .*sales\.csv: 160 rows \(2020-01-01 to 2020-06-08\), target value, covariates temp; windows of 10 -> 3: \d+ train, \d+ validation, \d+ test; season 7 \(date step\), loss mae$/m);
    assert.match(r.stdout, /^model: LSTM, 1 layer x 8 hidden, 2 features in, 3 steps x 1 target out, [\d,]+ parameters, seed 0$/m);
    assert.match(r.stdout, /^training: 3 epochs, adam lr 0\.01 \(cosine to 0\), clip 1, batch 8, seed 0, engine auto/m);
    assert.match(r.stdout, /^epoch 1\/3  loss \d\.\d{4}  val MAE [\d.]+  val MASE \d\.\d{3}  [\d,]+ win\/s$/m);
    assert.match(r.stdout, /^test metrics, .*\(\d+ windows of the test part, horizon 3\):$/m);
    assert.match(r.stdout, /^ {2}model +[\d.]+ +[\d.]+ +[\d.]+ +\d\.\d{3}$/m);
    assert.match(r.stdout, /^ {2}seasonal-naive \(7\) +[\d.]+/m);
    assert.match(r.stdout, /^ {2}naive +[\d.]+/m);
    for (const file of ['sales.safetensors', 'sales.best.safetensors', 'sales.forecast.svg']) assert.ok(existsSync(join(dir, file)), file);
    const svg = await readFile(join(dir, 'sales.forecast.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const name of ['history', 'truth', 'forecast']) assert.ok(svg.includes(`>${name}</text>`), name);
    assert.ok(svg.includes('2020-0'), 'dates on the x axis');

    // The forecast after the data: CSV with the dates that follow, printed and written.
    const p = await lstm(['predict', '--model', out, '--data', data]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^date,value\n2020-06-09,[\d.]+\n2020-06-10,[\d.]+\n2020-06-11,[\d.]+\n$/);
    const csv = join(dir, 'next.csv');
    const w = await lstm(['predict', '--model', out, '--data', data, '--out', csv]);
    assert.equal(w.code, 0, w.stderr);
    assert.match(await readFile(csv, 'utf8'), /^date,value\n2020-06-09,/);
    const again = await lstm(['predict', '--model', out, '--data', data, '--out', csv]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^lstm: error: .*next\.csv already exists; pass --force/);
    const j = await lstm(['predict', '--model', out, '--data', data, '--json']);
    assert.deepEqual(Object.keys(jsonLines(j.stdout)[0]!), ['date', 'value']);

    // eval: the test part of the same split on the training data, beside the baselines; --json; a new series: all of it.
    const e = await lstm(['eval', '--model', out, '--data', data, '--json']);
    assert.equal(e.code, 0, e.stderr);
    const report = jsonLines(e.stdout)[0]!;
    assert.equal(report.part, 'test');
    assert.equal(report.sameData, true);
    const other = join(dir, 'other.csv');
    await writeFile(other, seriesCsv(90, 5));
    const all = jsonLines((await lstm(['eval', '--model', out, '--data', other, '--json'])).stdout)[0]!;
    assert.equal(all.part, 'all');
    assert.equal(all.windows, 90 - 10 - 3 + 1);

    // The language model's commands refuse it in one line.
    const g = await lstm(['generate', '--model', out, '--prefix', 'a']);
    assert.equal(g.code, 1);
    assert.equal(g.stderr, `lstm: error: ${out} is a forecast checkpoint, not a language-model checkpoint\n`);
    const t = await lstm(['train', '--out', out, '--resume', '--epochs', '5']);
    assert.equal(t.code, 1);
    assert.match(t.stderr, /^lstm: error: .* is a forecast checkpoint, not a language-model checkpoint\n$/);
  });
});

test('train --task forecast --json prints one object per epoch and a summary with the test metrics', async () => {
  await withTempDir('lstm-cli-forecast-json-', async (dir) => {
    const data = join(dir, 's.csv');
    await writeFile(data, seriesCsv(120));
    const r = await lstm(['train', ...TINY, '--data', data, '--target', 'value', '--covariates', '', '--epochs', '2', '--out', join(dir, 'm.safetensors'), '--json']);
    assert.equal(r.code, 1, 'an empty --covariates name is refused');
    assert.match(r.stderr, /^lstm: error: '' has an empty name/);
    const ok = await lstm(['train', ...TINY, '--data', data, '--target', 'value', '--epochs', '2', '--out', join(dir, 'm.safetensors'), '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const lines = jsonLines(ok.stdout);
    assert.equal(lines.length, 3);
    assert.deepEqual(Object.keys(lines[0]!), ['epoch', 'loss', 'valLoss', 'valMae', 'valMase', 'windowsPerSec']);
    const summary = lines[2]!.summary as Record<string, unknown>;
    assert.equal(summary.task, 'forecast');
    assert.equal(summary.stopReason, 'completed');
    const test = summary.test as { model: Array<{ mae: number }>; seasonalNaive: unknown[]; naive: unknown[] };
    assert.equal(test.model.length, 1);
    assert.ok(test.model[0]!.mae > 0);
  });
});

test('Ctrl-C stops a forecaster mid-epoch and saves; --resume then finishes exactly like a straight run', async () => {
  await withTempDir('lstm-cli-forecast-resume-', async (dir) => {
    const data = join(dir, 'long.csv');
    await writeFile(data, seriesCsv(700));
    const [straight, stopped] = [join(dir, 'straight.safetensors'), join(dir, 'stopped.safetensors')];
    // The autograd path (both runs alike), whose epochs are long enough for Ctrl-C to land inside the second.
    const common = ['train', ...TINY, '--batch', '2', '--engine', 'autograd', '--data', data, '--target', 'value', '--epochs', '2', '--json'];
    let sent = false;
    const interrupted = await lstm([...common, '--out', stopped], (text, child) => {
      if (!sent && text.includes('"epoch":1')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /stopping after this minibatch/);
    const saved = await loadForecaster(stopped);
    assert.equal(saved.training?.progress.epoch, 1);
    assert.ok(saved.training!.progress.batch > 0, 'stopped inside epoch 2');
    const [resumed, full] = await Promise.all([lstm([...common, '--out', stopped, '--resume']), lstm([...common, '--out', straight])]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(full.code, 0, full.stderr);
    assert.equal(jsonLines(resumed.stdout)[0]!.loss, jsonLines(full.stdout)[1]!.loss);
    await sameTensors(straight, stopped);
    await sameTensors(join(dir, 'straight.best.safetensors'), join(dir, 'stopped.best.safetensors'));
    assert.deepEqual((jsonLines(resumed.stdout).at(-1)!.summary as { test: unknown }).test, (jsonLines(full.stdout).at(-1)!.summary as { test: unknown }).test);
    const conflict = await lstm([...common, '--out', stopped, '--resume', '--window', '12', '--epochs', '4']);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /^lstm: error: --resume: --window 12 \(checkpoint: 10\) conflicts with .*stopped\.safetensors/);
  });
});

test('export to torch and ONNX with the head, and import back to the same forecasts', async () => {
  await withTempDir('lstm-cli-forecast-export-', async (dir) => {
    const data = join(dir, 's.csv');
    await writeFile(data, seriesCsv(120));
    const out = join(dir, 'm.safetensors');
    assert.equal((await lstm(['train', ...TINY, '--data', data, '--target', 'value', '--epochs', '1', '--out', out])).code, 0);
    const torch = join(dir, 'm.torch.safetensors');
    const x = await lstm(['export', '--model', out, '--format', 'torch', '--out', torch]);
    assert.equal(x.code, 0, x.stderr);
    assert.match(x.stdout, /PyTorch state dict of 6 tensors for SequenceRegressor/);
    const names = Object.keys(await readSafetensors(torch)).sort();
    assert.deepEqual(names, ['head.bias', 'head.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
    const sidecar = JSON.parse(await readFile(`${torch}.json`, 'utf8')) as Record<string, unknown>;
    assert.equal(sidecar.task, 'forecast');
    assert.deepEqual((sidecar.torch as Record<string, unknown>).module, 'SequenceRegressor');
    const onnx = await lstm(['export', '--model', out, '--format', 'onnx', '--out', join(dir, 'm.onnx')]);
    assert.equal(onnx.code, 0, onnx.stderr);
    assert.match(onnx.stdout, /input x \(B, T, 2\) in the data's units \(value, temp\); output forecast \(B, 3, 1\), the scaler inside/);
    const back = join(dir, 'back.safetensors');
    const i = await lstm(['import', '--from', torch, '--format', 'torch', '--out', back]);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /a forecast checkpoint of LSTM/);
    const [a, b] = await Promise.all([lstm(['predict', '--model', out, '--data', data]), lstm(['predict', '--model', back, '--data', data])]);
    assert.equal(b.stdout, a.stdout);
  });
});
