// Text -> token ids for training and evaluation, under the two settings a checkpoint records: the tokenizer
// ('char' code points or 'word's) and the preprocessing ('none', or d2l's letters-only lower-casing per line).
// With 'letters' the lines are preprocessed and concatenated as d2l does (chars run across line ends; words
// are split per line), so no newline tokens remain.
import { flattenLines, preprocessLetters, tokenize, type TokenKind } from '../data/text.js';
import { piecesOf, type TextSource } from '../data/text-source.js';
import { Vocab } from '../data/vocab.js';
import { TEXT_DEFAULTS } from './defaults.js';

/** How text becomes tokens; either may be left out (defaults: TEXT_DEFAULTS, characters without preprocessing). */
export interface TextSettings {
  tokens?: TokenKind;
  preprocess?: 'none' | 'letters';
}

/** Text settings with every field decided, as a checkpoint records them. */
export type ResolvedTextSettings = Required<TextSettings>;

export interface PrepareOptions {
  /** Use this vocabulary (e.g. a checkpoint's); tokens outside it become '<unk>'. Built from the text otherwise. */
  vocab?: Vocab;
  /** Keep only the first N tokens; 0 or undefined keeps all. */
  maxTokens?: number;
  /** With a vocabulary built here: tokens seen fewer times map to '<unk>' (d2l's min_freq). */
  minFreq?: number;
}

export interface PreparedCorpus {
  ids: Int32Array;
  vocab: Vocab;
  /** Tokens kept (= ids.length). */
  tokenCount: number;
  /** How many kept tokens mapped to '<unk>' (not in the given vocabulary, or rarer than minFreq). */
  unknownCount: number;
}

/** Checks settings parsed from a checkpoint or a command line, naming the bad field; fills in the defaults. */
export function validateTextSettings(value: unknown, where = 'text settings'): ResolvedTextSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected an object`);
  const { tokens = TEXT_DEFAULTS.tokens, preprocess = TEXT_DEFAULTS.preprocess } = value as Record<string, unknown>;
  if (tokens !== 'char' && tokens !== 'word') throw new Error(`${where}: tokens must be 'char' or 'word', got ${JSON.stringify(tokens)}`);
  if (preprocess !== 'none' && preprocess !== 'letters') throw new Error(`${where}: preprocess must be 'none' or 'letters', got ${JSON.stringify(preprocess)}`);
  return { tokens, preprocess };
}

/** The token sequence of `text` under `settings`. */
export function textToTokens(text: string, settings: TextSettings = {}): string[] {
  const { tokens, preprocess } = validateTextSettings(settings);
  if (preprocess === 'none') return tokenize(text, tokens);
  const lines = preprocessLetters(text);
  return tokens === 'char' ? flattenLines(lines) : lines.flatMap((line) => tokenize(line, 'word'));
}

/** A growable Int32Array: ids kept as they come, 4 bytes each. */
class IdBuffer {
  private data = new Int32Array(1024);
  length = 0;

  push(id: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = id;
  }

  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Token ids of `text` (a string, or pieces of a file read one at a time) under `settings`. Tokenized piece by
 * piece: the vocabulary counts every token of the whole text (as d2l's load_corpus_time_machine, whatever the cut),
 * but only the first maxTokens ids are kept, and with a given vocabulary reading stops there. So memory follows
 * the tokens used and the distinct tokens, not the size of the text.
 */
export function prepareCorpus(text: TextSource, textSettings: TextSettings = {}, options: PrepareOptions = {}): PreparedCorpus {
  const settings = validateTextSettings(textSettings);
  const maxTokens = options.maxTokens ?? 0;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 0) throw new Error(`prepareCorpus: maxTokens must be a non-negative integer (0 = all), got ${maxTokens}`);
  const limit = maxTokens > 0 ? maxTokens : Infinity;
  const given = options.vocab;
  // Without a vocabulary, kept tokens get provisional ids in first-appearance order, renumbered once all are counted.
  const counts = new Map<string, number>();
  const provisional = new Map<string, number>();
  const firstSeen: string[] = [];
  const ids = new IdBuffer();
  let seen = 0;
  for (const piece of piecesOf(text)) {
    for (const token of textToTokens(piece, settings)) {
      seen++;
      if (given !== undefined) {
        if (ids.length < limit) ids.push(given.indexOf(token));
        continue;
      }
      counts.set(token, (counts.get(token) ?? 0) + 1);
      if (ids.length < limit) {
        let id = provisional.get(token);
        if (id === undefined) {
          id = firstSeen.length;
          provisional.set(token, id);
          firstSeen.push(token);
        }
        ids.push(id);
      }
    }
    if (given !== undefined && ids.length >= limit) break;
  }
  if (seen === 0) {
    throw new Error(`corpus is empty after preprocessing (tokens '${settings.tokens}', preprocess '${settings.preprocess}'): no tokens to train on`);
  }
  const vocab = given ?? Vocab.fromCounts(counts, { minFreq: options.minFreq ?? 0 });
  const out = ids.view().slice();
  if (given === undefined) {
    const remap = Int32Array.from(firstSeen, (token) => vocab.indexOf(token));
    for (let k = 0; k < out.length; k++) out[k] = remap[out[k]!]!;
  }
  let unknownCount = 0;
  for (let k = 0; k < out.length; k++) if (out[k] === vocab.unknownIndex) unknownCount++;
  return { ids: out, vocab, tokenCount: out.length, unknownCount };
}
