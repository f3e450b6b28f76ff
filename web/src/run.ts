// One training run inside the worker: the page's text and settings become a char-level model and a Trainer
// (sequential truncated BPTT, the CLI's defaults), trained in slices of about a second. After each slice the run
// reports a curve point (recent train perplexity, held-out perplexity) and every few seconds a fresh sample.
import { Random } from '../../src/core/random.js';
import type { Vocab } from '../../src/data/vocab.js';
import type { RNNModel } from '../../src/nn/rnn-model.js';
import {
  Trainer, buildModel, corpusChecksum, describeModel, encodeCheckpoint, evaluateLoss, generate, prepareCorpus,
  type CorpusInfo, type ModelConfig, type ResolvedTextSettings,
} from '../../src/train/index.js';
import type { CurvePoint, RunSettings } from './protocol.js';

const TEXT: ResolvedTextSettings = { tokens: 'char', preprocess: 'none' };
const BATCH = 32;
const STEPS = 35;
/** Held-out tail; each point scores at most this many of its tokens so evaluation stays a small part of the time. */
const VALID_FRACTION = 0.1;
const VALID_TOKENS = 8192;
const SLICE_SECONDS = 1;
const SAMPLE_EVERY_MS = 3000;
const SAMPLE_LENGTH = 280;

export interface RunHooks {
  progress(p: { step: number; epoch: number; tokensPerSec: number }): void;
  point(p: CurvePoint): void;
  sample(text: string, step: number): void;
}

export class Run {
  readonly config: ModelConfig;
  readonly model: RNNModel;
  readonly vocab: Vocab;
  readonly text = TEXT;
  readonly trainer: Trainer;
  readonly description: string;
  private readonly train: Int32Array;
  private readonly valid: Int32Array;
  private readonly corpus: CorpusInfo;
  private readonly samplePrefix: string;
  private abort: AbortController | null = null;
  private tokensSeen = 0;
  private lastSample = 0;
  temperature = 0.8;

  constructor(readonly settings: RunSettings) {
    const prepared = prepareCorpus(settings.text, TEXT);
    if (prepared.tokenCount < 20 * BATCH * STEPS) {
      throw new Error(`The text has ${prepared.tokenCount.toLocaleString('en-US')} characters; give at least ${(20 * BATCH * STEPS).toLocaleString('en-US')} (a few pages).`);
    }
    this.vocab = prepared.vocab;
    this.config = { cell: settings.cell, hiddenSize: settings.hiddenSize, numLayers: settings.numLayers, dropout: 0, vocabSize: prepared.vocab.size, seed: 0 };
    this.model = buildModel(this.config);
    // epochs is the run's horizon: far beyond a browser session, so only Pause stops it.
    this.trainer = new Trainer(this.model, {
      batchSize: BATCH, numSteps: STEPS, epochs: 100, lr: settings.lr, optimizer: settings.optimizer, clip: 1, validFraction: VALID_FRACTION,
    });
    const { train, valid } = this.trainer.split(prepared.ids);
    this.train = train;
    this.valid = valid!.subarray(0, VALID_TOKENS);
    this.corpus = { maxTokens: 0, minFreq: 0, tokenCount: prepared.tokenCount, checksum: corpusChecksum(prepared.ids) };
    this.description = describeModel(this.config);
    this.samplePrefix = [...'The '].every((ch) => this.vocab.has(ch)) ? 'The ' : this.vocab.tokenAt(prepared.ids[0]!);
  }

  get trainTokens(): number {
    return this.train.length;
  }

  get validTokens(): number {
    return this.valid.length;
  }

  get running(): boolean {
    return this.abort !== null;
  }

  /** Trains until `pause()` (or the horizon); resolves when it has stopped. */
  async play(hooks: RunHooks): Promise<void> {
    if (this.abort !== null) return;
    const abort = (this.abort = new AbortController());
    try {
      while (!abort.signal.aborted && !this.trainer.finished) {
        let lossSum = 0, tokens = 0, lastProgress = 0;
        const started = performance.now();
        await this.trainer.fit(this.train, null, {
          maxSeconds: SLICE_SECONDS,
          signal: abort.signal,
          onBatch: (b) => {
            lossSum += b.loss * BATCH * STEPS;
            tokens += BATCH * STEPS;
            const now = performance.now();
            if (now - lastProgress > 250) {
              lastProgress = now;
              hooks.progress({ step: b.step, epoch: b.epoch, tokensPerSec: (tokens * 1000) / (now - started) });
            }
          },
        });
        if (tokens === 0) continue;
        const seconds = (performance.now() - started) / 1000;
        this.tokensSeen += tokens;
        hooks.progress({ step: this.trainer.step, epoch: this.trainer.epoch + 1, tokensPerSec: tokens / seconds });
        const valid = evaluateLoss(this.model, this.valid, { batchSize: BATCH, numSteps: STEPS }).perplexity;
        hooks.point({ tokens: this.tokensSeen, train: Math.exp(lossSum / tokens), valid });
        if (performance.now() - this.lastSample > SAMPLE_EVERY_MS) {
          this.lastSample = performance.now();
          hooks.sample(this.sample(), this.trainer.step);
        }
      }
    } finally {
      this.abort = null;
    }
  }

  pause(): void {
    this.abort?.abort();
  }

  /** A draw at the current temperature; seeded by the step so the same weights give the same sample. */
  sample(): string {
    return generate(this.model, this.vocab, TEXT, this.samplePrefix, {
      length: SAMPLE_LENGTH, strategy: 'sample', temperature: this.temperature, random: new Random(this.trainer.step),
    });
  }

  /** The CLI's checkpoint format, resumable with `lstm train --resume` on the same text. */
  checkpoint(): Uint8Array {
    return encodeCheckpoint({ config: this.config, model: this.model, text: TEXT, vocab: this.vocab, trainer: this.trainer, corpus: this.corpus });
  }
}
