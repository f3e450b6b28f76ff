// Tests for the d2l minibatch iterators: sequential epochs cover one contiguous span with every
// row continuing across batches, random epochs never repeat a subsequence, both are
// deterministic per seed, and bad sizes or short corpora fail with the numbers in the message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../src/core/random.js';
import {
  randomBatches,
  sequentialBatches,
  makeBatches,
  numRandomBatches,
  numSequentialBatches,
  splitCorpus,
  type Batch,
} from '../src/data/index.js';

// corpus[i] = 1000 + i, so a token id reveals its position.
function ramp(length: number): Int32Array {
  return Int32Array.from({ length }, (_, i) => 1000 + i);
}

function checkShape(batch: Batch, batchSize: number, numSteps: number): void {
  assert.equal(batch.batchSize, batchSize);
  assert.equal(batch.numSteps, numSteps);
  assert.equal(batch.x.length, batchSize * numSteps);
  assert.equal(batch.y.length, batchSize * numSteps);
  assert.equal(batch.starts.length, batchSize);
  for (let b = 0; b < batchSize; b++) {
    for (let t = 0; t < numSteps; t++) {
      const k = b * numSteps + t;
      assert.equal(batch.x[k], 1000 + batch.starts[b]! + t, 'row b is the corpus from starts[b]');
      assert.equal(batch.y[k], batch.x[k]! + 1, 'y is x shifted by one token');
    }
  }
}

test('sequential: rows continue across batches and the epoch covers one span exactly once', () => {
  const sizes: Array<[number, number, number]> = [[100, 2, 5], [37, 3, 4], [1000, 8, 7], [31, 1, 15]];
  const offsetsSeen = new Set<number>();
  for (const [length, batchSize, numSteps] of sizes) {
    for (let seed = 0; seed < 40; seed++) {
      const corpus = ramp(length);
      const epoch = sequentialBatches(corpus, batchSize, numSteps, new Random(seed));
      const { offset } = epoch;
      assert.ok(offset >= 0 && offset <= numSteps, `offset ${offset} in [0, ${numSteps}]`);
      if (numSteps === 5) offsetsSeen.add(offset);
      const batches = [...epoch];
      const numTokens = Math.floor((length - offset - 1) / batchSize) * batchSize; // d2l's num_tokens
      const rowLength = numTokens / batchSize;
      const numBatches = Math.floor(rowLength / numSteps);
      assert.equal(batches.length, numBatches);
      assert.equal(epoch.numBatches, numBatches);
      assert.equal(numSequentialBatches(length, batchSize, numSteps, offset), numBatches);
      assert.ok(numBatches >= 1);
      const covered: number[] = [];
      batches.forEach((batch, i) => {
        checkShape(batch, batchSize, numSteps);
        for (let b = 0; b < batchSize; b++) {
          assert.equal(batch.starts[b], offset + b * rowLength + i * numSteps);
          if (i > 0) assert.equal(batch.x[b * numSteps], batches[i - 1]!.x[b * numSteps + numSteps - 1]! + 1, 'row continues');
        }
        for (const id of batch.x) covered.push(id - 1000);
      });
      // Expected: [offset, offset + numTokens) minus each row's final partial columns.
      const expected: number[] = [];
      for (let b = 0; b < batchSize; b++) {
        for (let c = 0; c < numBatches * numSteps; c++) expected.push(offset + b * rowLength + c);
      }
      covered.sort((p, q) => p - q);
      assert.deepEqual(covered, expected);
      assert.equal(new Set(covered).size, covered.length, 'no token repeated');
    }
  }
  assert.deepEqual([...offsetsSeen].sort(), [0, 1, 2, 3, 4, 5], 'offset ranges over [0, numSteps] inclusive');
});

test('random: subsequences never repeat within an epoch and start on the offset grid', () => {
  const offsetsSeen = new Set<number>();
  for (const [length, batchSize, numSteps] of [[100, 2, 5], [53, 4, 3], [500, 7, 9]] as const) {
    for (let seed = 0; seed < 40; seed++) {
      const epoch = randomBatches(ramp(length), batchSize, numSteps, new Random(seed));
      const { offset } = epoch;
      assert.ok(offset >= 0 && offset < numSteps, `offset ${offset} in [0, ${numSteps - 1}]`);
      if (numSteps === 5) offsetsSeen.add(offset);
      const numSubseqs = Math.floor((length - offset - 1) / numSteps);
      const numBatches = Math.floor(numSubseqs / batchSize);
      const batches = [...epoch];
      assert.equal(batches.length, numBatches);
      assert.equal(epoch.numBatches, numBatches);
      assert.equal(numRandomBatches(length, batchSize, numSteps, offset), numBatches);
      const starts: number[] = [];
      for (const batch of batches) {
        checkShape(batch, batchSize, numSteps);
        for (const s of batch.starts) {
          assert.equal((s - offset) % numSteps, 0, `start ${s} is offset + k * numSteps`);
          assert.ok(s >= offset && s + numSteps < length, 'target of the last step is inside the corpus');
          starts.push(s);
        }
      }
      assert.equal(new Set(starts).size, starts.length, 'no subsequence repeats');
      assert.equal(starts.length, numBatches * batchSize);
    }
  }
  assert.deepEqual([...offsetsSeen].sort(), [0, 1, 2, 3, 4]);
});

test('random: the order is actually shuffled', () => {
  const starts = [...randomBatches(ramp(2000), 1, 10, new Random(3))].map((b) => b.starts[0]!);
  const sorted = [...starts].sort((p, q) => p - q);
  assert.notDeepEqual(starts, sorted);
});

test('both modes are deterministic given the seed and differ across seeds', () => {
  const corpus = ramp(3000);
  for (const mode of ['random', 'sequential'] as const) {
    const run = (seed: number) => [...makeBatches(mode, corpus, 4, 6, new Random(seed))].map((b) => Array.from(b.x));
    assert.deepEqual(run(11), run(11));
    const differs = [12, 13, 14, 15].some((seed) => JSON.stringify(run(seed)) !== JSON.stringify(run(11)));
    assert.ok(differs, `${mode}: other seeds give other epochs`);
  }
  // The generator state after drawing an epoch is reproducible too (resume from a checkpoint).
  const r = new Random(5);
  randomBatches(corpus, 4, 6, r);
  const resumed = Random.fromState(r.state());
  assert.deepEqual(
    [...randomBatches(corpus, 4, 6, resumed)].map((b) => Array.from(b.starts)),
    [...randomBatches(corpus, 4, 6, r)].map((b) => Array.from(b.starts)),
  );
});

test('the minimum corpus lengths give exactly one batch for every offset', () => {
  // random needs batchSize*numSteps + numSteps, sequential one more.
  for (let seed = 0; seed < 30; seed++) {
    assert.equal([...randomBatches(ramp(3 * 4 + 4), 3, 4, new Random(seed))].length >= 1, true);
    assert.equal([...sequentialBatches(ramp(3 * 4 + 4 + 1), 3, 4, new Random(seed))].length >= 1, true);
  }
  assert.equal(numRandomBatches(16, 3, 4), 1);
  assert.equal(numRandomBatches(15, 3, 4), 0);
  assert.equal(numSequentialBatches(17, 3, 4), 1);
  assert.equal(numSequentialBatches(16, 3, 4), 0);
  assert.equal(numSequentialBatches(16, 3, 4, 0), 1);
});

test('short corpora and bad sizes fail with the numbers in the message', () => {
  const r = new Random(0);
  assert.throws(() => randomBatches(ramp(15), 3, 4, r), /corpus of 15 tokens is too short .* batchSize 3 x numSteps 4 \(needs at least 16 tokens\)/);
  assert.throws(() => sequentialBatches(ramp(16), 3, 4, r), /corpus of 16 tokens is too short .*needs at least 17 tokens/);
  assert.throws(() => sequentialBatches(new Int32Array(0), 1, 1, r), /corpus of 0 tokens/);
  for (const fn of [randomBatches, sequentialBatches]) {
    assert.throws(() => fn(ramp(100), 0, 4, r), /batchSize must be a positive integer, got 0/);
    assert.throws(() => fn(ramp(100), 2.5, 4, r), /batchSize must be a positive integer, got 2.5/);
    assert.throws(() => fn(ramp(100), 2, -1, r), /numSteps must be a positive integer, got -1/);
    assert.throws(() => fn(ramp(100), 2, NaN, r), /numSteps must be a positive integer, got NaN/);
  }
  assert.throws(() => numRandomBatches(100, 2, 5, 5), /offset must be an integer in \[0, 4\], got 5/);
  assert.throws(() => numSequentialBatches(100, 2, 5, -1), /offset must be an integer in \[0, 5\]/);
  assert.throws(() => makeBatches('shuffled' as never, ramp(100), 2, 4, r), /mode must be/);
});

test('splitCorpus holds out the tail', () => {
  const corpus = ramp(101);
  const { train, valid } = splitCorpus(corpus, 0.1);
  assert.equal(valid.length, 10);
  assert.equal(train.length, 91);
  assert.deepEqual(Array.from(train).concat(Array.from(valid)), Array.from(corpus));
  assert.equal(valid[0], 1091);
  assert.equal(splitCorpus(corpus, 0).valid.length, 0);
  assert.throws(() => splitCorpus(corpus, 1), /validFraction must be in \[0, 1\), got 1/);
  assert.throws(() => splitCorpus(corpus, -0.1), /got -0.1/);
  assert.throws(() => splitCorpus(corpus, NaN), /got NaN/);
  assert.throws(() => splitCorpus(new Int32Array(0), 0.5), /leaves no training text/);
});
