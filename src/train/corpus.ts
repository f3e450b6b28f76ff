// Text -> token ids for training and evaluation, under the two settings a checkpoint records: the tokenizer
// ('char' code points or 'word's) and the preprocessing ('none', or d2l's letters-only lower-casing per line).
// With 'letters' the lines are preprocessed and concatenated as d2l does (chars run across line ends; words
// are split per line), so no newline tokens remain.
import { flattenLines, preprocessLetters, tokenize, type TokenKind } from '../data/text.js';
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

export function prepareCorpus(text: string, textSettings: TextSettings = {}, options: PrepareOptions = {}): PreparedCorpus {
  const settings = validateTextSettings(textSettings);
  const maxTokens = options.maxTokens ?? 0;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 0) throw new Error(`prepareCorpus: maxTokens must be a non-negative integer (0 = all), got ${maxTokens}`);
  let tokens = textToTokens(text, settings);
  if (tokens.length === 0) {
    throw new Error(`corpus is empty after preprocessing (tokens '${settings.tokens}', preprocess '${settings.preprocess}'): no tokens to train on`);
  }
  // As d2l's load_corpus_time_machine: the vocabulary comes from the whole text, then the corpus is cut to
  // maxTokens, so the token order (and so every index) is the book's whatever the cut.
  const vocab = options.vocab ?? new Vocab(tokens, { minFreq: options.minFreq ?? 0 });
  if (maxTokens > 0 && tokens.length > maxTokens) tokens = tokens.slice(0, maxTokens);
  const ids = vocab.encode(tokens);
  let unknownCount = 0;
  for (let k = 0; k < ids.length; k++) if (ids[k] === vocab.unknownIndex) unknownCount++;
  return { ids, vocab, tokenCount: ids.length, unknownCount };
}
