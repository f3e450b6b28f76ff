// Tests for corpus loading: readCorpusFile's one-line errors (missing, empty, binary, invalid
// UTF-8) on temp files, its normalisation, and the built-in Moby Dick default corpus.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCorpusFile, loadDefaultCorpus, DEFAULT_CORPUS_NAME, tokenize, detokenize, Vocab } from '../src/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-data-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function oneLineError(fn: () => unknown, pattern: RegExp, path: string): void {
  assert.throws(fn, (err: Error) => {
    assert.match(err.message, pattern);
    assert.ok(err.message.includes(path), `message names the path: ${err.message}`);
    assert.ok(!err.message.includes('\n'), 'message is one line');
    return true;
  });
}

test('readCorpusFile reads UTF-8, drops a BOM and normalises line endings', () => {
  const path = file('ok.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo 世界\r\nline two\rthree\n', 'utf8')]));
  assert.equal(readCorpusFile(path), 'héllo 世界\nline two\nthree\n');
});

test('readCorpusFile: missing file, directory, empty file', () => {
  const missing = join(dir, 'nope.txt');
  oneLineError(() => readCorpusFile(missing), /^corpus file not found: /, missing);
  oneLineError(() => readCorpusFile(dir), /is a directory/, dir);
  const empty = file('empty.txt', '');
  oneLineError(() => readCorpusFile(empty), /^corpus file is empty: /, empty);
  const blank = file('blank.txt', ' \n\n\t');
  oneLineError(() => readCorpusFile(blank), /only whitespace/, blank);
});

test('readCorpusFile: binary (NUL bytes) and invalid UTF-8', () => {
  const nul = file('nul.bin', new Uint8Array([0x61, 0x62, 0x00, 0x63]));
  oneLineError(() => readCorpusFile(nul), /looks binary \(NUL byte at offset 2\)/, nul);
  const latin1 = file('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
  oneLineError(() => readCorpusFile(latin1), /not valid UTF-8/, latin1);
  const truncated = file('trunc.txt', Buffer.from('ok 世', 'utf8').subarray(0, 5)); // cut mid-character
  oneLineError(() => readCorpusFile(truncated), /not valid UTF-8/, truncated);
});

test('the default corpus is Moby Dick, long, and starts at chapter 1', async () => {
  const text = await loadDefaultCorpus();
  assert.match(DEFAULT_CORPUS_NAME, /Moby Dick/);
  assert.equal(text.length, 1_191_160);
  assert.ok(text.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael. Some years ago'), text.slice(0, 80));
  assert.ok(text.includes('\nCHAPTER 135. The Chase.—Third Day.\n'));
  assert.ok(text.trimEnd().endsWith('only found another orphan.'));
  assert.equal(text.includes('\r'), false);
  assert.equal(text.includes('ETYMOLOGY'), false, 'front matter is left out');
  assert.equal(await loadDefaultCorpus(), text, 'cached and stable');
});

test('the default corpus tokenizes and round trips through a vocabulary', async () => {
  const text = await loadDefaultCorpus();
  const chars = tokenize(text, 'char');
  const charVocab = new Vocab(chars);
  assert.ok(charVocab.size > 60 && charVocab.size < 120, `char vocab size ${charVocab.size}`);
  assert.equal(detokenize(charVocab.decode(charVocab.encode(chars)), 'char'), text);
  const words = tokenize(text, 'word');
  assert.ok(words.length > 200_000, `word tokens ${words.length}`);
  assert.deepEqual(tokenize(detokenize(words, 'word'), 'word'), words);
});
