// The classify task from code: trainClassifier learns which words end in one of a..i (well above the majority class), with
// a stratified split, a vocabulary of the training texts, --max-length cuts counted and class weights; its checkpoint
// rebuilds the same classifier and is refused by the other tasks' loaders; a run stopped mid-epoch and resumed ends
// bit for bit where a straight run does; classifyTexts labels new texts; bad examples are one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSafetensorsWithMetadata } from '../src/io/safetensors.js';
import { loadCheckpoint, loadTaskCheckpoint, saveTaskCheckpoint } from '../src/train/checkpoint.js';
import { classifyDataFor, classifyTexts, loadClassifier, resumeClassifier, trainClassifier, type ClassifierOptions } from '../src/train/classify-session.js';
import { parseLabelled } from '../src/data/labelled.js';
import { FORECAST_LOADER } from '../src/train/task-loaders.js';
import { labelledCsv, labelledWords } from './helpers/task-data.js';
import { withTempDir } from './helpers/temp-dir.js';
import { rejectsOneLine, throwsOneLine } from './helpers/one-line.js';

const examples = labelledWords(320);
const SMALL: ClassifierOptions = { model: { hiddenSize: 16, embeddingDim: 8 }, training: { epochs: 6, batchSize: 16, lr: 0.01 } };

test('trainClassifier learns which words end in one of a..i, well above the majority class', async () => {
  const run = await trainClassifier(examples, SMALL);
  const test = run.test!;
  assert.equal(test.count, run.data.test.classes.length);
  assert.ok(test.accuracy > test.majority.accuracy + 0.15, `accuracy ${test.accuracy} vs majority ${test.majority.accuracy}`);
  assert.deepEqual(test.labels, ['a-i', 'k-u']);
  assert.equal(test.confusion.flat().reduce((a, b) => a + b, 0), test.count);
  // Stratified: each part keeps the class proportions within one example.
  const share = (classes: Int32Array) => classes.reduce((n, c) => n + (c === 0 ? 1 : 0), 0) / classes.length;
  assert.ok(Math.abs(share(run.data.valid.classes) - share(run.data.train.classes)) < 2 / run.data.valid.classes.length);
  // The vocabulary is the training texts' (lower-cased characters and <unk>).
  assert.ok(run.task.info.vocab.size <= 20);
});

test('--max-length cuts long texts and counts them; class weights are the balanced ones of the training part', async () => {
  const run = await trainClassifier(examples, { ...SMALL, maxLength: 4, classWeights: 'balanced', training: { ...SMALL.training, epochs: 1 } });
  assert.equal(run.data.truncated, examples.filter((e) => e.text.length > 4).length);
  assert.ok(Math.max(...run.data.all.lengths) <= 4);
  const counts = run.task.info.settings.classCounts;
  const n = counts[0]! + counts[1]!;
  assert.deepEqual(run.task.info.settings.classWeights, counts.map((c) => n / (2 * c)));
});

test('a classifier checkpoint rebuilds the same model; the language model and the forecaster refuse it', async () => {
  await withTempDir('lstm-classify-', async (dir) => {
    const run = await trainClassifier(examples, { ...SMALL, training: { ...SMALL.training, epochs: 1 } });
    const path = join(dir, 'c.safetensors');
    await saveTaskCheckpoint(path, run.task, run.trainer);
    const { task } = await loadClassifier(path);
    assert.deepEqual(task.info.labels.labels, run.task.info.labels.labels);
    assert.deepEqual(classifyTexts(task, ['mara', 'tom']), classifyTexts(run.task, ['mara', 'tom']));
    await rejectsOneLine(loadCheckpoint(path), /c\.safetensors is a classify checkpoint, not a language-model checkpoint/);
    await rejectsOneLine(loadTaskCheckpoint(path, FORECAST_LOADER), /is a classify checkpoint, not a forecast checkpoint/);
  });
});

test('stopped mid-epoch and resumed, a classifier run ends bit for bit where a straight run does', async () => {
  await withTempDir('lstm-classify-resume-', async (dir) => {
    const options = { ...SMALL, training: { ...SMALL.training, epochs: 3, seed: 3 } };
    const straightPath = join(dir, 'straight.safetensors');
    const straight = await trainClassifier(examples, { ...options, checkpointPath: straightPath, bestCheckpointPath: join(dir, 'straight.best.safetensors') });
    const path = join(dir, 'stopped.safetensors');
    const best = join(dir, 'stopped.best.safetensors');
    const abort = new AbortController();
    const stopped = await trainClassifier(examples, {
      ...options, checkpointPath: path, bestCheckpointPath: best, controls: { signal: abort.signal, onBatch: (b) => (b.epoch === 2 && b.batch === 5 ? abort.abort() : undefined) },
    });
    assert.equal(stopped.result.stopReason, 'aborted');
    const resumed = await resumeClassifier(path, examples, { bestCheckpointPath: best });
    assert.equal(resumed.keptEpoch, straight.keptEpoch);
    const [a, b] = [await readSafetensorsWithMetadata(straightPath), await readSafetensorsWithMetadata(path)];
    for (const name of Object.keys(a.tensors)) assert.deepEqual(b.tensors[name]!.data, a.tensors[name]!.data, `${name} differs`);
    assert.deepEqual(resumed.trainer.history.map((h) => h.valAccuracy), straight.trainer.history.map((h) => h.valAccuracy));
    assert.deepEqual(resumed.test, straight.test);
    await rejectsOneLine(resumeClassifier(path, labelledWords(320, 7)), /these examples are not the ones .* was trained on/);
  });
});

test('classifyTexts gives each text a label and probabilities that sum to 1; unknown characters read as <unk>', async () => {
  const run = await trainClassifier(examples, SMALL);
  const out = classifyTexts(run.task, ['bella', 'tomok', 'ZZZ?!']);
  assert.equal(out.length, 3);
  for (const r of out) {
    assert.ok(['a-i', 'k-u'].includes(r.label));
    assert.ok(Math.abs(r.probabilities['a-i']! + r.probabilities['k-u']! - 1) < 1e-6);
  }
  assert.equal(out[0]!.label, 'a-i');
  assert.equal(out[1]!.label, 'k-u');
  throwsOneLine(() => classifyTexts(run.task, ['anna', '   ']), /text 2 is empty/);
});

test('bad labelled data: one class only, an empty text, a label never seen in training', async () => {
  await rejectsOneLine(trainClassifier(examples.map((e) => ({ ...e, label: 'x' }))), /only one class \('x'\): classification needs at least two/);
  throwsOneLine(() => parseLabelled('label,text\na,hello\nb,\n', { source: 'd.csv' }), /d\.csv row 2 \(line 3\): the text is empty/);
  const run = await trainClassifier(examples, { ...SMALL, training: { ...SMALL.training, epochs: 1 } });
  throwsOneLine(() => classifyDataFor(run.task, [{ text: 'anna', label: 'a-i' }, { text: 'bob', label: 'neither' }]), /example 2: label 'neither' was never seen in training \(known labels: a-i, k-u\)/);
  const csv = parseLabelled(labelledCsv(examples.slice(0, 3)), { source: 'ok.csv' });
  assert.equal(csv.length, 3);
});
