// Tests for the configuration side of src/train: text -> ids under each TextSettings (maxTokens, d2l letters
// preprocessing, a given vocabulary), model configs (validation errors, parameter counts that match the built
// model, one-line descriptions, seeded initialisation) and training options (defaults and validation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildModel, countParameters, describeModel, prepareCorpus, resolveTrainOptions, textToTokens, validateModelConfig, type ModelConfig,
} from '../src/train/index.js';

test('prepareCorpus: char and word tokens, letters preprocessing, maxTokens, a given vocabulary', () => {
  const text = 'The Time  Machine, by H. G. Wells\n\nI.\nThe Time Traveller\n';
  assert.deepEqual(textToTokens('ab\ncd', { tokens: 'char', preprocess: 'none' }), ['a', 'b', '\n', 'c', 'd']);
  // d2l: each line to lower-case letters and single spaces, stripped, then the lines' chars run together.
  assert.equal(textToTokens(text, { tokens: 'char', preprocess: 'letters' }).join(''), 'the time machine by h g wellsithe time traveller');
  assert.deepEqual(textToTokens(text, { tokens: 'word', preprocess: 'letters' }), ['the', 'time', 'machine', 'by', 'h', 'g', 'wells', 'i', 'the', 'time', 'traveller']);
  assert.deepEqual(textToTokens('Hi, you.\nBye', { tokens: 'word', preprocess: 'none' }), ['Hi', ',', 'you', '.', '\n', 'Bye']);

  const all = prepareCorpus(text, { tokens: 'word', preprocess: 'letters' });
  assert.equal(all.tokenCount, 11);
  assert.deepEqual(all.vocab.tokens.slice(0, 3), ['<unk>', 'the', 'time']);
  const first = prepareCorpus(text, { tokens: 'word', preprocess: 'letters' }, { maxTokens: 4 });
  assert.equal(first.tokenCount, 4);
  assert.deepEqual(first.vocab.decode(first.ids), ['the', 'time', 'machine', 'by']);
  assert.deepEqual(first.vocab.tokens, all.vocab.tokens, "the vocabulary comes from the whole text, as d2l's load_corpus_time_machine");

  const given = prepareCorpus('the time is now', { tokens: 'word', preprocess: 'none' }, { vocab: all.vocab });
  assert.equal(given.vocab, all.vocab);
  assert.equal(given.unknownCount, 2, "'is' and 'now' become <unk>");
  assert.deepEqual(Array.from(given.ids), [1, 2, 0, 0]);
  const rare = prepareCorpus('aab', { tokens: 'char', preprocess: 'none' }, { minFreq: 2 });
  assert.deepEqual(rare.vocab.tokens, ['<unk>', 'a']);
  assert.equal(rare.unknownCount, 1);

  const empty = /^Error: corpus is empty after preprocessing \(tokens 'char', preprocess 'letters'\)/;
  assert.throws(() => prepareCorpus('123 ... !!!\n', { tokens: 'char', preprocess: 'letters' }), empty);
  assert.throws(() => prepareCorpus('x', { tokens: 'bytes' as never, preprocess: 'none' }), /tokens must be 'char' or 'word'/);
  assert.throws(() => prepareCorpus('x', { tokens: 'char', preprocess: 'none' }, { maxTokens: -1 }), /maxTokens must be a non-negative integer/);
});

const base: ModelConfig = { cell: 'lstm', hiddenSize: 8, numLayers: 1, dropout: 0, vocabSize: 10, seed: 0 };

test('model configs: every invalid field is rejected in one line naming it', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ cell: 'transformer' }, /cell must be 'lstm', 'gru' or 'rnn'/],
    [{ hiddenSize: 0 }, /hiddenSize must be a positive integer, got 0/],
    [{ numLayers: 1.5 }, /numLayers must be a positive integer/],
    [{ dropout: 1 }, /dropout must be a number in \[0, 1\)/],
    [{ dropout: 0.2 }, /dropout 0.2 has no effect with numLayers 1/],
    [{ vocabSize: undefined }, /vocabSize must be a positive integer/],
    [{ embeddingDim: 0 }, /embeddingDim must be a positive integer/],
    [{ nonlinearity: 'relu' }, /nonlinearity applies only to cell 'rnn'/],
    [{ cell: 'rnn', nonlinearity: 'gelu' }, /nonlinearity must be 'tanh' or 'relu'/],
    [{ bidirectional: true }, /bidirectional must be false/],
    [{ seed: -1 }, /seed must be an integer in \[0, 2\^32\)/],
    [{ hidden: 8 }, /unknown field hidden/],
  ];
  for (const [change, pattern] of cases) {
    assert.throws(() => buildModel({ ...base, ...change } as ModelConfig), (err: Error) => {
      assert.match(err.message, pattern);
      assert.match(err.message, /^model config: /);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
  assert.deepEqual(validateModelConfig({ ...base, embeddingDim: undefined, bidirectional: false }), base, 'a clean copy: no undefined keys, no redundant bidirectional: false');
});

test('countParameters matches the built model for every cell, depth and input kind', () => {
  const variants: Array<Partial<ModelConfig>> = [
    {}, { numLayers: 3, dropout: 0.1 }, { embeddingDim: 5 }, { cell: 'gru' }, { cell: 'gru', numLayers: 2, embeddingDim: 4 },
    { cell: 'rnn' }, { cell: 'rnn', nonlinearity: 'relu', numLayers: 2 },
  ];
  for (const change of variants) {
    const config = { ...base, ...change };
    assert.equal(countParameters(config), buildModel(config).parameterCount(), JSON.stringify(change));
  }
  assert.equal(countParameters(base), 4 * (10 * 8 + 8 * 8 + 8) + 8 * 10 + 10);
});

test('describeModel is one line with the essentials', () => {
  assert.equal(describeModel(base), 'LSTM, 1 layer x 8 hidden, one-hot input over 10 tokens, dropout 0, 698 parameters, seed 0');
  const big: ModelConfig = { ...base, cell: 'rnn', nonlinearity: 'relu', numLayers: 2, dropout: 0.5, embeddingDim: 4, hiddenSize: 300, vocabSize: 5000 };
  const count = (5000 * 4 + (4 * 300 + 300 * 300 + 300) + (300 * 300 + 300 * 300 + 300) + 300 * 5000 + 5000).toLocaleString('en-US');
  assert.equal(describeModel(big), `RNN (relu), 2 layers x 300 hidden, 4-dim embedding of 5000 tokens, dropout 0.5, ${count} parameters, seed 0`);
});

test('buildModel: the seed fixes the initial weights', () => {
  const flat = (seed: number): number[] => buildModel({ ...base, seed }).parameters().flatMap((p) => Array.from(p.data));
  assert.deepEqual(flat(5), flat(5));
  assert.notDeepEqual(flat(5), flat(6));
  const model = buildModel({ ...base, seed: 5 });
  const [embeddingless, decoder] = [model.rnn.namedParameters()[0]![1], model.decoder.namedParameters()[0]![1]];
  assert.notDeepEqual(Array.from(embeddingless.data.slice(0, 8)), Array.from(decoder.data.slice(0, 8)), 'layer and decoder draw different numbers');
});

test('training options: defaults, optimizer-dependent lr, and one-line validation', () => {
  const d = resolveTrainOptions({});
  assert.equal(d.optimizer, 'adam');
  assert.equal(d.sampling, 'sequential');
  assert.equal(d.clip, 1);
  assert.equal(d.lr, 0.002);
  assert.equal(resolveTrainOptions({ optimizer: 'sgd' }).lr, 1);
  assert.equal(resolveTrainOptions({ epochs: 9 }).lrStepEpochs, 3);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ batchSize: 0 }, /batchSize must be an integer >= 1, got 0/],
    [{ lr: 0 }, /lr must be a finite number > 0/],
    [{ clip: -1 }, /clip must be a finite number >= 0/],
    [{ momentum: 0.9 }, /momentum applies only to optimizer 'sgd'/],
    [{ sampling: 'shuffled' }, /sampling must be 'random' or 'sequential'/],
    [{ validFraction: 1 }, /validFraction must be in \[0, 1\)/],
    [{ lrSchedule: 'linear' }, /lrSchedule must be 'constant', 'cosine' or 'step'/],
    [{ learningRate: 1 }, /unknown option learningRate/],
  ];
  for (const [partial, pattern] of cases) assert.throws(() => resolveTrainOptions(partial as never), pattern);
});

test("the d2l setting: the first 10,000 tokens of The Time Machine over the book's own 28-token vocabulary", async () => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(new URL('../../shared/data/timemachine.txt', import.meta.url), 'utf8');
  const d2l = prepareCorpus(text, { tokens: 'char', preprocess: 'letters' }, { maxTokens: 10000 });
  assert.equal(d2l.tokenCount, 10000);
  assert.deepEqual(d2l.vocab.tokens.join(''), '<unk> etainoshrdlmucfwgypbvkxzjq');
});
