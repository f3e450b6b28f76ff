// Tests for the training loop (src/train): a tiny LSTM learns a repetitive text and writes it back; the epoch
// perplexity is d2l's exp(token-weighted mean CE); sequential sampling carries the detached state and random
// sampling resets it (checked with a spy and against a hand-written d2l loop); runs are deterministic per seed;
// NaN/Inf stops training with a clear error and leaves the last checkpoint untouched; GRU and RNN cells train too.
import { useEngine } from '../src/engine/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../src/core/tensor.js';
import { Random } from '../src/core/random.js';
import { crossEntropy } from '../src/core/ops/loss.js';
import { sequentialBatches } from '../src/data/batches.js';
import { Adam } from '../src/optim/adam.js';
import { clipGradNorm } from '../src/optim/clip.js';
import type { State } from '../src/nn/cell.js';
import type { RNNModel } from '../src/nn/rnn-model.js';
import {
  Trainer, TrainingDivergedError, buildModel, evaluateLoss, generate, lossAndGrad, prepareCorpus, resumeTraining, saveCheckpoint, trainOnText,
  type ModelConfig, type TextSettings,
} from '../src/train/index.js';

const FOX = 'the quick brown fox jumps over the lazy dog. ';
const CHARS: TextSettings = { tokens: 'char', preprocess: 'none' };

function corpus(repeats: number): ReturnType<typeof prepareCorpus> {
  return prepareCorpus(FOX.repeat(repeats), CHARS);
}

function tinyConfig(vocabSize: number, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { cell: 'lstm', hiddenSize: 16, numLayers: 1, dropout: 0, vocabSize, seed: 3, ...overrides };
}

/** All parameters, concatenated as float32 bits, for bit-for-bit comparisons. */
function weights(model: RNNModel): Uint8Array {
  const parts = model.parameters().map((p) => new Uint8Array(Float32Array.from(p.data).buffer));
  return Buffer.concat(parts);
}

test('a tiny LSTM with Adam learns the fox text (perplexity < 1.5) and greedy generation continues "the qu"', async () => {
  const starts: number[][] = [];
  const run = await trainOnText(FOX.repeat(40), {
    model: { cell: 'lstm', hiddenSize: 32, numLayers: 1, dropout: 0, seed: 1 },
    text: CHARS,
    training: { batchSize: 8, numSteps: 16, epochs: 8, lr: 0.02, optimizer: 'adam', sampling: 'sequential', validFraction: 0 },
    controls: { onStart: (s) => void starts.push([s.trainTokens, s.validTokens, s.vocab.size, s.trainer.epoch]) },
  });
  assert.deepEqual(starts, [[FOX.length * 40, 0, 29, 0]], 'onStart ran once, before the first epoch');
  const history = run.trainer.history;
  assert.equal(history.length, 8);
  assert.ok(history[0]!.perplexity > 5, `first epoch should still be uncertain, got ${history[0]!.perplexity}`);
  const last = history.at(-1)!;
  assert.ok(last.perplexity < 1.5, `final perplexity ${last.perplexity} should be < 1.5`);
  assert.ok(last.tokensPerSec > 0 && last.seconds > 0);
  assert.equal(last.valPerplexity, null, 'validFraction 0: no validation split');
  const text = generate(run.model, run.vocab, run.text, 'the qu', { length: 20 });
  assert.ok(text.startsWith('the quick brown fox'), `generated ${JSON.stringify(text)}`);
  assert.equal(run.model.training, true, 'generate restores training mode');
});

test('epoch perplexity is exp(Σ l·n / Σ n) over its minibatches, and valPerplexity is the held-out perplexity', async () => {
  const { ids, vocab } = corpus(20);
  const model = buildModel(tinyConfig(vocab.size));
  const trainer = new Trainer(model, { batchSize: 4, numSteps: 9, epochs: 2, lr: 0.01, sampling: 'random', validFraction: 0.2, seed: 5 });
  const { train, valid } = trainer.split(ids);
  assert.ok(valid !== null && valid.length === Math.floor(ids.length * 0.2));
  const seen: Array<{ epoch: number; loss: number }> = [];
  const { epochs } = await trainer.fit(train, valid, { onBatch: (b) => seen.push({ epoch: b.epoch, loss: b.loss }) });
  for (const stats of epochs) {
    const losses = seen.filter((s) => s.epoch === stats.epoch).map((s) => s.loss);
    const tokens = 4 * 9; // every minibatch holds batchSize·numSteps tokens
    const expected = Math.exp(losses.reduce((a, l) => a + l * tokens, 0) / (losses.length * tokens));
    assert.ok(Math.abs(stats.perplexity - expected) <= 1e-12 * expected, `epoch ${stats.epoch}: ${stats.perplexity} vs ${expected}`);
    const meanOfPerplexities = losses.reduce((a, l) => a + Math.exp(l), 0) / losses.length;
    assert.notEqual(stats.perplexity, meanOfPerplexities, 'not the mean of per-batch perplexities');
  }
  const held = evaluateLoss(model, valid!, { batchSize: 4, numSteps: 9 });
  assert.equal(epochs.at(-1)!.valPerplexity, held.perplexity);
});

test('evaluateLoss carries the state across windows: short windows score the same as one long window', () => {
  const { ids, vocab } = corpus(3);
  const model = buildModel(tinyConfig(vocab.size));
  const whole = evaluateLoss(model, ids, { batchSize: 1, numSteps: ids.length });
  const windows = evaluateLoss(model, ids, { batchSize: 1, numSteps: 7 });
  assert.equal(whole.tokens, ids.length - 1);
  assert.equal(windows.tokens, ids.length - 1);
  assert.ok(Math.abs(whole.loss - windows.loss) < 1e-5, `${whole.loss} vs ${windows.loss}`);
  // Independent check of the long window: one forward over the whole text and PyTorch-style mean CE.
  const [logits] = model.forward(new Tensor(Float32Array.from(ids.subarray(0, -1)), [1, ids.length - 1]));
  const manual = crossEntropy(logits, model.targetsFor(ids.subarray(1), 1, ids.length - 1)).item();
  assert.ok(Math.abs(whole.loss - manual) < 1e-5, `${whole.loss} vs ${manual}`);
});

/** Wraps model.forward to record each call's incoming state and the state it returned. */
function spyOnStates(model: RNNModel, t: { after(fn: () => void): void }): Array<{ given: Tensor[] | null; returned: Tensor[] }> {
  // The spy watches model.forward, which only the autograd path calls; the fused engine is checked against it elsewhere.
  useEngine('autograd');
  t.after(() => useEngine('auto'));
  const calls: Array<{ given: Tensor[] | null; returned: Tensor[] }> = [];
  const forward = model.forward.bind(model);
  const asList = (s: State): Tensor[] => (s instanceof Tensor ? [s] : s);
  model.forward = (tokens: Tensor, state?: State): [Tensor, State] => {
    const result = forward(tokens, state);
    calls.push({ given: state === undefined ? null : asList(state), returned: asList(result[1]) });
    return result;
  };
  return calls;
}

const isZero = (parts: Tensor[] | null): boolean => parts === null || parts.every((t) => t.data.every((v) => v === 0));

test('sequential sampling hands each minibatch the previous detached state and resets it at each epoch', async (t) => {
  const { ids, vocab } = corpus(12);
  const model = buildModel(tinyConfig(vocab.size));
  const calls = spyOnStates(model, t);
  const trainer = new Trainer(model, { batchSize: 3, numSteps: 8, epochs: 2, sampling: 'sequential', seed: 2 });
  const epochOf: number[] = [];
  await trainer.fit(ids, null, { onBatch: (b) => epochOf.push(b.epoch) });
  assert.equal(calls.length, epochOf.length);
  for (let k = 0; k < calls.length; k++) {
    const firstOfEpoch = k === 0 || epochOf[k] !== epochOf[k - 1];
    const given = calls[k]!.given!;
    if (firstOfEpoch) {
      assert.ok(isZero(given), `call ${k} opens epoch ${epochOf[k]} and must start from zeros`);
      continue;
    }
    const previous = calls[k - 1]!.returned;
    given.forEach((t, j) => {
      assert.deepEqual(t.data, previous[j]!.data, `call ${k}: state ${j} continues the previous minibatch`);
      assert.notEqual(t, previous[j], 'a detached copy, not the graph node itself');
      assert.equal(t.requiresGrad, false, 'detached: backpropagation stops at the minibatch boundary');
      assert.ok(previous[j]!.requiresGrad, 'the returned state was part of the graph');
    });
    assert.ok(!isZero(given));
  }
});

test('random sampling starts every minibatch from a zero state', async (t) => {
  const { ids, vocab } = corpus(12);
  const model = buildModel(tinyConfig(vocab.size));
  const calls = spyOnStates(model, t);
  await new Trainer(model, { batchSize: 3, numSteps: 8, epochs: 2, sampling: 'random', seed: 2 }).fit(ids);
  assert.ok(calls.length > 4);
  calls.forEach((c, k) => assert.ok(isZero(c.given), `call ${k} must start from zeros`));
});

test('the trainer matches a hand-written d2l loop (sequential, clipping, Adam) bit for bit', async () => {
  const { ids, vocab } = corpus(12);
  // clip 0.05 is below this model's typical gradient norm, so clipping changes every step.
  const options = { batchSize: 3, numSteps: 8, epochs: 3, lr: 0.01, clip: 0.05, optimizer: 'adam', sampling: 'sequential', seed: 9 } as const;
  const viaTrainer = buildModel(tinyConfig(vocab.size));
  await new Trainer(viaTrainer, options).fit(ids);

  const manual = buildModel(tinyConfig(vocab.size));
  const params = manual.parameters();
  const adam = new Adam(params, { lr: 0.01 });
  const random = new Random(9);
  const norms: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    let state: State | undefined;
    for (const batch of sequentialBatches(ids, 3, 8, random)) {
      state ??= manual.beginState(3);
      for (const p of params) p.zeroGrad();
      state = lossAndGrad(manual, batch, state).state;
      norms.push(clipGradNorm(params, 0.05));
      adam.step();
    }
  }
  assert.ok(norms.filter((n) => n > 0.05).length > norms.length / 2, 'clipping was active');
  assert.deepEqual(weights(viaTrainer), weights(manual));
});

test('fit() can be called again after an abort, a time limit or an error and continues exactly', async () => {
  const { ids, vocab } = corpus(12);
  const options = { batchSize: 3, numSteps: 8, epochs: 3, sampling: 'random', seed: 8 } as const;
  const straight = buildModel(tinyConfig(vocab.size, { numLayers: 2, dropout: 0.2 }));
  await new Trainer(straight, options).fit(ids);

  const model = buildModel(tinyConfig(vocab.size, { numLayers: 2, dropout: 0.2 }));
  const trainer = new Trainer(model, options);
  const controller = new AbortController();
  const aborted = await trainer.fit(ids, null, { signal: controller.signal, onBatch: (b) => b.batch === 4 && controller.abort() });
  assert.deepEqual([aborted.stopReason, trainer.epoch, trainer.batch], ['aborted', 0, 4]);
  const timed = await trainer.fit(ids, null, { maxSeconds: 0 });
  assert.deepEqual([timed.stopReason, trainer.batch], ['maxSeconds', 4], 'a zero budget stops before any work');
  const bias = model.namedParameters().find(([name]) => name === 'decoder.bias')![1];
  let saved = 0;
  const poison = (b: { epoch: number; batch: number }): void => {
    if (b.epoch === 2 && b.batch === 2) [saved, bias.data[0]] = [bias.data[0]!, NaN];
  };
  await assert.rejects(trainer.fit(ids, null, { onBatch: poison }), TrainingDivergedError);
  assert.deepEqual([trainer.epoch, trainer.batch], [1, 2]);
  bias.data[0] = saved; // undo the damage; the refused step itself changed nothing
  const rest = await trainer.fit(ids);
  assert.equal(rest.stopReason, 'completed');
  assert.deepEqual(weights(model), weights(straight));
});

test('training is deterministic per seed (dropout and random minibatches included)', async () => {
  const { ids, vocab } = corpus(12);
  const runWith = async (seed: number): Promise<Uint8Array> => {
    const model = buildModel(tinyConfig(vocab.size, { numLayers: 2, dropout: 0.3 }));
    await new Trainer(model, { batchSize: 3, numSteps: 8, epochs: 2, sampling: 'random', seed }).fit(ids);
    return weights(model);
  };
  const [a, b, c] = [await runWith(11), await runWith(11), await runWith(12)];
  assert.deepEqual(a, b, 'same seed, same weights');
  assert.notDeepEqual(a, c, 'another seed, other weights');
});

test('a NaN weight stops training with TrainingDivergedError naming NaN, the epoch and the step', async () => {
  const { ids, vocab } = corpus(12);
  const model = buildModel(tinyConfig(vocab.size));
  const trainer = new Trainer(model, { batchSize: 3, numSteps: 8, epochs: 3, seed: 1 });
  await trainer.fit(ids, null, { maxEpochs: 1 });
  const stepsBefore = trainer.step;
  const bias = model.namedParameters().find(([name]) => name === 'decoder.bias')![1];
  bias.data[0] = NaN; // every logit row gets this bias, so the loss of the very next step is NaN
  await assert.rejects(trainer.fit(ids), (err: Error) => {
    assert.ok(err instanceof TrainingDivergedError);
    assert.match(err.message, new RegExp(`^training diverged at epoch 2, step ${stepsBefore + 1} \\(batch 1 of \\d+\\): the loss is NaN`));
    assert.ok(!err.message.includes('\n'));
    return true;
  });
  assert.equal(trainer.step, stepsBefore, 'the failed step is not counted');
  assert.equal(trainer.history.length, 1);
});

test('divergence on resume (lr 1e38) leaves the existing checkpoint byte-identical and writes no temp files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lstm-ts-nan-'));
  try {
    const path = join(dir, 'model.safetensors');
    const text = FOX.repeat(12);
    await trainOnText(text, {
      model: { cell: 'lstm', hiddenSize: 16, numLayers: 1, dropout: 0, seed: 1 },
      text: CHARS,
      training: { batchSize: 3, numSteps: 8, epochs: 1, optimizer: 'sgd', lr: 1, clip: 0 },
      checkpointPath: path,
    });
    const before = await readFile(path);
    await assert.rejects(resumeTraining(path, text, { overrides: { epochs: 3, lr: 1e38 } }), (err: Error) => {
      assert.ok(err instanceof TrainingDivergedError, String(err));
      assert.match(err.message, /training diverged at epoch 2, step \d+ .*(NaN|Infinity|beyond the bound 1000000 on weight values)/);
      return true;
    });
    assert.deepEqual(await readFile(path), before);
    assert.deepEqual(await readdir(dir), ['model.safetensors']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a trainer saving each epoch through saveCheckpoint does not save once a NaN appears', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lstm-ts-nan-'));
  try {
    const path = join(dir, 'ckpt.safetensors');
    const { ids, vocab } = corpus(12);
    const config = tinyConfig(vocab.size);
    const model = buildModel(config);
    const trainer = new Trainer(model, { batchSize: 3, numSteps: 8, epochs: 3 });
    const save = (): Promise<void> => saveCheckpoint(path, { config, model, text: CHARS, vocab, trainer });
    await trainer.fit(ids, null, { maxEpochs: 1, onEpoch: save });
    const before = await readFile(path);
    const poison = (b: { batch: number }): void => {
      if (b.batch === 2) model.parameters()[0]!.data.fill(NaN);
    };
    await assert.rejects(trainer.fit(ids, null, { onBatch: poison, onEpoch: save }), /diverged at epoch 2, step \d+ \(batch 3 of \d+\): the loss is NaN/);
    assert.deepEqual(await readFile(path), before);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

for (const cell of ['gru', 'rnn'] as const) {
  test(`a ${cell.toUpperCase()} language model trains too`, async () => {
    const run = await trainOnText(FOX.repeat(30), {
      model: { cell, hiddenSize: 32, numLayers: 1, dropout: 0, seed: 4 },
      text: CHARS,
      training: { batchSize: 8, numSteps: 12, epochs: 6, lr: 0.02, sampling: 'sequential' },
    });
    const [first, last] = [run.trainer.history[0]!, run.trainer.history.at(-1)!];
    assert.ok(last.perplexity < 2.5 && last.perplexity < first.perplexity / 3, `${cell}: perplexity ${first.perplexity} -> ${last.perplexity}`);
  });
}
