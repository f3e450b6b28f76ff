// Tests for checkpoints (src/train): the file layout and a save/load round trip; resuming is bit for bit the
// same as never stopping (SGD and Adam, at an epoch boundary, mid-epoch, from a save made while training went
// on); a failed save leaves the previous file; every kind of bad checkpoint gets a one-line error naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../src/core/tensor.js';
import { readSafetensorsWithMetadata, writeSafetensors } from '../src/io/safetensors.js';
import type { RNNModel } from '../src/nn/rnn-model.js';
import {
  Trainer, buildModel, checkpointContents, evaluateCheckpoint, evaluateLoss, generate, generateFromCheckpoint, loadCheckpoint, prepareCorpus,
  resumeTraining, saveCheckpoint, trainOnText, type Checkpoint, type FitControls, type RunStart, type TextSettings, type TrainTextOptions, type TrainingRun,
} from '../src/train/index.js';

const FOX = 'the quick brown fox jumps over the lazy dog. ';
const TEXT = FOX.repeat(12);
const CHARS: TextSettings = { tokens: 'char', preprocess: 'none' };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lstm-ts-ckpt-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function weights(model: RNNModel): Buffer {
  return Buffer.concat(model.parameters().map((p) => new Uint8Array(Float32Array.from(p.data).buffer)));
}

function runOptions(training: TrainTextOptions['training'], model: Partial<TrainTextOptions['model']> = {}): TrainTextOptions {
  return { model: { cell: 'lstm', hiddenSize: 16, numLayers: 1, dropout: 0, seed: 7, ...model }, text: CHARS, training };
}

test('a checkpoint holds named parameters, optimizer buffers and lstm-ts metadata, and loads to the same logits', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'm.safetensors');
    const run = await trainOnText(TEXT, { ...runOptions({ batchSize: 3, numSteps: 8, epochs: 1 }), checkpointPath: path });
    const { tensors, metadata } = await readSafetensorsWithMetadata(path);
    for (const name of ['rnn.l0.W_i', 'rnn.l0.U_a', 'decoder.weight', 'decoder.bias', 'optimizer.exp_avg.0', 'optimizer.steps']) {
      assert.ok(name in tensors, `missing ${name}`);
    }
    const meta = JSON.parse(metadata['lstm-ts']!);
    assert.equal(meta.format, 'lstm-ts/checkpoint');
    assert.equal(meta.version, 1);
    assert.deepEqual(meta.model, run.config);
    assert.deepEqual(meta.text, CHARS);
    assert.deepEqual(meta.vocab.tokens, run.vocab.tokens);
    assert.equal(meta.optimizer.kind, 'adam');
    assert.equal(meta.training.epoch, 1);
    assert.equal(meta.training.history.length, 1);

    const ckpt = await loadCheckpoint(path);
    assert.deepEqual(ckpt.config, run.config);
    assert.deepEqual(ckpt.vocab.tokens, run.vocab.tokens);
    assert.deepEqual(weights(ckpt.model), weights(run.model));
    const tokens = new Tensor(Float32Array.from(prepareCorpus('the lazy dog', CHARS, { vocab: run.vocab }).ids), [1, 12]);
    run.model.eval();
    ckpt.model.eval();
    assert.deepEqual(ckpt.model.forward(tokens)[0].data, run.model.forward(tokens)[0].data);
    const expected = generate(run.model, run.vocab, run.text, 'the', { length: 15 });
    assert.equal(generate(ckpt.model, ckpt.vocab, ckpt.text, 'the', { length: 15 }), expected);
    assert.equal(await generateFromCheckpoint(path, 'the', { length: 15 }), expected);
    const sampled = (seed: number): Promise<string> => generateFromCheckpoint(path, 'the', { length: 30, strategy: 'sample', seed });
    assert.equal(await sampled(3), await sampled(3));
  });
});

interface FirstRun {
  /** Epochs the first run is configured for (less than N = stopping at a boundary, then extended on resume). */
  epochs?: number;
  controls?: FitControls;
  /** Checks on the checkpoint the first run left behind. */
  inspect?: (saved: Checkpoint) => void;
}

/** Trains N epochs straight and k + (N - k) through a checkpoint, and demands identical weights and losses. */
async function assertResumeIdentical(options: TrainTextOptions, firstRun: FirstRun): Promise<void> {
  const straight = await trainOnText(TEXT, options);
  const total = options.training!.epochs!;
  await withDir(async (dir) => {
    const path = join(dir, 'resume.safetensors');
    const training = { ...options.training, epochs: firstRun.epochs ?? total };
    const first = await trainOnText(TEXT, { ...options, training, checkpointPath: path, controls: firstRun.controls });
    assert.notDeepEqual(weights(first.model), weights(straight.model), 'the first run must stop early');
    firstRun.inspect?.(await loadCheckpoint(path));
    const resumed = await resumeTraining(path, TEXT, { overrides: firstRun.epochs === undefined ? {} : { epochs: total } });
    assert.equal(resumed.result.stopReason, 'completed');
    assert.ok(resumed.sameCorpus);
    assert.deepEqual(weights(resumed.model), weights(straight.model), 'weights after resuming');
    const summary = (run: TrainingRun): unknown[] => run.trainer.history.map((h) => [h.loss, h.valPerplexity, h.lr]);
    assert.deepEqual(summary(resumed), summary(straight));
    assert.equal(resumed.trainer.step, straight.trainer.step);
    assert.deepEqual(resumed.trainer.optimizer.stateDict().buffers, straight.trainer.optimizer.stateDict().buffers);
  });
}

/** Controls that abort the run right after minibatch `batch` of epoch `epoch`. */
function abortAt(epoch: number, batch: number): FitControls {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onBatch: (b) => {
      if (b.epoch === epoch && b.batch === batch) controller.abort();
    },
  };
}

test('resume is bit-identical: SGD with momentum, sequential, stopped at an epoch boundary and extended', async () => {
  const options = runOptions({ batchSize: 3, numSteps: 8, epochs: 4, optimizer: 'sgd', lr: 0.5, momentum: 0.9, sampling: 'sequential', seed: 3 });
  await assertResumeIdentical(options, { epochs: 2 });
});

test('resume is bit-identical: Adam, random minibatches, dropout between 2 layers, cosine schedule, maxEpochs', async () => {
  const training = { batchSize: 3, numSteps: 8, epochs: 4, lr: 0.01, sampling: 'random', lrSchedule: 'cosine', validFraction: 0.1, seed: 4 } as const;
  await assertResumeIdentical(runOptions(training, { numLayers: 2, dropout: 0.3 }), { controls: { maxEpochs: 2 } });
});

test('resume is bit-identical mid-epoch: Adam, sequential, aborted at epoch 2 batch 3 with the carried state saved', async () => {
  const options = runOptions({ batchSize: 3, numSteps: 8, epochs: 3, lr: 0.01, sampling: 'sequential', seed: 5 });
  await assertResumeIdentical(options, {
    controls: abortAt(2, 3),
    inspect: (saved) => {
      // Saved where it stopped, not at the last epoch boundary: mid-epoch, with the carried (h, c).
      assert.equal(saved.training?.progress.epoch, 1);
      assert.equal(saved.training?.progress.batch, 3);
      assert.equal(saved.training?.carried?.length, 2);
      assert.ok(saved.training!.carried!.every((t) => t.data.some((v) => v !== 0)));
    },
  });
});

test('resume is bit-identical mid-epoch: SGD, random minibatches with dropout, aborted at epoch 3 batch 2', async () => {
  const training = { batchSize: 3, numSteps: 8, epochs: 4, optimizer: 'sgd', lr: 0.5, sampling: 'random', seed: 6 } as const;
  await assertResumeIdentical(runOptions(training, { numLayers: 2, dropout: 0.2, cell: 'gru' }), {
    controls: abortAt(3, 2),
    inspect: (saved) => {
      assert.equal(saved.training?.progress.batch, 2);
      assert.equal(saved.training?.carried, null, 'random sampling carries no state');
    },
  });
});

test('a checkpoint saved from onBatch while training goes on resumes bit-identically from that minibatch', async () => {
  const options = runOptions({ batchSize: 3, numSteps: 8, epochs: 3, lr: 0.01, sampling: 'random', seed: 9 }, { numLayers: 2, dropout: 0.25 });
  const straight = await trainOnText(TEXT, options);
  await withDir(async (dir) => {
    const path = join(dir, 'periodic.safetensors');
    let pending: Promise<void> | null = null;
    let start: RunStart | null = null;
    await trainOnText(TEXT, {
      ...options,
      controls: {
        onStart: (s) => void (start = s),
        onBatch: (b) => {
          if (b.epoch !== 2 || b.batch !== 3) return;
          const { config, vocab, trainer } = start!;
          pending = saveCheckpoint(path, { config, vocab, model: trainer.model, text: CHARS, trainer });
        },
      },
    });
    await pending;
    assert.equal((await loadCheckpoint(path)).training?.progress.batch, 3);
    const resumed = await resumeTraining(path, TEXT);
    assert.deepEqual(weights(resumed.model), weights(straight.model));
  });
});

test('resume refuses options that would invalidate the saved state, and weights-only checkpoints', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'r.safetensors');
    const run = await trainOnText(TEXT, { ...runOptions({ batchSize: 3, numSteps: 8, epochs: 1 }), checkpointPath: path });
    await assert.rejects(resumeTraining(path, TEXT, { overrides: { batchSize: 4 } as never }), /^Error: cannot change batchSize when resuming/);
    const weightsOnly = join(dir, 'w.safetensors');
    await saveCheckpoint(weightsOnly, { config: run.config, model: run.model, text: run.text, vocab: run.vocab });
    assert.equal((await loadCheckpoint(weightsOnly)).training, null);
    await assert.rejects(resumeTraining(weightsOnly, TEXT), /holds weights only .* nothing to resume/);
  });
});

test('evaluateCheckpoint scores a text with the saved vocabulary and model', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'e.safetensors');
    const run = await trainOnText(TEXT, { ...runOptions({ batchSize: 3, numSteps: 8, epochs: 2 }), checkpointPath: path });
    const text = FOX.repeat(3) + 'ÿ';
    const result = await evaluateCheckpoint(path, text, { batchSize: 2, numSteps: 10 });
    const expected = evaluateLoss(run.model, prepareCorpus(text, CHARS, { vocab: run.vocab }).ids, { batchSize: 2, numSteps: 10 });
    assert.equal(result.perplexity, expected.perplexity);
    assert.equal(result.unknownCount, 1, "'ÿ' is not in the vocabulary");
    assert.ok(result.perplexity < run.trainer.history[0]!.perplexity);
  });
});

test('a failed save leaves the previous checkpoint byte-identical and no temp files', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'keep.safetensors');
    const run = await trainOnText(TEXT, { ...runOptions({ batchSize: 3, numSteps: 8, epochs: 1 }), checkpointPath: path });
    const before = await readFile(path);
    const wrongConfig = { ...run.config, vocabSize: run.config.vocabSize + 1 };
    const input = { config: run.config, model: run.model, text: run.text, vocab: run.vocab, trainer: run.trainer };
    await assert.rejects(saveCheckpoint(path, { ...input, config: wrongConfig }), /vocabulary has \d+ tokens but the model config says/);
    // A failure halfway through building the file's contents (after the tensors were gathered).
    const brokenVocab = Object.create(run.vocab, { toJSON: { value: () => { throw new Error('disk full (simulated)'); } } });
    await assert.rejects(saveCheckpoint(path, { ...input, vocab: brokenVocab }), /simulated/);
    assert.deepEqual(await readFile(path), before);
    assert.deepEqual(await readdir(dir), ['keep.safetensors']);
  });
});

test('loading a bad checkpoint fails with one line naming the file and the problem', async () => {
  await withDir(async (dir) => {
    const { ids, vocab } = prepareCorpus(TEXT, CHARS);
    const config = { cell: 'lstm', hiddenSize: 16, numLayers: 1, dropout: 0, vocabSize: vocab.size, seed: 1 } as const;
    const model = buildModel(config);
    const trainer = new Trainer(model, { batchSize: 3, numSteps: 8, epochs: 1 });
    await trainer.fit(ids);
    const good = checkpointContents({ config, model, text: CHARS, vocab, trainer });
    const meta = (): Record<string, any> => JSON.parse(good.metadata['lstm-ts']!);
    const variant = async (name: string, tensors: Record<string, Tensor>, metadata?: Record<string, unknown>): Promise<string> => {
      const path = join(dir, name);
      await writeSafetensors(path, tensors, metadata === undefined ? undefined : { 'lstm-ts': JSON.stringify(metadata) });
      return path;
    };
    const without = (name: string): Record<string, Tensor> => Object.fromEntries(Object.entries(good.tensors).filter(([n]) => n !== name));
    const V = vocab.size;
    const textFile = join(dir, 'notes.txt');
    await writeFile(textFile, 'just some text, not tensors');
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'nope.safetensors'), /^checkpoint not found: .*nope\.safetensors$/],
      [textFile, /notes\.txt is not an lstm-ts checkpoint: not a safetensors file \(/],
      [await variant('plain.safetensors', good.tensors), /plain\.safetensors is not an lstm-ts checkpoint: it is a safetensors file without "lstm-ts" metadata/],
      [
        await variant('other.safetensors', good.tensors, { ...meta(), format: 'something/else' }),
        /other\.safetensors is not an lstm-ts checkpoint: metadata format is "something\/else"/,
      ],
      [await variant('v2.safetensors', good.tensors, { ...meta(), version: 2 }), /v2\.safetensors: checkpoint version 2 is not supported \(this lstm-ts reads version 1\)/],
      [
        await variant('shape.safetensors', good.tensors, { ...meta(), model: { ...config, hiddenSize: 32 } }),
        new RegExp(`shape\\.safetensors: checkpoint says lstm 32x1 but tensor rnn\\.l0\\.W_i is \\(${V}, 16\\), expected \\(${V}, 32\\)`),
      ],
      [await variant('missing.safetensors', without('rnn.l0.U_f'), meta()), /missing\.safetensors: checkpoint says lstm 16x1 but has no tensor rnn\.l0\.U_f/],
      [await variant('layers.safetensors', good.tensors, { ...meta(), model: { ...config, cell: 'gru' } }), /checkpoint says gru 16x1 but has no tensor rnn\.l0\.W_r/],
      [
        await variant('vocab.safetensors', good.tensors, { ...meta(), model: { ...config, vocabSize: V + 1 } }),
        new RegExp(`vocab\\.safetensors: the vocabulary has ${V} tokens but the model config says vocabSize ${V + 1}`),
      ],
      [
        await variant('cell.safetensors', good.tensors, { ...meta(), model: { ...config, cell: 'transformer' } }),
        /cell\.safetensors: model config: cell must be 'lstm', 'gru' or 'rnn', got "transformer"/,
      ],
      [await variant('optim.safetensors', without('optimizer.exp_avg.0'), meta()), /optim\.safetensors: optimizer state does not fit the model: .*buffers/],
      [await variant('extra.safetensors', { ...good.tensors, 'rnn.l1.W_i': new Tensor([1], [1]) }, meta()), /checkpoint says lstm 16x1 but has unexpected tensor rnn\.l1\.W_i/],
    ];
    for (const [path, pattern] of cases) {
      await assert.rejects(loadCheckpoint(path), (err: Error) => {
        assert.match(err.message, pattern);
        assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
        return true;
      });
    }
    assert.ok((await loadCheckpoint(await variant('ok.safetensors', good.tensors, meta()))).training !== null, 'the unmodified contents load');
  });
});
