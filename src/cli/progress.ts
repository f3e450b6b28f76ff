// The terminal progress bar of `lstm train` (cli-progress): one bar over all remaining minibatches of the run,
// with ETA, the current minibatch's loss and perplexity, and tokens/s. Epoch lines are printed above it through
// the bar's own log, so the bar is redrawn below them instead of being torn by interleaved writes.
import cliProgress from 'cli-progress';
import type { BatchInfo } from '../train/index.js';
import { formatRate } from './format.js';

export class TrainingProgressBar {
  private readonly multibar: cliProgress.MultiBar;
  private bar: cliProgress.SingleBar | null = null;
  private startEpoch = 0;
  private numBatches = 0;

  /** `unit` names the items counted per second (tokens, windows, sequences); perplexity is shown for a language model only. */
  constructor(private readonly totalEpochs: number, private readonly stream: NodeJS.WriteStream, unit = 'tok', perplexity = true) {
    this.multibar = new cliProgress.MultiBar({
      stream,
      format: `epoch {epoch}/{epochs} {bar} {percentage}% | ETA {eta_formatted} | loss {loss}${perplexity ? ' | ppl {ppl}' : ''} | {rate} ${unit}/s`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      // Ctrl-C is ours: it stops training gracefully (and saves), and we stop the bar then.
      gracefulExit: false,
      etaBuffer: 200,
      fps: 5,
    }, cliProgress.Presets.shades_classic);
  }

  update(info: BatchInfo): void {
    const payload = { epoch: info.epoch, epochs: this.totalEpochs, loss: info.loss.toFixed(3), ppl: Math.exp(info.loss).toFixed(2), rate: formatRate(info.itemsPerSec) };
    if (this.bar === null) {
      // The first minibatch seen fixes the scale: a resumed run counts only what is left.
      this.startEpoch = info.epoch - 1;
      this.numBatches = info.numBatches;
      const total = Math.max(1, (this.totalEpochs - this.startEpoch) * this.numBatches);
      this.bar = this.multibar.create(total, info.batch - 1, payload);
    }
    // Sequential sampling's random offset can change an epoch's batch count by one, so clamp to the estimate.
    const done = (info.epoch - 1 - this.startEpoch) * this.numBatches + Math.min(info.batch, this.numBatches);
    this.bar.update(Math.min(done, this.bar.getTotal()), payload);
  }

  /** Prints a line above the bar right away. */
  log(line: string): void {
    if (this.bar === null) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.multibar.log(`${line}\n`);
    this.multibar.update();
  }

  stop(): void {
    this.multibar.stop();
  }
}
