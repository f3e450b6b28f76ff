// Number and line formats shared by the human output, the JSON output and the progress bar, kept in one place
// so the epoch line a user reads and the one a test parses cannot drift apart.
import type { EpochStats } from '../train/index.js';

/** 1,191,160. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Throughput to three significant digits (41,200): more digits would only show timer noise. */
export function formatRate(tokensPerSec: number): string {
  if (!Number.isFinite(tokensPerSec)) return '-';
  return Math.round(tokensPerSec).toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

/** Perplexities near 1 need two decimals; untrained ones can be in the thousands. */
export function formatPerplexity(p: number): string {
  return p < 1e6 ? p.toFixed(2) : p.toExponential(2);
}

/** `epoch 12/500  loss 1.234  ppl 3.43  val 3.90  41,200 tok/s` (no `val` without a validation split). */
export function epochLine(stats: EpochStats, totalEpochs: number): string {
  const val = stats.valPerplexity === null ? '' : `  val ${formatPerplexity(stats.valPerplexity)}`;
  return `epoch ${stats.epoch}/${totalEpochs}  loss ${stats.loss.toFixed(3)}  ppl ${formatPerplexity(stats.perplexity)}${val}  ${formatRate(stats.tokensPerSec)} tok/s`;
}

/** Exactly these five keys, one object per line. */
export function epochJson(stats: EpochStats): string {
  const { epoch, loss, perplexity, valPerplexity, tokensPerSec } = stats;
  return JSON.stringify({ epoch, loss, perplexity, valPerplexity, tokensPerSec });
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - 60 * m)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A string as a user would type it back: quoted, with newlines and tabs escaped. */
export function quoted(text: string): string {
  return JSON.stringify(text);
}
