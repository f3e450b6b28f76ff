// Tests for the vocabulary and tokenizers: index round trips, '<unk>', minFreq, reserved tokens,
// JSON round trip and its validation, and d2l's exact Time Machine numbers (170,580 chars, 28 tokens).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Vocab, UNKNOWN_TOKEN, preprocessLetters, flattenLines, tokenize, detokenize } from '../src/data/index.js';

const TIME_MACHINE = new URL('../../shared/data/timemachine.txt', import.meta.url);

test('Time Machine preprocessing matches d2l: 3221 lines, 170,580 char tokens', () => {
  const lines = preprocessLetters(readFileSync(TIME_MACHINE, 'utf8'));
  assert.equal(lines.length, 3221); // d2l: "# text lines: 3221"
  assert.equal(lines[0], 'the time machine by h g wells');
  assert.equal(lines[10], 'twinkled and his usually pale face was flushed and animated the');
  const corpus = flattenLines(lines);
  assert.equal(corpus.length, 170580);
  assert.ok(corpus.every((ch) => /^[a-z ]$/.test(ch)));
});

test('Time Machine char vocabulary is exactly d2l\'s 28 tokens in d2l\'s order', () => {
  const vocab = new Vocab(flattenLines(preprocessLetters(readFileSync(TIME_MACHINE, 'utf8'))));
  const expected = ['<unk>', ' ', 'e', 't', 'a', 'i', 'n', 'o', 's', 'h', 'r', 'd', 'l', 'm', 'u', 'c', 'f', 'w', 'g', 'y', 'p', 'b', 'v', 'k', 'x', 'z', 'j', 'q'];
  assert.deepEqual(vocab.tokens, expected);
  assert.equal(vocab.size, 28);
});

test('preprocessLetters: runs of non-letters become one space, trimmed, lower-cased; lines join with no separator', () => {
  const lines = preprocessLetters('Hello,  World!!\r\n\n  --42--  \nIt\'s OK.\n');
  assert.deepEqual(lines, ['hello world', '', '', 'it s ok']);
  assert.deepEqual(flattenLines(lines).join(''), 'hello worldit s ok');
  assert.deepEqual(preprocessLetters(''), []);
  assert.deepEqual(preprocessLetters('a\n\n'), ['a', '']); // readlines: the trailing newline ends a line
});

test('token <-> index round trip, unknown tokens map to unknownIndex', () => {
  const tokens = tokenize('abracadabra', 'char');
  const vocab = new Vocab(tokens);
  // a:5, b:2, r:2, c:1, d:1 -> ties in first-appearance order
  assert.deepEqual(vocab.tokens, ['<unk>', 'a', 'b', 'r', 'c', 'd']);
  const ids = vocab.encode(tokens);
  assert.ok(ids instanceof Int32Array);
  assert.deepEqual(Array.from(ids), [1, 2, 3, 1, 4, 1, 5, 1, 2, 3, 1]);
  assert.deepEqual(vocab.decode(ids), tokens);
  for (let k = 0; k < vocab.size; k++) assert.equal(vocab.indexOf(vocab.tokenAt(k)), k);
  assert.equal(vocab.unknownIndex, 0);
  assert.equal(vocab.indexOf('z'), 0);
  assert.equal(vocab.has('z'), false);
  assert.equal(vocab.has('a'), true);
  assert.deepEqual(Array.from(vocab.encode(['a', 'z', 'b'])), [1, 0, 2]);
  assert.deepEqual(vocab.decode([1, 0]), ['a', UNKNOWN_TOKEN]);
  assert.throws(() => vocab.tokenAt(6), /index 6 is out of range \[0, 6\)/);
  assert.throws(() => vocab.tokenAt(-1), /out of range/);
  assert.throws(() => vocab.tokenAt(1.5), /out of range/);
  assert.throws(() => vocab.decode([1, 99]), /index 99/);
});

test('minFreq drops rare tokens; reserved tokens follow <unk>', () => {
  const tokens = ['x', 'y', 'y', 'z', 'z', 'z', 'w'];
  const rare = new Vocab(tokens, { minFreq: 2 });
  assert.deepEqual(rare.tokens, ['<unk>', 'z', 'y']);
  assert.equal(rare.indexOf('x'), 0);
  const reserved = new Vocab(tokens, { reserved: ['<pad>', '<eos>', 'y'] });
  assert.deepEqual(reserved.tokens, ['<unk>', '<pad>', '<eos>', 'y', 'z', 'x', 'w']);
  assert.throws(() => new Vocab(tokens, { reserved: ['<pad>', '<pad>'] }), /appears twice/);
  assert.throws(() => new Vocab(tokens, { reserved: ['<unk>'] }), /appears twice or is '<unk>'/);
  // A literal '<unk>' in the data is the unknown token, not a new entry.
  assert.deepEqual(new Vocab(['<unk>', '<unk>', 'a']).tokens, ['<unk>', 'a']);
});

test('JSON round trip keeps every index', () => {
  const vocab = new Vocab(tokenize('the cat sat on the mat', 'word'), { reserved: ['<eos>'] });
  const back = Vocab.fromJSON(JSON.parse(JSON.stringify(vocab)));
  assert.deepEqual(back.tokens, vocab.tokens);
  assert.deepEqual(back.toJSON(), vocab.toJSON());
  assert.equal(back.indexOf('the'), vocab.indexOf('the'));
  assert.equal(back.indexOf('dog'), 0);
});

test('fromJSON rejects malformed input with clear errors', () => {
  const good = { format: 'lstm-ts/vocab', version: 1, tokens: ['<unk>', 'a', 'b'] };
  assert.throws(() => Vocab.fromJSON(null), /expected an object/);
  assert.throws(() => Vocab.fromJSON([1, 2]), /expected an object/);
  assert.throws(() => Vocab.fromJSON({ ...good, format: 'other' }), /format/);
  assert.throws(() => Vocab.fromJSON({ ...good, version: 2 }), /unsupported version 2/);
  assert.throws(() => Vocab.fromJSON({ ...good, tokens: 'abc' }), /"tokens" must be an array/);
  assert.throws(() => Vocab.fromJSON({ ...good, tokens: ['a', '<unk>'] }), /tokens\[0\] must be '<unk>'/);
  assert.throws(() => Vocab.fromJSON({ ...good, tokens: [] }), /tokens\[0\] must be '<unk>'/);
  assert.throws(() => Vocab.fromJSON({ ...good, tokens: ['<unk>', 'a', 3] }), /tokens\[2\] is not a string/);
  assert.throws(() => Vocab.fromJSON({ ...good, tokens: ['<unk>', 'a', 'a'] }), /tokens\[2\] "a" is a duplicate/);
  assert.equal(Vocab.fromJSON(good).size, 3);
});

test('char tokens are code points: emoji and Chinese stay whole', () => {
  const text = 'héllo 👋🏽 世界!\n🐳';
  const tokens = tokenize(text, 'char');
  assert.deepEqual(tokens, ['h', 'é', 'l', 'l', 'o', ' ', '👋', '🏽', ' ', '世', '界', '!', '\n', '🐳']);
  assert.equal(detokenize(tokens, 'char'), text);
  const vocab = new Vocab(tokens);
  assert.ok(vocab.has('🐳') && vocab.has('世'));
  assert.equal(detokenize(vocab.decode(vocab.encode(tokens)), 'char'), text);
});

test('word tokens: words, punctuation marks and line breaks; detokenize round trips', () => {
  const text = 'Call me Ishmael. It\'s a carpet-bag (old), isn\'t it?\r\nYes — “Whale!” 42%\n\n世界 ok';
  const tokens = tokenize(text, 'word');
  assert.deepEqual(tokens, [
    'Call', 'me', 'Ishmael', '.', 'It\'s', 'a', 'carpet-bag', '(', 'old', ')', ',', 'isn\'t', 'it', '?', '\n',
    'Yes', '—', '“', 'Whale', '!', '”', '42', '%', '\n', '\n', '世界', 'ok',
  ]);
  const back = detokenize(tokens, 'word');
  assert.equal(back, 'Call me Ishmael. It\'s a carpet-bag (old), isn\'t it?\nYes — “Whale!” 42%\n\n世界 ok');
  assert.deepEqual(tokenize(back, 'word'), tokens);
  // Odd spacing normalises, but the tokens survive a round trip.
  const messy = '  a ,b( c )d \'e\' - f-  g’ h \t\n';
  const messyTokens = tokenize(messy, 'word');
  assert.deepEqual(tokenize(detokenize(messyTokens, 'word'), 'word'), messyTokens);
  assert.deepEqual(tokenize('', 'word'), []);
  assert.throws(() => tokenize('x', 'bpe' as never), /kind must be 'char' or 'word'/);
});
