// Generation throughput: greedy, one character at a time, through the public `generate()` (batch 1, a short
// prefix, then `length` characters each fed back as the next input), on an untrained model of the d2l shape
// (28 tokens: '<unk>', the 26 letters and the space). Characters per second = length / seconds per call,
// best window reported (see timing.ts); the prefix warm-up is part of each call, as it is for a user.
import { Vocab } from '../data/vocab.js';
import { buildModel } from '../train/model-config.js';
import { generate } from '../train/generate.js';
import type { TextSettings } from '../train/corpus.js';
import { D2L, type BenchCell } from './flops.js';
import { timeWindows } from './timing.js';

export const BENCH_PREFIX = 'time traveller ';

export interface GenerationBenchOptions {
  cell: BenchCell;
  hidden: number;
  /** Characters generated per call (default 500). */
  length?: number;
  /** About this many seconds of timed calls (default 1). */
  seconds?: number;
  seed?: number;
}

export interface GenerationBenchResult {
  cell: BenchCell;
  hidden: number;
  length: number;
  charsPerSec: number;
  charsPerSecMedian: number;
  calls: number;
}

/** The d2l character vocabulary: '<unk>', 'a'..'z', ' ' (28 tokens). */
export function d2lVocab(): Vocab {
  return new Vocab([...'abcdefghijklmnopqrstuvwxyz ']);
}

export function benchGeneration(options: GenerationBenchOptions): GenerationBenchResult {
  const { cell, hidden, length = 500, seconds = 1, seed = 0 } = options;
  const vocab = d2lVocab();
  if (vocab.size !== D2L.vocab) throw new Error(`bench: the d2l vocabulary should have ${D2L.vocab} tokens, got ${vocab.size}`);
  const model = buildModel({ cell, hiddenSize: hidden, numLayers: 1, dropout: 0, vocabSize: vocab.size, seed });
  const settings: TextSettings = { tokens: 'char', preprocess: 'letters' };
  let produced = 0;
  const onToken = (): void => void produced++;
  const call = (): void => {
    produced = 0;
    generate(model, vocab, settings, BENCH_PREFIX, { length, strategy: 'greedy', onToken });
    if (produced !== length) throw new Error(`bench: generate produced ${produced} tokens, expected ${length}`);
  };
  const stats = timeWindows(call, length, { seconds, warmup: 1, windows: 5 });
  return { cell, hidden, length, charsPerSec: stats.best, charsPerSecMedian: stats.median, calls: stats.calls };
}
