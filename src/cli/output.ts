// What `lstm train` prints, in two forms behind one Reporter interface: for people (a header, one line per
// epoch, a progress bar on a terminal, a closing summary and sample) and for programs (--json: exactly one
// JSON object per epoch, then one {"summary": ...} line, and nothing else on stdout).
import type { BatchInfo, EpochStats, StopReason } from '../train/index.js';
import { epochJson, epochLine, formatCount, formatPerplexity, formatSeconds, quoted } from './format.js';
import { TrainingProgressBar } from './progress.js';

export interface RunHeader {
  corpus: string;
  builtin: boolean;
  textSettings: string;
  tokens: number;
  trainTokens: number;
  validTokens: number;
  vocabSize: number;
  model: string;
  training: string;
  checkpoint: string;
  /** Where a resumed run picks up: completed epochs, and minibatches done in the unfinished one. */
  resumed: { epoch: number; batch: number } | null;
  totalEpochs: number;
}

export interface RunSummary {
  stopReason: StopReason;
  /** Completed epochs of the whole run, earlier sessions included. */
  epochs: number;
  loss: number | null;
  perplexity: number | null;
  valPerplexity: number | null;
  /** Wall-clock seconds of this invocation. */
  seconds: number;
  checkpoint: string;
  /** With --patience: where the best epoch's checkpoint is, and which epoch it is. */
  best: { checkpoint: string; epoch: number; patience: number | null } | null;
  svg: string | null;
  prefix: string | null;
  sample: string | null;
  /** How the sample was drawn: 'greedy', or 'top-k 5' / 'sample' with their temperature and seed. */
  sampleStrategy: string | null;
  /** For a drawn sample, the command that prints the greedy one. */
  greedyCommand: string | null;
  corpus: string;
  vocabSize: number;
  parameters: number;
}

export interface Reporter {
  start(header: RunHeader): void;
  batch(info: BatchInfo): void;
  epoch(stats: EpochStats): void;
  finish(summary: RunSummary): void;
  /** Stops the progress bar; safe to call twice, and called on errors too. */
  close(): void;
}

type Write = (text: string) => void;

export class HumanReporter implements Reporter {
  private bar: TrainingProgressBar | null = null;
  private totalEpochs = 0;

  constructor(private readonly write: Write, private readonly terminal: NodeJS.WriteStream | null) {}

  private line(text: string): void {
    if (this.bar !== null) this.bar.log(text);
    else this.write(`${text}\n`);
  }

  start(h: RunHeader): void {
    this.totalEpochs = h.totalEpochs;
    const corpus = h.builtin ? `${h.corpus} (no --data given)` : h.corpus;
    const split = h.validTokens > 0 ? `, ${formatCount(h.trainTokens)} for training and ${formatCount(h.validTokens)} for validation` : '';
    this.line(`data: ${corpus}: ${formatCount(h.tokens)} tokens (${h.textSettings}), vocabulary ${formatCount(h.vocabSize)}${split}`);
    this.line(`model: ${h.model}`);
    this.line(`training: ${h.training}`);
    this.line(`checkpoint: ${h.checkpoint} (saved after every epoch)`);
    if (h.resumed !== null) {
      const at = h.resumed.batch > 0 ? `epoch ${h.resumed.epoch + 1}, after minibatch ${h.resumed.batch}` : `epoch ${h.resumed.epoch + 1}`;
      this.line(`resuming at ${at} of ${h.totalEpochs}`);
    }
    if (this.terminal !== null) this.bar = new TrainingProgressBar(h.totalEpochs, this.terminal);
  }

  batch(info: BatchInfo): void {
    this.bar?.update(info);
  }

  epoch(stats: EpochStats): void {
    this.line(epochLine(stats, this.totalEpochs));
  }

  finish(s: RunSummary): void {
    this.close();
    const val = s.valPerplexity === null ? '' : ` (validation ${formatPerplexity(s.valPerplexity)})`;
    const final = s.perplexity === null ? 'no epoch completed' : `final perplexity ${formatPerplexity(s.perplexity)}${val}`;
    if (s.stopReason === 'aborted') {
      this.write(`interrupted after ${s.epochs} epoch(s) (${formatSeconds(s.seconds)}); ${final}; continue with --resume\n`);
    } else if (s.stopReason === 'earlyStopped') {
      this.write(`stopped early after ${s.epochs} epochs: no better validation perplexity for ${s.best?.patience} epochs (${formatSeconds(s.seconds)} this run); ${final}\n`);
    } else {
      this.write(`done: ${s.epochs} epochs (${formatSeconds(s.seconds)} this run); ${final}\n`);
    }
    this.write(`checkpoint: ${s.checkpoint}\n`);
    if (s.best !== null) this.write(`best checkpoint: ${s.best.checkpoint} (epoch ${s.best.epoch})\n`);
    if (s.svg !== null) this.write(`perplexity curve: ${s.svg}\n`);
    if (s.sample === null || s.prefix === null) return;
    this.write(`sample (${s.sampleStrategy}, after ${quoted(s.prefix)}):\n${s.sample}\n`);
    if (s.greedyCommand !== null) this.write(`the greedy continuation (always the most likely next token): ${s.greedyCommand}\n`);
  }

  close(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export class JsonReporter implements Reporter {
  constructor(private readonly write: Write) {}

  start(): void {}

  batch(): void {}

  epoch(stats: EpochStats): void {
    this.write(`${epochJson(stats)}\n`);
  }

  finish(s: RunSummary): void {
    this.write(`${JSON.stringify({ summary: s })}\n`);
  }

  close(): void {}
}
