// Labelled text as a classifier takes it: token ids (characters as code points, or words) over a vocabulary built
// on the training texts, one sequence per example of its own length, long ones cut to `maxLength` (counted); the
// split into train / validation / test, stratified by class (seeded) or in file order; and padded minibatches with
// `lengths` (pack_padded_sequence semantics downstream: steps past a row's length are never read).
// Shapes: ids (B, T) batch-first with T the longest row of the batch, lengths (B,), classes (B,).

import type { Random } from '../core/random.js';
import { tokenize, type TokenKind } from './text.js';
import { Vocab } from './vocab.js';

export interface EncodeOptions {
  tokens: TokenKind;
  /** Longest sequence kept; longer ones keep their first maxLength tokens. Default: no limit. */
  maxLength?: number;
  /** Fold case before tokenizing (default false). */
  lowercase?: boolean;
}

export interface EncodedTexts {
  /** One id sequence per text, each of its own length (at most maxLength). */
  ids: Int32Array[];
  lengths: Int32Array;
  /** How many texts were longer than maxLength and were cut. */
  truncated: number;
}

function tokensOf(text: string, options: EncodeOptions): string[] {
  return tokenize(options.lowercase === true ? text.toLowerCase() : text, options.tokens);
}

/** A vocabulary over the training texts' tokens (index 0 '<unk>' stands for tokens unseen in training). */
export function buildTextVocab(texts: readonly string[], options: EncodeOptions & { minFreq?: number }): Vocab {
  function* all(): Generator<string> {
    for (const text of texts) yield* tokensOf(text, options);
  }
  return new Vocab(all(), { minFreq: options.minFreq ?? 0 });
}

/** Token ids of each text; a text with no token (only spaces, for word tokens) is a one-line error. */
export function encodeTexts(texts: readonly string[], vocab: Vocab, options: EncodeOptions, where: (i: number) => string = (i) => `text ${i + 1}`): EncodedTexts {
  const maxLength = options.maxLength ?? Infinity;
  if (!(maxLength === Infinity || (Number.isInteger(maxLength) && maxLength >= 1))) throw new Error(`maxLength must be a positive integer, got ${maxLength}`);
  let truncated = 0;
  const ids = texts.map((text, i) => {
    const tokens = tokensOf(text, options);
    if (tokens.length === 0) throw new Error(`${where(i)} is empty (no ${options.tokens} token)`);
    if (tokens.length > maxLength) truncated++;
    return vocab.encode(tokens.slice(0, maxLength));
  });
  return { ids, lengths: Int32Array.from(ids, (row) => row.length), truncated };
}

export interface IndexSplit {
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

function checkFractions(valid: number, test: number): void {
  if (!(valid >= 0 && test >= 0 && valid + test < 1)) throw new Error(`the valid and test fractions must be >= 0 with a sum below 1, got ${valid} and ${test}`);
}

/**
 * Stratified split, as scikit-learn's train_test_split(stratify=y): within each class the examples are shuffled
 * (seeded) and floor(n_c · valid) go to validation, floor(n_c · test) to test, the rest to training, so every part
 * keeps the class proportions. Each part's indices are returned in increasing order.
 */
export function stratifiedSplit(classes: ArrayLike<number>, numClasses: number, fractions: { valid: number; test: number }, random: Random): IndexSplit {
  checkFractions(fractions.valid, fractions.test);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new Error(`stratifiedSplit: class ${c} of example ${i} is out of range [0, ${numClasses})`);
    byClass[c]!.push(i);
  }
  const parts: IndexSplit = { train: new Int32Array(0), valid: new Int32Array(0), test: new Int32Array(0) };
  const lists: Record<keyof IndexSplit, number[]> = { train: [], valid: [], test: [] };
  for (const members of byClass) {
    random.shuffle(members);
    const nValid = Math.floor(members.length * fractions.valid);
    const nTest = Math.floor(members.length * fractions.test);
    lists.valid.push(...members.slice(0, nValid));
    lists.test.push(...members.slice(nValid, nValid + nTest));
    lists.train.push(...members.slice(nValid + nTest));
  }
  for (const key of ['train', 'valid', 'test'] as const) parts[key] = Int32Array.from(lists[key].sort((a, b) => a - b));
  return parts;
}

/** Split in file order (for data whose order is time): the first part trains, then validation, then test. */
export function orderedSplit(count: number, fractions: { valid: number; test: number }): IndexSplit {
  checkFractions(fractions.valid, fractions.test);
  const nTest = Math.floor(count * fractions.test);
  const nValid = Math.floor(count * fractions.valid);
  const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, k) => a + k);
  return { train: range(0, count - nValid - nTest), valid: range(count - nValid - nTest, count - nTest), test: range(count - nTest, count) };
}

export interface SequenceBatch {
  /** (B, T) ids, batch-first; steps at or past a row's length hold 0 and are never read. */
  ids: Int32Array;
  lengths: Int32Array;
  classes: Int32Array;
  batchSize: number;
  /** T: the longest row in this batch. */
  numSteps: number;
  /** Which examples the rows are. */
  indices: Int32Array;
}

/** The padded batch of the given examples. */
export function padBatch(encoded: EncodedTexts, classes: ArrayLike<number>, indices: ArrayLike<number>): SequenceBatch {
  const B = indices.length;
  let T = 0;
  for (let b = 0; b < B; b++) T = Math.max(T, encoded.lengths[indices[b]!]!);
  const ids = new Int32Array(B * T);
  const lengths = new Int32Array(B);
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const i = indices[b]!;
    ids.set(encoded.ids[i]!, b * T);
    lengths[b] = encoded.lengths[i]!;
    out[b] = classes[i]!;
  }
  return { ids, lengths, classes: out, batchSize: B, numSteps: T, indices: Int32Array.from(indices) };
}

/**
 * One epoch of minibatches over the examples `indices` (a split part): shuffled by `random` when given (training),
 * in order otherwise (evaluation). The last batch keeps the remainder, so every example is seen once.
 */
export function* sequenceBatches(encoded: EncodedTexts, classes: ArrayLike<number>, indices: ArrayLike<number>, batchSize: number, random?: Random): Generator<SequenceBatch, void, undefined> {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const order = Array.from(indices);
  if (random !== undefined) random.shuffle(order);
  for (let start = 0; start < order.length; start += batchSize) yield padBatch(encoded, classes, order.slice(start, start + batchSize));
}
