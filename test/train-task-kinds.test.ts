// Tests for the task a checkpoint records (src/train/task.ts, checkpoint.ts): a language model's checkpoint says
// 'language-model' and otherwise holds what it held before; a checkpoint written before the field existed
// (test/fixtures/checkpoints, from main at fcb2823) still loads, samples and resumes to the very numbers main gave;
// a checkpoint of one task given to the loader or the command of another is one line naming both kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsWithMetadata, writeSafetensors } from '../src/io/safetensors.js';
import {
  TASK_KINDS, checkpointContents, evaluateCheckpoint, generate, generateFromCheckpoint, loadCheckpoint, loadTaskCheckpoint, resumeTraining,
  saveCheckpoint, saveTaskCheckpoint, trainOnText,
} from '../src/train/index.js';
import { lstm } from './helpers/cli.js';
import { OLD_CHECKPOINT_RUN, weightsDigest } from './helpers/old-checkpoint.js';
import { REGRESSION_LOADER, RegressionTask } from './helpers/regression-task.js';
import { withTempDir } from './helpers/temp-dir.js';

const OLD = new URL('./fixtures/checkpoints/lm-before-task-field.safetensors', import.meta.url);
const OLD_EXPECTED = JSON.parse(await readFile(new URL('./fixtures/checkpoints/lm-before-task-field.json', import.meta.url), 'utf8')) as {
  stoppedAt: { epoch: number; batch: number };
  sample: string;
  resumedWeights: string;
  resumedHistory: Array<[number, number]>;
};

const withDir = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir('lstm-ts-kinds-', fn);

/** Asserts a one-line error matching `pattern`. */
async function rejectsOneLine(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return true;
  });
}

const forecastTask = (): RegressionTask => new RegressionTask({ features: 2, steps: 4, hiddenSize: 6, numLayers: 1, dropout: 0, seed: 1 });

test('the task kinds are one list', () => {
  assert.deepEqual(TASK_KINDS, ['language-model', 'forecast', 'classify']);
});

test("a language model's checkpoint records task 'language-model' beside the fields it always had", async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'lm.safetensors');
    const { text, options } = OLD_CHECKPOINT_RUN;
    await trainOnText(text, { ...options, training: { ...options.training, epochs: 1 }, checkpointPath: path });
    const meta = JSON.parse((await readSafetensorsWithMetadata(path)).metadata['lstm-ts']!);
    assert.equal(meta.task, 'language-model');
    assert.deepEqual(Object.keys(meta).sort(), ['corpus', 'format', 'model', 'optimizer', 'task', 'text', 'training', 'version', 'vocab']);
    assert.equal((await loadCheckpoint(path)).metadata.task, 'language-model');
  });
});

test('a checkpoint written before tasks were recorded loads as a language model, samples and resumes as main did', async () => {
  const { metadata } = await readSafetensorsWithMetadata(OLD.pathname);
  assert.equal(JSON.parse(metadata['lstm-ts']!).task, undefined, 'the fixture is in the old format');
  const ckpt = await loadCheckpoint(OLD.pathname);
  assert.equal(ckpt.config.hiddenSize, OLD_CHECKPOINT_RUN.options.model.hiddenSize);
  assert.deepEqual([ckpt.training?.progress.epoch, ckpt.training?.progress.batch], [OLD_EXPECTED.stoppedAt.epoch, OLD_EXPECTED.stoppedAt.batch]);
  assert.equal(ckpt.training?.carried?.length, 2, 'stopped mid-epoch with the carried (h, c)');
  const { prefix, length, text } = OLD_CHECKPOINT_RUN;
  assert.equal(generate(ckpt.model, ckpt.vocab, ckpt.text, prefix, { length }), OLD_EXPECTED.sample);
  await withDir(async (dir) => {
    const path = join(dir, 'old.safetensors');
    await copyFile(OLD, path);
    const resumed = await resumeTraining(path, text);
    assert.equal(resumed.result.stopReason, 'completed');
    assert.equal(weightsDigest(resumed.model), OLD_EXPECTED.resumedWeights);
    assert.deepEqual(resumed.trainer.history.map((h) => [h.loss, h.perplexity]), OLD_EXPECTED.resumedHistory);
    const saved = JSON.parse((await readSafetensorsWithMetadata(path)).metadata['lstm-ts']!);
    assert.equal(saved.task, 'language-model', 'saved again, it records its task');
  });
});

test('a checkpoint of one task given to the loader of another is one line naming both kinds', async () => {
  await withDir(async (dir) => {
    const forecast = join(dir, 'forecast.safetensors');
    await saveTaskCheckpoint(forecast, forecastTask());
    const wrong = /forecast\.safetensors is a forecast checkpoint, not a language-model checkpoint$/;
    await rejectsOneLine(loadCheckpoint(forecast), wrong);
    await rejectsOneLine(evaluateCheckpoint(forecast, 'some text'), wrong);
    await rejectsOneLine(generateFromCheckpoint(forecast, 'a', { length: 3 }), wrong);
    await rejectsOneLine(resumeTraining(forecast, 'some text'), wrong);

    const lm = join(dir, 'lm.safetensors');
    const { text, options } = OLD_CHECKPOINT_RUN;
    const run = await trainOnText(text, { ...options, training: { ...options.training, epochs: 1 } });
    await saveCheckpoint(lm, { config: run.config, model: run.model, text: run.text, vocab: run.vocab, trainer: run.trainer });
    await rejectsOneLine(loadTaskCheckpoint(lm, REGRESSION_LOADER), /lm\.safetensors is a language-model checkpoint, not a forecast checkpoint$/);
    await rejectsOneLine(loadTaskCheckpoint(OLD.pathname, REGRESSION_LOADER), /lm-before-task-field\.safetensors is a language-model checkpoint, not a forecast checkpoint$/);

    const { tensors, metadata } = checkpointContents({ config: run.config, model: run.model, text: run.text, vocab: run.vocab });
    const other = join(dir, 'other.safetensors');
    await writeSafetensors(other, tensors, { 'lstm-ts': JSON.stringify({ ...JSON.parse(metadata['lstm-ts']!), task: 'translate' }) });
    await rejectsOneLine(loadCheckpoint(other), /other\.safetensors: unknown task "translate" \(this lstm-ts knows 'language-model', 'forecast', 'classify'\)$/);
  });
});

test('lstm generate and train --resume refuse a forecast checkpoint in one line naming both kinds; eval and export read it as a forecaster\'s', async () => {
  await withDir(async (dir) => {
    const forecast = join(dir, 'forecast.safetensors');
    const task = forecastTask();
    await saveTaskCheckpoint(forecast, task);
    const before = await readFile(forecast);
    const data = join(dir, 'text.txt');
    await writeFile(data, OLD_CHECKPOINT_RUN.text);
    const runs = await Promise.all([
      lstm(['generate', '--model', forecast, '--prefix', 'the']),
      lstm(['eval', '--model', forecast, '--data', data]),
      lstm(['export', '--model', forecast, '--format', 'torch', '--out', join(dir, 'out.safetensors')]),
      lstm(['train', '--resume', '--out', forecast, '--data', data]),
    ]);
    for (const [k, r] of runs.entries()) {
      assert.equal(r.code, 1, r.stderr);
      // eval and export take a forecast checkpoint to the forecast loader, which refuses this test task's config.
      const expected = k === 1 || k === 2 ? /^lstm: error: .*forecast\.safetensors: model config: unknown fields features, steps\n$/ : /^lstm: error: .*forecast\.safetensors is a forecast checkpoint, not a language-model checkpoint\n$/;
      assert.match(r.stderr, expected);
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(await readFile(forecast), before, 'nothing was written over it');
  });
});
