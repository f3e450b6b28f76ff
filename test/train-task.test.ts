// Tests for the trainer's task seam (src/train/task.ts) with a task that is not a language model: a sequence
// regression (dense input, MSE on the autograd path, test/helpers/regression-task.ts) learns through the same
// Trainer, with the epoch loss weighted by each batch's items; its checkpoint records the task and resumes bit for
// bit (mid-epoch, dropout included); and the language model, run as a task, is the bare-model trainer exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSafetensorsWithMetadata, writeSafetensors } from '../src/io/safetensors.js';
import {
  LanguageModelTask, Trainer, buildModel, loadTaskCheckpoint, prepareCorpus, saveTaskCheckpoint, taskCheckpointContents,
  type FitControls, type TrainOptions,
} from '../src/train/index.js';
import { REGRESSION_LOADER, RegressionTask, makeWindows, type RegressionMetrics, type RegressorConfig } from './helpers/regression-task.js';
import { weightsDigest } from './helpers/old-checkpoint.js';
import { withTempDir } from './helpers/temp-dir.js';

const CONFIG: RegressorConfig = { features: 2, steps: 10, hiddenSize: 16, numLayers: 2, dropout: 0.1, seed: 5 };
const OPTIONS: Partial<TrainOptions> = { batchSize: 16, epochs: 5, lr: 0.01, optimizer: 'adam', validFraction: 0.2, seed: 3 };
const DATA = makeWindows(260, CONFIG.steps, 1);

const withDir = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir('lstm-ts-task-', fn);

function regressionTrainer(options: Partial<TrainOptions> = OPTIONS): Trainer<RegressionTask> {
  return new Trainer(new RegressionTask(CONFIG), options);
}

test('a sequence regression trains through the same Trainer: validation MSE far below the naive forecast', async () => {
  const trainer = regressionTrainer({ ...OPTIONS, epochs: 8 });
  const { train, valid } = trainer.split(DATA);
  assert.equal(train.count, 200);
  assert.equal(valid!.count, 49);
  const losses: number[][] = [];
  const { stopReason, epochs } = await trainer.fit(train, valid, { onBatch: (b) => void (losses[b.epoch - 1] ??= []).push(b.loss) });
  assert.equal(stopReason, 'completed');
  // The naive forecast repeats each window's last value.
  let naive = 0;
  for (let n = 0; n < valid!.count; n++) naive += (valid!.x[(n * CONFIG.steps + CONFIG.steps - 1) * 2]! - valid!.y[n]!) ** 2;
  naive /= valid!.count;
  const last = epochs.at(-1)!;
  assert.ok(last.valMse! < naive / 2, `validation MSE ${last.valMse} should be well below the naive forecast's ${naive}`);
  assert.ok(last.valMae! > 0 && last.windowsPerSec > 0);
  assert.ok(last.loss < epochs[0]!.loss / 5, `training loss ${epochs[0]!.loss} -> ${last.loss}`);
  // 200 windows in batches of 16: twelve of 16 and one of 8, each weighted by its items.
  for (const stats of epochs) {
    const l = losses[stats.epoch - 1]!;
    assert.equal(l.length, 13);
    const expected = (l.slice(0, 12).reduce((a, x) => a + x * 16, 0) + l[12]! * 8) / 200;
    assert.ok(Math.abs(stats.loss - expected) <= 1e-12 * expected, `epoch ${stats.epoch}: ${stats.loss} vs ${expected}`);
  }
  assert.deepEqual(Object.keys(last), ['epoch', 'loss', 'valMse', 'valMae', 'windowsPerSec', 'seconds', 'lr']);
});

test('the regression checkpoint records its task and resumes bit-identically from mid-epoch (dropout included)', async () => {
  const straight = regressionTrainer();
  const split = straight.split(DATA);
  await straight.fit(split.train, split.valid);

  await withDir(async (dir) => {
    const path = join(dir, 'forecast.safetensors');
    const first = regressionTrainer();
    const controller = new AbortController();
    const controls: FitControls<RegressionMetrics> = {
      signal: controller.signal,
      onBatch: (b) => {
        if (b.epoch === 3 && b.batch === 5) controller.abort();
      },
    };
    const stopped = await first.fit(split.train, split.valid, controls);
    assert.deepEqual([stopped.stopReason, first.epoch, first.batch], ['aborted', 2, 5]);
    await saveTaskCheckpoint(path, first.task, first);

    const { metadata } = await readSafetensorsWithMetadata(path);
    const meta = JSON.parse(metadata['lstm-ts']!);
    assert.equal(meta.task, 'forecast');
    assert.deepEqual(meta.model, CONFIG);
    assert.equal(meta.training.batch, 5);

    const ckpt = await loadTaskCheckpoint(path, REGRESSION_LOADER);
    assert.equal(weightsDigest(ckpt.task.model), weightsDigest(first.task.model), 'the saved weights load');
    const resumed = new Trainer(ckpt.task, {}, ckpt.training!);
    const again = resumed.split(DATA);
    const rest = await resumed.fit(again.train, again.valid);
    assert.equal(rest.stopReason, 'completed');
    assert.equal(weightsDigest(resumed.task.model), weightsDigest(straight.task.model), 'weights after resuming');
    const summary = (t: Trainer<RegressionTask>): unknown[] => t.history.map((h) => [h.loss, h.valMse, h.valMae, h.lr]);
    assert.deepEqual(summary(resumed), summary(straight));
    assert.equal(resumed.step, straight.step);
    assert.deepEqual(resumed.optimizer.stateDict().buffers, straight.optimizer.stateDict().buffers);
  });
});

test('a task checkpoint without a trainer holds the weights only, and the loader names a model that does not fit', async () => {
  await withDir(async (dir) => {
    const task = new RegressionTask(CONFIG);
    const path = join(dir, 'weights.safetensors');
    await saveTaskCheckpoint(path, task);
    const ckpt = await loadTaskCheckpoint(path, REGRESSION_LOADER);
    assert.equal(ckpt.training, null);
    assert.equal(weightsDigest(ckpt.task.model), weightsDigest(task.model));

    const { tensors, metadata } = taskCheckpointContents(task);
    const meta = JSON.parse(metadata['lstm-ts']!);
    const narrower = join(dir, 'narrower.safetensors');
    await writeSafetensors(narrower, tensors, { 'lstm-ts': JSON.stringify({ ...meta, model: { ...CONFIG, hiddenSize: 8 } }) });
    await assert.rejects(loadTaskCheckpoint(narrower, REGRESSION_LOADER), /narrower\.safetensors: checkpoint says a regressor lstm 8x2 but tensor rnn\.l0\.W_i is \(2, 16\), expected \(2, 8\)$/);
  });
});

test('a language model trained as a LanguageModelTask is the bare-model trainer, weights and history alike', async () => {
  const { ids, vocab } = prepareCorpus('the quick brown fox jumps over the lazy dog. '.repeat(12), { tokens: 'char', preprocess: 'none' });
  const config = { cell: 'gru', hiddenSize: 12, numLayers: 2, dropout: 0.2, vocabSize: vocab.size, seed: 2 } as const;
  const options = { batchSize: 3, numSteps: 8, epochs: 2, sampling: 'sequential', validFraction: 0.1, seed: 6 } as const;
  const bare = new Trainer(buildModel(config), options);
  const asTask = new Trainer(new LanguageModelTask(buildModel(config)), options);
  for (const trainer of [bare, asTask]) {
    const { train, valid } = trainer.split(ids);
    await trainer.fit(train, valid);
  }
  assert.equal(weightsDigest(asTask.model), weightsDigest(bare.model));
  assert.deepEqual(asTask.history.map((h) => [h.loss, h.perplexity, h.valPerplexity]), bare.history.map((h) => [h.loss, h.perplexity, h.valPerplexity]));
  assert.equal(bare.task.kind, 'language-model');
});
