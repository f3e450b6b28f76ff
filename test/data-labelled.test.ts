// Tests for labelled text: the table and folder readers and their one-line errors (unknown column, empty text,
// one class only, a label never seen in training), token ids with lengths and the truncation count, 'balanced'
// class weights, the seeded stratified split, padded batches, and the built-in names set.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../src/core/random.js';
import {
  buildTextVocab, classCounts, classWeights, encodeTexts, LabelSet, loadNames, namesExamples, orderedSplit, padBatch, parseLabelled,
  readLabelledFolder, sequenceBatches, stratifiedSplit,
} from '../src/data/index.js';
import { rejectsOneLine, throwsOneLine } from './helpers/one-line.js';


test('parseLabelled: CSV, TSV and JSON lines with named label and text columns', () => {
  const csv = 'label,text\nspam,"Win money, now"\nham,See you at 5\n';
  assert.deepEqual(parseLabelled(csv, { source: 'm.csv' }), [{ text: 'Win money, now', label: 'spam' }, { text: 'See you at 5', label: 'ham' }]);
  assert.deepEqual(parseLabelled('y\tmsg\n1\thi\n0\tyo\n', { label: 'y', text: 'msg', source: 'm.tsv' }), [{ text: 'hi', label: '1' }, { text: 'yo', label: '0' }]);
  assert.deepEqual(parseLabelled('{"label":2,"text":"x"}\n{"label":"a","text":"y"}\n'), [{ text: 'x', label: '2' }, { text: 'y', label: 'a' }]);
});

test('parseLabelled: an unknown column, an empty text or a missing label is a one-line error naming the row', () => {
  throwsOneLine(() => parseLabelled('label,body\na,x\n', { source: 'm.csv' }), /^m\.csv: unknown text column 'text' \(columns: label, body\)$/);
  throwsOneLine(() => parseLabelled('label,text\na,x\n', { label: 'class', source: 'm.csv' }), /unknown label column 'class'/);
  throwsOneLine(() => parseLabelled('label,text\na,x\nb,   \n', { source: 'm.csv' }), /^m\.csv row 2 \(line 3\): the text is empty$/);
  throwsOneLine(() => parseLabelled('{"label":"a","text":"x"}\n{"text":"y"}\n', { source: 'm.jsonl' }), /^m\.jsonl row 2 \(line 2\): the label is missing$/);
});

test('LabelSet: sorted classes (numerically when all are numbers), one class is an error, unseen labels too', () => {
  assert.deepEqual(new LabelSet(['b', 'a', 'b', 'c']).labels, ['a', 'b', 'c']);
  assert.deepEqual(new LabelSet(['10', '2', '1']).labels, ['1', '2', '10']);
  throwsOneLine(() => new LabelSet(['spam', 'spam'], 'm.csv'), /^m\.csv has only one class \('spam'\): classification needs at least two$/);
  throwsOneLine(() => new LabelSet([]), /has no labels/);
  const set = new LabelSet(['ham', 'spam']);
  assert.deepEqual(Array.from(set.encode(['spam', 'ham', 'spam'])), [1, 0, 1]);
  throwsOneLine(() => set.encode(['ham', 'eggs'], (i) => `test.csv example ${i + 1}`), /^test\.csv example 2: label 'eggs' was never seen in training \(known labels: ham, spam\)$/);
  assert.equal(set.labelAt(1), 'spam');
  assert.throws(() => set.labelAt(2), /class 2 is out of range \[0, 2\)/);
  assert.deepEqual(LabelSet.fromJSON(JSON.parse(JSON.stringify(set))).labels, ['ham', 'spam']);
  assert.throws(() => LabelSet.fromJSON({ format: 'lstm-ts/labels', version: 1, labels: ['b', 'a'] }), /not in sorted order/);
  assert.throws(() => LabelSet.fromJSON({ format: 'lstm-ts/labels', version: 1, labels: ['a', 'a', 'b'] }), /duplicate/);
  assert.throws(() => LabelSet.fromJSON({ format: 'x' }), /expected format 'lstm-ts\/labels'/);
});

test("classWeights: scikit-learn's 'balanced', n / (C * n_c)", () => {
  const classes = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2];
  assert.deepEqual(Array.from(classCounts(classes, 3)), [6, 2, 2]);
  // compute_class_weight('balanced', classes=[0,1,2], y) = 10 / (3 * [6, 2, 2])
  assert.deepEqual(Array.from(classWeights(classes, 3)), [10 / 18, 10 / 6, 10 / 6]);
  assert.throws(() => classWeights([0, 0, 2], 3), /class 1 has no example/);
  assert.throws(() => classCounts([0, 3], 3), /class 3 of example 1 is out of range/);
});

test('encodeTexts: char (code points) and word ids over a training vocabulary, lengths, truncation counted', () => {
  const train = ['abc', 'abd'];
  const charOpts = { tokens: 'char' as const };
  const vocab = buildTextVocab(train, charOpts);
  assert.deepEqual(vocab.tokens, ['<unk>', 'a', 'b', 'c', 'd']);
  const enc = encodeTexts(['abcd', 'a', 'z😀b'], vocab, { ...charOpts, maxLength: 3 });
  assert.deepEqual(enc.ids.map((r) => Array.from(r)), [[1, 2, 3], [1], [0, 0, 2]]); // the emoji is one code point, unseen
  assert.deepEqual(Array.from(enc.lengths), [3, 1, 3]);
  assert.equal(enc.truncated, 1);
  const words = { tokens: 'word' as const, lowercase: true };
  const wv = buildTextVocab(['Buy now', 'buy cheap pills'], words);
  assert.deepEqual(Array.from(encodeTexts(['BUY pills!'], wv, words).ids[0]!), [wv.indexOf('buy'), wv.indexOf('pills'), 0]);
  throwsOneLine(() => encodeTexts(['ok', '   '], wv, words, (i) => `m.csv row ${i + 1}`), /^m\.csv row 2 is empty \(no word token\)$/);
  assert.throws(() => encodeTexts(['a'], vocab, { ...charOpts, maxLength: 0 }), /maxLength must be a positive integer, got 0/);
});

test('stratifiedSplit: class proportions kept in every part, seeded, disjoint and complete', () => {
  const classes = Int32Array.from({ length: 100 }, (_, i) => (i < 70 ? 0 : 1));
  const a = stratifiedSplit(classes, 2, { valid: 0.1, test: 0.2 }, new Random(7));
  const count = (idx: Int32Array, c: number): number => Array.from(idx).filter((i) => classes[i] === c).length;
  assert.deepEqual([count(a.valid, 0), count(a.valid, 1)], [7, 3]);
  assert.deepEqual([count(a.test, 0), count(a.test, 1)], [14, 6]);
  assert.deepEqual([count(a.train, 0), count(a.train, 1)], [49, 21]);
  const all = [...a.train, ...a.valid, ...a.test].sort((x, y) => x - y);
  assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i));
  const b = stratifiedSplit(classes, 2, { valid: 0.1, test: 0.2 }, new Random(7));
  assert.deepEqual(b, a);
  const c = stratifiedSplit(classes, 2, { valid: 0.1, test: 0.2 }, new Random(8));
  assert.notDeepEqual(c.test, a.test);
  assert.throws(() => stratifiedSplit(classes, 2, { valid: 0.5, test: 0.5 }, new Random(0)), /sum below 1/);
  assert.deepEqual(orderedSplit(10, { valid: 0.2, test: 0.1 }), { train: Int32Array.from([0, 1, 2, 3, 4, 5, 6]), valid: Int32Array.from([7, 8]), test: Int32Array.from([9]) });
});

test('padBatch and sequenceBatches: (B, T) ids padded to the longest row, lengths, every example once', () => {
  const enc = { ids: [Int32Array.from([5, 6, 7]), Int32Array.from([8]), Int32Array.from([9, 9])], lengths: Int32Array.from([3, 1, 2]), truncated: 0 };
  const classes = [1, 0, 1];
  const b = padBatch(enc, classes, [1, 2]);
  assert.equal(b.numSteps, 2);
  assert.deepEqual(Array.from(b.ids), [8, 0, 9, 9]);
  assert.deepEqual(Array.from(b.lengths), [1, 2]);
  assert.deepEqual(Array.from(b.classes), [0, 1]);
  const inOrder = [...sequenceBatches(enc, classes, [0, 1, 2], 2)];
  assert.deepEqual(inOrder.map((x) => Array.from(x.indices)), [[0, 1], [2]]);
  const shuffled = [...sequenceBatches(enc, classes, [0, 1, 2], 2, new Random(3))].flatMap((x) => Array.from(x.indices));
  assert.deepEqual(shuffled.sort(), [0, 1, 2]);
  assert.throws(() => sequenceBatches(enc, classes, [0], 0).next(), /batchSize must be a positive integer/);
});

test('readLabelledFolder: one folder per class, one file per example; empty or missing input named', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lstm-labelled-'));
  try {
    mkdirSync(join(root, 'pos'));
    mkdirSync(join(root, 'neg'));
    writeFileSync(join(root, 'pos', 'a.txt'), 'great\r\nfilm');
    writeFileSync(join(root, 'neg', 'b.txt'), 'dull');
    writeFileSync(join(root, 'neg', '.hidden'), '');
    writeFileSync(join(root, 'README'), 'not a class');
    assert.deepEqual(await readLabelledFolder(root), [{ text: 'dull', label: 'neg' }, { text: 'great\nfilm', label: 'pos' }]);
    // The folder's files share one byte budget: 4 bytes of neg/b.txt leave 8 for pos/a.txt's 11.
    await rejectsOneLine(readLabelledFolder(root, { maxBytes: 12 }), /pos\/a\.txt is .*over the limit of /);
    writeFileSync(join(root, 'neg', 'c.txt'), '  \n');
    await rejectsOneLine(readLabelledFolder(root), /neg\/c\.txt: the text is empty$/);
    await rejectsOneLine(readLabelledFolder(join(root, 'pos')), /has no sub-folders: expected one folder per class/);
    await rejectsOneLine(readLabelledFolder(join(root, 'nope')), /^data folder not found: /);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('built-in names: 8,003 names on one list only, 4,525 female; duplicates and names on both lists dropped', async () => {
  const examples = await loadNames();
  assert.equal(examples.length, 8003);
  assert.equal(examples.filter((e) => e.label === 'female').length, 4525);
  assert.equal(new Set(examples.map((e) => e.text)).size, 8003);
  assert.ok(!examples.some((e) => e.text === 'Abbey')); // on both lists
  assert.deepEqual(namesExamples(['Ann', 'Jo', 'Ann'], ['Jo', 'Bob']), [{ text: 'Ann', label: 'female' }, { text: 'Bob', label: 'male' }]);
  assert.throws(() => namesExamples([], ['Bob']), /expected a non-empty array of names/);
});
