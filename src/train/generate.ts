// Text generation as d2l's predict_ch8: warm the state up on the prefix, then repeatedly feed the last token and
// pick the next one. Picking: greedy argmax, or a draw from softmax(logits / temperature), optionally restricted
// to the k largest logits (top-k). p_j = exp((z_j - max z) / τ) / Σ_k exp((z_k - max z) / τ).
// Batch 1, eval mode (no dropout), no autograd graph; the model's train/eval mode is restored afterwards.
import { Tensor, noGrad } from '../core/tensor.js';
import { defaultRandom, type Random } from '../core/random.js';
import { detokenize } from '../data/text.js';
import type { Vocab } from '../data/vocab.js';
import type { State } from '../nn/cell.js';
import type { RNNModel } from '../nn/rnn-model.js';
import { textToTokens, validateTextSettings, type TextSettings } from './corpus.js';
import { fusedGeneratorFor } from '../engine/index.js';

export type SamplingStrategy = 'greedy' | 'sample' | 'top-k';

export interface GenerateOptions {
  /** Tokens to generate after the prefix. */
  length: number;
  strategy?: SamplingStrategy;
  /** Softmax temperature for 'sample' and 'top-k': < 1 sharper, > 1 flatter. */
  temperature?: number;
  /** 'top-k': sample among this many most likely tokens (clamped to the vocabulary size). */
  topK?: number;
  /** Draws for 'sample' and 'top-k'; the library's default generator (see manualSeed) when omitted. */
  random?: Random;
  /** Called with each generated token as soon as it is chosen (for streaming output). */
  onToken?: (token: string) => void;
}

/** Index of the largest value; the first one on ties, as torch.argmax. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j]! > values[best]!) best = j;
  return best;
}

/** Picks the next token id from one row of logits by the given strategy. */
export function pickToken(logits: ArrayLike<number>, strategy: SamplingStrategy, temperature: number, topK: number, random: Random): number {
  if (strategy === 'greedy') return argmax(logits);
  let candidates = Array.from({ length: logits.length }, (_, j) => j);
  if (strategy === 'top-k' && topK < candidates.length) {
    // Stable sort: equal logits keep index order, so the same k tokens are chosen every time.
    candidates = candidates.sort((a, b) => logits[b]! - logits[a]!).slice(0, topK);
  }
  let max = -Infinity;
  for (const j of candidates) max = Math.max(max, logits[j]!);
  const weights = candidates.map((j) => Math.exp((logits[j]! - max) / temperature));
  return candidates[random.categorical(weights)]!;
}

/** Tokens of `prefix` the vocabulary does not know, each once, in order of appearance. */
function unknownTokens(tokens: readonly string[], vocab: Vocab): string[] {
  return [...new Set(tokens.filter((t) => !vocab.has(t)))];
}

function quote(token: string): string {
  return `'${JSON.stringify(token).slice(1, -1)}'`;
}

/** The prefix followed by `length` generated tokens, as text (word tokens joined back with detokenize). */
export function generate<S extends State>(model: RNNModel<S>, vocab: Vocab, textSettings: TextSettings, prefix: string, options: GenerateOptions): string {
  const settings = validateTextSettings(textSettings);
  const { length, strategy = 'greedy', temperature = 1, onToken } = options;
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`generate: length must be a non-negative integer, got ${length}`);
  if (strategy !== 'greedy' && strategy !== 'sample' && strategy !== 'top-k') {
    throw new Error(`generate: strategy must be 'greedy', 'sample' or 'top-k', got ${JSON.stringify(strategy)}`);
  }
  if (!(Number.isFinite(temperature) && temperature > 0)) throw new Error(`generate: temperature must be a finite number > 0, got ${temperature}`);
  const topK = options.topK ?? (strategy === 'top-k' ? NaN : vocab.size);
  if (!Number.isSafeInteger(topK) || topK < 1) throw new Error(`generate: strategy 'top-k' needs topK, a positive integer, got ${options.topK}`);
  if (vocab.size !== model.vocabSize) throw new Error(`generate: the vocabulary has ${vocab.size} tokens but the model predicts ${model.vocabSize}`);
  const random = options.random ?? defaultRandom();

  const tokens = textToTokens(prefix, { ...settings, preprocess: 'none' });
  if (tokens.length === 0) throw new Error('generate: the prefix is empty; give at least one token to start from');
  const unknown = unknownTokens(tokens, vocab);
  if (unknown.length > 0) {
    const what = settings.tokens === 'char' ? 'characters' : 'words';
    const hint = settings.preprocess === 'letters' ? ' (the model was trained on letters-only, lower-case text)' : '';
    throw new Error(`prefix has ${what} not in the vocabulary: ${unknown.map(quote).join(', ')}${hint}`);
  }

  const ids = Array.from(vocab.encode(tokens));
  const generator = fusedGeneratorFor(model);
  if (generator !== null) {
    // The fast path: no tape, no allocation per token; the same numbers as the autograd path below.
    for (let k = 0; k < ids.length - 1; k++) generator.step(ids[k]!);
    for (let k = 0; k < length; k++) {
      const id = pickToken(generator.step(ids[ids.length - 1]!), strategy, temperature, topK, random);
      ids.push(id);
      onToken?.(vocab.tokenAt(id));
    }
    return detokenize(vocab.decode(ids), settings.tokens);
  }
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      let state: S = model.beginState(1);
      // Warm-up: every prefix token but the last updates the state; its predictions are not needed.
      if (ids.length > 1) state = model.forward(new Tensor(Float32Array.from(ids.slice(0, -1)), [1, ids.length - 1]), state)[1];
      for (let k = 0; k < length; k++) {
        const [logits, next] = model.forward(new Tensor(Float32Array.of(ids[ids.length - 1]!), [1, 1]), state);
        state = next;
        const id = pickToken(logits.data, strategy, temperature, topK, random);
        ids.push(id);
        onToken?.(vocab.tokenAt(id));
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return detokenize(vocab.decode(ids), settings.tokens);
}
