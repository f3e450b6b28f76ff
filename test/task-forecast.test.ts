// The forecast task from code: trainForecaster learns a seasonal series and beats the naive forecast on its test
// part; its checkpoint rebuilds the same forecaster (and is refused by the language model's and the classifier's
// loaders in one line); a run stopped mid-epoch and resumed ends with the very weights, optimizer state and history
// of a straight run; forecastNext continues the dates; the loader names a malformed field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { parseSeries } from '../src/data/series.js';
import { readSafetensorsWithMetadata } from '../src/io/safetensors.js';
import { decodeTaskCheckpoint, loadCheckpoint, loadTaskCheckpoint, saveTaskCheckpoint } from '../src/train/checkpoint.js';
import { forecastNext, loadForecaster, resumeForecaster, trainForecaster, type ForecasterOptions } from '../src/train/forecast-session.js';
import { CLASSIFY_LOADER, FORECAST_LOADER } from '../src/train/task-loaders.js';
import { encodeTaskCheckpoint } from '../src/train/task-run.js';
import { seriesCsv } from './helpers/task-data.js';
import { withTempDir } from './helpers/temp-dir.js';
import { rejectsOneLine, throwsOneLine } from './helpers/one-line.js';

const series = parseSeries(seriesCsv(), { source: 'series.csv', target: 'value' });
const SMALL: ForecasterOptions = { window: 14, horizon: 3, model: { hiddenSize: 12 }, training: { epochs: 4, batchSize: 16, lr: 0.01 } };

test('trainForecaster learns a seasonal series: test MAE below the naive forecast, metrics in the data\'s units', async () => {
  const run = await trainForecaster(series, SMALL);
  assert.equal(run.trainer.epoch, 4);
  assert.equal(run.task.info.settings.season, 7, 'daily dates imply a weekly season');
  assert.deepEqual(run.task.info.settings.columns, ['value', 'temp'], 'the other numeric column is a covariate');
  const test = run.test!;
  assert.equal(test.part, 'test');
  assert.equal(test.windows, run.data.test.count);
  assert.ok(test.model[0]!.mae < test.naive[0]!.mae, `model MAE ${test.model[0]!.mae} vs naive ${test.naive[0]!.mae}`);
  // The truth of the report is the series itself (the scaler's inverse of the scaled targets).
  const first = run.data.test.origins[0]!;
  assert.ok(Math.abs(test.truth[0]! - series.values[first * 2]!) < 1e-3);
  // The kept weights are the best validation epoch's.
  const best = run.trainer.best!;
  assert.equal(run.keptEpoch, best.epoch);
  const valid = run.task.evaluate(run.data.valid);
  assert.ok(Math.abs(valid.mase - (best as unknown as { valMase: number }).valMase) < 1e-9);
});

test('a forecaster checkpoint rebuilds the same model; the language model and the classifier refuse it in one line', async () => {
  await withTempDir('lstm-forecast-', async (dir) => {
    const run = await trainForecaster(series, { ...SMALL, training: { ...SMALL.training, epochs: 1 } });
    const path = join(dir, 'f.safetensors');
    await saveTaskCheckpoint(path, run.task, run.trainer);
    const { task, training } = await loadForecaster(path);
    assert.equal(training?.progress.epoch, 1);
    assert.deepEqual(task.info.settings, run.task.info.settings);
    assert.deepEqual(Array.from(task.info.scaler.mean), Array.from(run.task.info.scaler.mean));
    const x = new Tensor(run.data.test.x.slice(0, 2 * 14 * 2), [2, 14, 2]);
    run.task.model.eval();
    task.model.eval();
    assert.deepEqual(noGrad(() => task.model.forward(x)).data, noGrad(() => run.task.model.forward(x)).data);
    await rejectsOneLine(loadCheckpoint(path), /f\.safetensors is a forecast checkpoint, not a language-model checkpoint/);
    await rejectsOneLine(loadTaskCheckpoint(path, CLASSIFY_LOADER), /is a forecast checkpoint, not a classify checkpoint/);
    // The same bytes without a file system (a page, a worker).
    const again = decodeTaskCheckpoint(encodeTaskCheckpoint(run.task, run.trainer), FORECAST_LOADER, 'bytes');
    assert.deepEqual(again.task.info.config, run.task.info.config);
  });
});

test('stopped mid-epoch and resumed, a run ends with the weights, optimizer state and history of a straight run', async () => {
  await withTempDir('lstm-forecast-resume-', async (dir) => {
    const options = { ...SMALL, training: { ...SMALL.training, epochs: 3, seed: 5 } };
    const straightPath = join(dir, 'straight.safetensors');
    const straight = await trainForecaster(series, { ...options, checkpointPath: straightPath });
    const path = join(dir, 'stopped.safetensors');
    const abort = new AbortController();
    const stopped = await trainForecaster(series, {
      ...options, checkpointPath: path, controls: { signal: abort.signal, onBatch: (b) => (b.epoch === 2 && b.batch === 3 ? abort.abort() : undefined) },
    });
    assert.equal(stopped.result.stopReason, 'aborted');
    assert.equal(stopped.test, null, 'no test report for an unfinished run');
    const saved = await loadForecaster(path);
    assert.deepEqual([saved.training!.progress.epoch, saved.training!.progress.batch], [1, 3], 'saved mid-epoch');
    const resumed = await resumeForecaster(path, series);
    assert.equal(resumed.result.stopReason, 'completed');
    const [a, b] = [await readSafetensorsWithMetadata(straightPath), await readSafetensorsWithMetadata(path)];
    assert.deepEqual(Object.keys(a.tensors).sort(), Object.keys(b.tensors).sort());
    for (const name of Object.keys(a.tensors)) assert.deepEqual(b.tensors[name]!.data, a.tensors[name]!.data, `${name} differs`);
    const strip = (h: Array<Record<string, unknown>>) => h.map(({ seconds: _s, windowsPerSec: _w, ...rest }) => rest);
    assert.deepEqual(strip(resumed.trainer.history as never), strip(straight.trainer.history as never));
    assert.deepEqual(resumed.test!.model, straight.test!.model);
    await rejectsOneLine(resumeForecaster(path, parseSeries(seriesCsv(160, 9), { source: 'other.csv', target: 'value' })), /other\.csv is not the series .* was trained on/);
  });
});

test('forecastNext forecasts the horizon after the last row, with the dates that follow it', async () => {
  const run = await trainForecaster(series, { ...SMALL, training: { ...SMALL.training, epochs: 1 } });
  const next = forecastNext(run.task, series);
  assert.deepEqual(next.dates, ['2020-06-09', '2020-06-10', '2020-06-11']);
  assert.deepEqual(next.targets, ['value']);
  assert.equal(next.values.length, 3);
  for (const v of next.values) assert.ok(v > 70 && v < 130, `a forecast in the data's range: ${v}`);
  const undated = parseSeries(seriesCsv().replace(/^date,/m, 'day,').replace(/^\d{4}-\d\d-\d\d,/gm, (_, i) => `${i},`), { target: 'value', covariates: ['temp'], date: false });
  assert.equal(forecastNext(run.task, undated).dates, null);
});

test('the loader names a malformed field of the forecast metadata in one line', async () => {
  const run = await trainForecaster(series, { ...SMALL, training: { ...SMALL.training, epochs: 1 } });
  const meta = JSON.parse(JSON.stringify(run.task.checkpointMetadata())) as Record<string, Record<string, unknown>>;
  const restore = (patch: (m: typeof meta) => void): void => {
    const copy = JSON.parse(JSON.stringify(meta)) as typeof meta;
    patch(copy);
    FORECAST_LOADER.plan(copy, 'ckpt', (why) => {
      throw new Error(`ckpt: ${why}`);
    }).build();
  };
  throwsOneLine(() => restore((m) => (m.forecast!.window = 0)), /ckpt: forecast\.window must be a positive integer, got 0/);
  throwsOneLine(() => restore((m) => (m.forecast!.columns = ['value'])), /the number of forecast\.columns is 1 but the model config says 2/);
  throwsOneLine(() => restore((m) => (m.scaler!.columns = ['value', 'other'])), /the scaler's columns \(value, other\) are not forecast\.columns \(value, temp\)/);
  throwsOneLine(() => restore((m) => (m.model!.hiddenSize = -1)), /model config: hiddenSize must be a positive integer/);
  throwsOneLine(() => restore((m) => delete m.forecast), /the checkpoint has no "forecast" settings object/);
});
