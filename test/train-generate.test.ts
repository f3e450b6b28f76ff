// Tests for text generation (src/train/generate.ts): prefixes with unknown tokens are rejected with the tokens
// listed, empty prefixes too; word mode detokenizes; sampling is seeded, top-k never leaves the k most likely
// tokens, generation runs in eval mode, and the temperature reshapes the softmax as exp(z / τ) says.
import { useEngine } from '../src/engine/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/core/tensor.js';
import { Random } from '../src/core/random.js';
import type { State } from '../src/nn/cell.js';
import { buildModel, generate, pickToken, prepareCorpus, type TextSettings } from '../src/train/index.js';

const FOX = 'the quick brown fox jumps over the lazy dog. ';
const TEXT = FOX.repeat(12);
const CHARS: TextSettings = { tokens: 'char', preprocess: 'none' };

test('generate rejects prefixes with unknown tokens (listing them) and empty prefixes', () => {
  const { vocab } = prepareCorpus(TEXT, CHARS);
  const model = buildModel({ cell: 'lstm', hiddenSize: 8, numLayers: 1, dropout: 0, vocabSize: vocab.size, seed: 1 });
  assert.throws(() => generate(model, vocab, CHARS, 'café €é', { length: 5 }), { message: "prefix has characters not in the vocabulary: 'é', '€'" });
  assert.throws(() => generate(model, vocab, CHARS, '', { length: 5 }), /prefix is empty/);
  const words: TextSettings = { tokens: 'word', preprocess: 'none' };
  const wordVocab = prepareCorpus(TEXT, words).vocab;
  const wordModel = buildModel({ cell: 'gru', hiddenSize: 8, numLayers: 1, dropout: 0, vocabSize: wordVocab.size, seed: 1 });
  assert.throws(() => generate(wordModel, wordVocab, words, 'the purple fox', { length: 3 }), { message: "prefix has words not in the vocabulary: 'purple'" });
  assert.throws(() => generate(wordModel, wordVocab, words, '   ', { length: 3 }), /prefix is empty/);
  const out = generate(wordModel, wordVocab, words, 'the  lazy dog .', { length: 4 });
  assert.ok(out.startsWith('the lazy dog.'), `word mode detokenizes: ${JSON.stringify(out)}`);
  assert.equal(wordVocab.size, new Set(FOX.trim().split(/ |(?=\.)/)).size + 1);
});

test('top-k sampling is seeded, only ever picks among the k largest logits, and runs in eval mode', (t) => {
  // The spy watches model.forward, which only the autograd path calls; test/engine.test.ts holds the fused
  // generator to it.
  useEngine('autograd');
  t.after(() => useEngine('auto'));
  const { vocab } = prepareCorpus(TEXT, CHARS);
  const model = buildModel({ cell: 'lstm', hiddenSize: 12, numLayers: 2, dropout: 0.5, vocabSize: vocab.size, seed: 2 });
  const forward = model.forward.bind(model);
  const rows: Float32Array[] = [];
  model.forward = (tokens: Tensor, state?: State): [Tensor, State] => {
    assert.equal(model.training, false, 'generation runs in eval mode (no dropout)');
    const result = forward(tokens, state);
    if (tokens.shape[1] === 1) rows.push(Float32Array.from(result[0].data));
    return result;
  };
  const picked: string[] = [];
  const options = { length: 60, strategy: 'top-k', topK: 3, temperature: 2 } as const;
  const a = generate(model, vocab, CHARS, 'the ', { ...options, random: new Random(7), onToken: (t) => picked.push(t) });
  const b = generate(model, vocab, CHARS, 'the ', { ...options, random: new Random(7) });
  const c = generate(model, vocab, CHARS, 'the ', { ...options, random: new Random(8) });
  assert.equal(a, b, 'same seed, same text');
  assert.notEqual(a, c, 'another seed, another text');
  assert.equal(model.training, true, 'the training flag is restored');
  picked.forEach((token, k) => {
    const row = rows[k]!;
    const top = Array.from(row.keys()).sort((i, j) => row[j]! - row[i]!).slice(0, 3);
    assert.ok(top.includes(vocab.indexOf(token)), `step ${k}: ${JSON.stringify(token)} is not among the top 3`);
  });
  assert.ok(new Set(picked).size > 1, 'sampling, not argmax');
});

test('pickToken: top-k never leaves the k best, and the temperature reshapes the softmax', () => {
  const random = new Random(1);
  const counts = new Map<number, number>();
  for (let n = 0; n < 5000; n++) {
    const k = pickToken([5, 1, 5, 3, 0], 'top-k', 1, 2, random);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [0, 2]);
  const frequencyOfBest = (temperature: number): number => {
    let hits = 0;
    for (let n = 0; n < 20000; n++) if (pickToken([0, 1, 2], 'sample', temperature, 3, random) === 2) hits++;
    return hits / 20000;
  };
  const softmaxBest = (t: number): number => Math.exp(2 / t) / (1 + Math.exp(1 / t) + Math.exp(2 / t));
  for (const t of [1, 0.5, 3]) assert.ok(Math.abs(frequencyOfBest(t) - softmaxBest(t)) < 0.015, `temperature ${t}`);
  assert.equal(pickToken([0, 1, 2], 'sample', 1e-3, 3, random), 2, 'a tiny temperature is greedy');
});
