// Tests for early stopping and the best checkpoint (src/train/early-stopping.ts, trainer.ts, session.ts): the best
// epoch and the epochs since it, read from a history; a run with `patience` is the run without it cut where
// `patience` epochs went by without beating the best, for a regression task and a language model; the best
// checkpoint holds exactly the weights of the best epoch; a resumed run decides as an uninterrupted one; bad
// settings are one-line errors before any training; `lstm train --patience` does the same from the command line.
// Off by default (the pinned language-model runs hold that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Trainer, bestEpochIndex, epochsWithoutImprovement, loadCheckpoint, resolveTrainOptions, resumeTraining, trainOnText, type TrainTextOptions } from '../src/train/index.js';
import { lstm } from './helpers/cli.js';
import { RegressionTask, makeWindows } from './helpers/regression-task.js';
import { weightsDigest } from './helpers/old-checkpoint.js';
import { withTempDir } from './helpers/temp-dir.js';

const withDir = (fn: (dir: string) => Promise<void>): Promise<void> => withTempDir('lstm-ts-early-', fn);

/** The epoch (1-based) at which patience runs out, found by walking the values: the specification, written plainly. */
function expectedStop(values: number[], patience: number, goal: 'min' | 'max'): number | null {
  let best = Infinity * (goal === 'min' ? 1 : -1);
  let since = 0;
  for (let k = 0; k < values.length; k++) {
    if (goal === 'min' ? values[k]! < best : values[k]! > best) [best, since] = [values[k]!, 0];
    else if (++since >= patience) return k + 1;
  }
  return null;
}

test('the best epoch is the first one no later epoch beat strictly; values that are not numbers are skipped', () => {
  const history = [{ v: 3 }, { v: 2 }, { v: Number.NaN }, { v: 2 }, { v: null }, { v: 2.5 }];
  assert.equal(bestEpochIndex(history, { metric: 'v', goal: 'min' }), 1);
  assert.equal(epochsWithoutImprovement(history, { metric: 'v', goal: 'min' }), 4);
  assert.equal(bestEpochIndex(history, { metric: 'v', goal: 'max' }), 0);
  assert.equal(bestEpochIndex([{ v: 1 }, { v: 4 }, { v: 4 }], { metric: 'v', goal: 'max' }), 1);
  assert.equal(bestEpochIndex([{ v: null }], { metric: 'v', goal: 'min' }), -1);
  assert.equal(epochsWithoutImprovement([], { metric: 'v', goal: 'min' }), 0);
  assert.equal(expectedStop([5, 4, 4.5, 3, 3.5, 3.2], 2, 'min'), 6);
  assert.equal(expectedStop([1, 2, 3], 1, 'max'), null);
});

test('a regression run with patience 2 is the run without it, cut where validation MSE stopped improving', async () => {
  const config = { features: 2, steps: 10, hiddenSize: 16, numLayers: 2, dropout: 0.1, seed: 5 };
  const options = { batchSize: 16, epochs: 12, lr: 0.01, optimizer: 'adam', validFraction: 0.2, seed: 3 } as const;
  const data = makeWindows(260, 10, 1);
  const full = new Trainer(new RegressionTask(config), options);
  const { train, valid } = full.split(data);
  await full.fit(train, valid);
  const stopAt = expectedStop(full.history.map((h) => h.valMse!), 2, 'min');
  assert.ok(stopAt !== null && stopAt < 12, `the validation MSE must stall before epoch 12 for this test to mean anything (${full.history.map((h) => h.valMse)})`);

  const early = new Trainer(new RegressionTask(config), { ...options, patience: 2 });
  const result = await early.fit(train, valid);
  assert.equal(result.stopReason, 'earlyStopped');
  assert.equal(early.epoch, stopAt);
  assert.ok(early.finished && early.stoppedEarly);
  assert.deepEqual(early.history.map((h) => [h.loss, h.valMse]), full.history.slice(0, stopAt).map((h) => [h.loss, h.valMse]));
  assert.equal(early.best!.epoch, bestEpochIndex(full.history.slice(0, stopAt), { metric: 'valMse', goal: 'min' }) + 1);
  assert.deepEqual(await early.fit(train, valid), { stopReason: 'earlyStopped', epochs: [] }, 'a finished run trains no more');

  const byMae = new Trainer(new RegressionTask(config), { ...options, patience: 1, monitor: 'valMae' });
  await byMae.fit(train, valid);
  assert.equal(byMae.epoch, expectedStop(full.history.map((h) => h.valMae!), 1, 'min') ?? 12, 'monitor picks the metric');
});

const TIME_MACHINE = new URL('../../shared/data/timemachine.txt', import.meta.url);

function lmOptions(epochs: number, patience?: number): TrainTextOptions {
  return {
    model: { cell: 'lstm', hiddenSize: 32, numLayers: 1, dropout: 0, seed: 2 },
    text: { tokens: 'char', preprocess: 'none' },
    training: { batchSize: 4, numSteps: 20, epochs, lr: 0.05, validFraction: 0.2, seed: 1, ...(patience === undefined ? {} : { patience }) },
  };
}

test('a language model stops on validation perplexity, keeps the best epoch beside the last, and resumes to the same stop', async () => {
  const text = (await readFile(TIME_MACHINE, 'utf8')).slice(0, 4000);
  const full = await trainOnText(text, lmOptions(12));
  const perplexities = full.trainer.history.map((h) => h.valPerplexity!);
  const stopAt = expectedStop(perplexities, 2, 'min');
  assert.ok(stopAt !== null && stopAt < 12, `validation perplexity must stall for this test to mean anything: ${perplexities}`);
  const bestEpoch = bestEpochIndex(full.trainer.history.slice(0, stopAt), { metric: 'valPerplexity', goal: 'min' }) + 1;
  assert.ok(bestEpoch < stopAt);

  await withDir(async (dir) => {
    const [last, best] = [join(dir, 'last.safetensors'), join(dir, 'best.safetensors')];
    const early = await trainOnText(text, { ...lmOptions(12, 2), checkpointPath: last, bestCheckpointPath: best });
    assert.equal(early.result.stopReason, 'earlyStopped');
    assert.deepEqual(early.trainer.history.map((h) => h.loss), full.trainer.history.slice(0, stopAt).map((h) => h.loss));
    const [savedLast, savedBest] = [await loadCheckpoint(last), await loadCheckpoint(best)];
    assert.equal(savedLast.training?.progress.epoch, stopAt);
    assert.equal(savedBest.training?.progress.epoch, bestEpoch);
    // A run of exactly bestEpoch epochs (constant learning rate) ends with the weights the best checkpoint holds.
    const short = await trainOnText(text, lmOptions(bestEpoch));
    assert.equal(weightsDigest(savedBest.model), weightsDigest(short.model));
    assert.equal(weightsDigest(savedLast.model), weightsDigest(early.model));

    // Stopped at the end of the best epoch, the resumed run counts the epochs without improvement as one run does.
    const resumed = await resumeTraining(best, text);
    assert.equal(resumed.result.stopReason, 'earlyStopped');
    assert.equal(weightsDigest(resumed.model), weightsDigest(early.model));
    // More patience on resume trains on where the first run stopped.
    const patient = await resumeTraining(last, text, { overrides: { patience: 12 } });
    assert.equal(patient.result.stopReason, 'completed');
    assert.equal(weightsDigest(patient.model), weightsDigest(full.model));
  });
});

test('early stopping refuses, in one line before any training, a metric the task lacks and validation it does not have', async () => {
  const task = new RegressionTask({ features: 2, steps: 10, hiddenSize: 4, numLayers: 1, dropout: 0, seed: 1 });
  assert.throws(() => new Trainer(task, { monitor: 'valPerplexity' }), /^Error: training options: monitor "valPerplexity" is not a metric of the forecast task \(it has loss, valMse, valMae\)$/);
  for (const name of ['constructor', '__proto__', 'toString']) {
    assert.throws(() => new Trainer(task, { monitor: name }), /^Error: training options: monitor ".*" is not a metric of the forecast task/, `monitor ${name} (a name a checkpoint may hold)`);
  }
  assert.throws(() => resolveTrainOptions({ patience: 0 }), /patience must be an integer >= 1, got 0/);
  const data = makeWindows(60, 10, 1);
  const trainer = new Trainer(task, { patience: 3, epochs: 2 });
  await assert.rejects(trainer.fit(data, null), /^Error: patience 3 watches valMse, which needs validation data \(validFraction > 0\)$/);
  assert.equal(trainer.step, 0);
  await assert.rejects(
    trainOnText('the quick brown fox jumps over the lazy dog. '.repeat(12), { ...lmOptions(2), training: { ...lmOptions(2).training, validFraction: 0 }, bestCheckpointPath: 'never.safetensors' }),
    /^Error: keeping the best checkpoint watches valPerplexity, which needs validation data \(validFraction > 0\)$/,
  );
  // Watching the training loss needs no validation data.
  const onLoss = new Trainer(task, { patience: 1, monitor: 'loss', epochs: 2 });
  assert.deepEqual(onLoss.monitor, { metric: 'loss', goal: 'min' });
  assert.ok(['completed', 'earlyStopped'].includes((await onLoss.fit(data, null)).stopReason));
  assert.deepEqual(Object.keys(resolveTrainOptions({})).filter((k) => k === 'patience' || k === 'monitor'), [], 'absent unless asked for');
});

test('lstm train --patience stops on validation perplexity, keeps the best checkpoint beside --out and exits 0', async () => {
  await withDir(async (dir) => {
    const data = join(dir, 'tm.txt');
    await writeFile(data, (await readFile(TIME_MACHINE, 'utf8')).slice(0, 4000));
    const flags = ['train', '--data', data, '--hidden', '32', '--batch', '4', '--steps', '20', '--lr', '0.05', '--valid', '0.2', '--epochs', '12', '--json', '--sample-length', '5'];
    const epochLines = (stdout: string): Array<Record<string, number>> => stdout.trim().split('\n').slice(0, -1).map((l) => JSON.parse(l));
    const full = await lstm([...flags, '--out', join(dir, 'full.safetensors')]);
    assert.equal(full.code, 0, full.stderr);
    const stopAt = expectedStop(epochLines(full.stdout).map((e) => e.valPerplexity!), 2, 'min');
    assert.ok(stopAt !== null && stopAt < 12, 'validation perplexity must stall for this test to mean anything');

    const out = join(dir, 'book.safetensors');
    const early = await lstm([...flags, '--patience', '2', '--out', out]);
    assert.equal(early.code, 0, early.stderr);
    const lines = epochLines(early.stdout);
    assert.deepEqual(lines.map((e) => e.loss), epochLines(full.stdout).slice(0, stopAt).map((e) => e.loss));
    const summary = JSON.parse(early.stdout.trim().split('\n').at(-1)!).summary;
    const bestEpoch = bestEpochIndex(lines, { metric: 'valPerplexity', goal: 'min' }) + 1;
    assert.equal(summary.stopReason, 'earlyStopped');
    assert.deepEqual(summary.best, { checkpoint: join(dir, 'book.best.safetensors'), epoch: bestEpoch, patience: 2 });
    assert.equal((await loadCheckpoint(join(dir, 'book.best.safetensors'))).training?.progress.epoch, bestEpoch);
    assert.equal((await loadCheckpoint(out)).training?.progress.epoch, stopAt);

    // A new run does not overwrite a best checkpoint it did not write (unless --force).
    await writeFile(join(dir, 'other.best.safetensors'), 'keep me');
    const taken = await lstm([...flags, '--patience', '2', '--out', join(dir, 'other.safetensors')]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^lstm: error: .*other\.best\.safetensors \(the best checkpoint beside --out\) already exists; pass --force/);
    assert.equal(await readFile(join(dir, 'other.best.safetensors'), 'utf8'), 'keep me');
    const noValid = await lstm([...flags, '--patience', '2', '--valid', '0', '--out', join(dir, 'v.safetensors')]);
    assert.equal(noValid.stderr, 'lstm: error: --patience 2 watches the validation perplexity, so it needs --valid > 0\n');
  });
});
