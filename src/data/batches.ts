// Minibatch iterators over a token-id corpus, ports of d2l's `seq_data_iter_random` and
// `seq_data_iter_sequential` (chapter 8.3), plus batch counts and a train/validation split.
// Batches are batch-major: x[b * numSteps + t] is step t of row b, and y is x shifted by one token.

import type { Random } from '../core/random.js';

export interface Batch {
  /** Input ids, batch-major: x[b * numSteps + t]. */
  x: Int32Array;
  /** Targets: y[b * numSteps + t] is the corpus token right after x[b * numSteps + t]. */
  y: Int32Array;
  batchSize: number;
  numSteps: number;
  /** Corpus position of each row's first token (for debugging and tests). */
  starts: Int32Array;
}

/** One epoch's batches, with the random offset that was drawn and how many batches it yields. */
export type BatchEpoch = Generator<Batch, void, undefined> & { readonly offset: number; readonly numBatches: number };

export type BatchMode = 'random' | 'sequential';

function checkSizes(where: string, batchSize: number, numSteps: number): void {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`${where}: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(numSteps) || numSteps < 1) throw new Error(`${where}: numSteps must be a positive integer, got ${numSteps}`);
}

function checkLength(where: string, length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`${where}: corpus length must be a non-negative integer, got ${length}`);
}

/**
 * Batches `randomBatches` yields after dropping the first `offset` tokens (offset in
 * [0, numSteps - 1]). Without an offset: the count guaranteed for every offset (the worst case).
 */
export function numRandomBatches(corpusLength: number, batchSize: number, numSteps: number, offset = numSteps - 1): number {
  checkLength('numRandomBatches', corpusLength);
  checkSizes('numRandomBatches', batchSize, numSteps);
  if (!Number.isInteger(offset) || offset < 0 || offset > numSteps - 1) throw new Error(`numRandomBatches: offset must be an integer in [0, ${numSteps - 1}], got ${offset}`);
  const numSubseqs = Math.floor(Math.max(0, corpusLength - offset - 1) / numSteps);
  return Math.floor(numSubseqs / batchSize);
}

/**
 * Batches `sequentialBatches` yields after dropping the first `offset` tokens (offset in
 * [0, numSteps]). Without an offset: the count guaranteed for every offset (the worst case).
 */
export function numSequentialBatches(corpusLength: number, batchSize: number, numSteps: number, offset = numSteps): number {
  checkLength('numSequentialBatches', corpusLength);
  checkSizes('numSequentialBatches', batchSize, numSteps);
  if (!Number.isInteger(offset) || offset < 0 || offset > numSteps) throw new Error(`numSequentialBatches: offset must be an integer in [0, ${numSteps}], got ${offset}`);
  const rowLength = Math.floor(Math.max(0, corpusLength - offset - 1) / batchSize);
  return Math.floor(rowLength / numSteps);
}

// Refuse corpora where some offset would give an empty epoch: an epoch that silently yields
// nothing looks like training that converged instantly.
function checkEnough(where: string, length: number, batchSize: number, numSteps: number, needed: number): void {
  if (length < needed) {
    throw new Error(
      `${where}: corpus of ${length} tokens is too short for one minibatch of batchSize ${batchSize} x numSteps ${numSteps}` +
        ` (needs at least ${needed} tokens)`,
    );
  }
}

function withInfo(gen: Generator<Batch, void, undefined>, offset: number, numBatches: number): BatchEpoch {
  return Object.assign(gen, { offset, numBatches });
}

/**
 * d2l `seq_data_iter_random`: drop a random offset in [0, numSteps - 1], cut the rest into
 * non-overlapping subsequences of numSteps (each needing one more token for its target), shuffle
 * their starts and yield batchSize of them per batch, dropping the remainder. Adjacent batches are
 * unrelated text, so the trainer must reset the hidden state before each batch.
 * The offset and the shuffle are drawn when this is called, not on the first `next()`.
 */
export function randomBatches(corpus: Int32Array, batchSize: number, numSteps: number, random: Random): BatchEpoch {
  checkSizes('randomBatches', batchSize, numSteps);
  checkEnough('randomBatches', corpus.length, batchSize, numSteps, batchSize * numSteps + numSteps);
  const offset = random.int(numSteps);
  const numSubseqs = Math.floor((corpus.length - offset - 1) / numSteps);
  const starts: number[] = [];
  for (let k = 0; k < numSubseqs; k++) starts.push(offset + k * numSteps);
  random.shuffle(starts);
  const numBatches = Math.floor(numSubseqs / batchSize);
  function* generate(): Generator<Batch, void, undefined> {
    for (let i = 0; i < numBatches; i++) yield batchAt(corpus, numSteps, Int32Array.from({ length: batchSize }, (_, b) => starts[i * batchSize + b]!));
  }
  return withInfo(generate(), offset, numBatches);
}

/** The minibatch whose row b reads numSteps tokens from rowStarts[b]; y is the same window one token later. */
function batchAt(corpus: Int32Array, numSteps: number, rowStarts: Int32Array): Batch {
  const batchSize = rowStarts.length;
  const x = new Int32Array(batchSize * numSteps);
  const y = new Int32Array(batchSize * numSteps);
  rowStarts.forEach((start, b) => {
    x.set(corpus.subarray(start, start + numSteps), b * numSteps);
    y.set(corpus.subarray(start + 1, start + 1 + numSteps), b * numSteps);
  });
  return { x, y, batchSize, numSteps, starts: rowStarts };
}

/**
 * d2l `seq_data_iter_sequential`: drop a random offset in [0, numSteps] (Python's randint is
 * inclusive), keep numTokens = floor((len - offset - 1) / batchSize) * batchSize tokens, lay them
 * out as batchSize rows and walk the columns numSteps at a time, dropping the final partial
 * window. Row b of batch i + 1 continues row b of batch i, so the trainer can carry the hidden
 * state (detached) across batches. The offset is drawn when this is called.
 */
export function sequentialBatches(corpus: Int32Array, batchSize: number, numSteps: number, random: Random): BatchEpoch {
  checkSizes('sequentialBatches', batchSize, numSteps);
  checkEnough('sequentialBatches', corpus.length, batchSize, numSteps, batchSize * numSteps + numSteps + 1);
  const offset = random.int(numSteps + 1);
  const rowLength = Math.floor((corpus.length - offset - 1) / batchSize);
  const numBatches = Math.floor(rowLength / numSteps);
  function* generate(): Generator<Batch, void, undefined> {
    for (let i = 0; i < numBatches; i++) yield batchAt(corpus, numSteps, Int32Array.from({ length: batchSize }, (_, b) => offset + b * rowLength + i * numSteps));
  }
  return withInfo(generate(), offset, numBatches);
}

/** Dispatches on the mode name, for trainers configured by string. */
export function makeBatches(mode: BatchMode, corpus: Int32Array, batchSize: number, numSteps: number, random: Random): BatchEpoch {
  if (mode === 'random') return randomBatches(corpus, batchSize, numSteps, random);
  if (mode === 'sequential') return sequentialBatches(corpus, batchSize, numSteps, random);
  throw new Error(`makeBatches: mode must be 'random' or 'sequential', got ${JSON.stringify(mode)}`);
}

/**
 * Splits off the last `validFraction` of the corpus (rounded down) as held-out validation text.
 * A contiguous tail rather than random pieces, so validation text was never seen in training,
 * not even as context. Both parts are views sharing the corpus' memory (no copy).
 */
export function splitCorpus(corpus: Int32Array, validFraction: number): { train: Int32Array; valid: Int32Array } {
  if (!(validFraction >= 0 && validFraction < 1)) throw new Error(`splitCorpus: validFraction must be in [0, 1), got ${validFraction}`);
  const validLength = Math.floor(corpus.length * validFraction);
  const trainLength = corpus.length - validLength;
  if (trainLength === 0) throw new Error(`splitCorpus: corpus of ${corpus.length} tokens leaves no training text`);
  return { train: corpus.subarray(0, trainLength), valid: corpus.subarray(trainLength) };
}
