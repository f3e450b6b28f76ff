// What `lstm train --task forecast|classify` prints, behind one interface as the language model's output.ts: for
// people, header lines, one line per epoch (a progress bar on a terminal), the closing summary with the test
// metrics beside the baselines; for programs (--json), one JSON object per epoch and a final {"summary": ...} line,
// nothing else on stdout. What the lines say is the task's (forecast-cli.ts, classify-cli.ts).
import type { BatchInfo, EpochStats } from '../train/index.js';
import { TrainingProgressBar } from './progress.js';

/** How one task's epochs read: the human line and the JSON object. */
export interface EpochView {
  /** Items per second, as the progress bar names them ('win', 'seq'). */
  unit: string;
  line(stats: EpochStats<object>, totalEpochs: number): string;
  json(stats: EpochStats<object>): Record<string, unknown>;
}

export interface TaskReporter {
  start(header: readonly string[], totalEpochs: number): void;
  batch(info: BatchInfo): void;
  epoch(stats: EpochStats<object>): void;
  /** `lines` for people; `summary` for --json. */
  finish(lines: readonly string[], summary: Record<string, unknown>): void;
  close(): void;
}

type Write = (text: string) => void;

export class HumanTaskReporter implements TaskReporter {
  private bar: TrainingProgressBar | null = null;
  private totalEpochs = 0;

  constructor(private readonly write: Write, private readonly terminal: NodeJS.WriteStream | null, private readonly view: EpochView) {}

  private line(text: string): void {
    if (this.bar !== null) this.bar.log(text);
    else this.write(`${text}\n`);
  }

  start(header: readonly string[], totalEpochs: number): void {
    this.totalEpochs = totalEpochs;
    for (const line of header) this.line(line);
    if (this.terminal !== null) this.bar = new TrainingProgressBar(totalEpochs, this.terminal, this.view.unit, false);
  }

  batch(info: BatchInfo): void {
    this.bar?.update(info);
  }

  epoch(stats: EpochStats<object>): void {
    this.line(this.view.line(stats, this.totalEpochs));
  }

  finish(lines: readonly string[]): void {
    this.close();
    for (const line of lines) this.write(`${line}\n`);
  }

  close(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

export class JsonTaskReporter implements TaskReporter {
  constructor(private readonly write: Write, private readonly view: EpochView) {}

  start(): void {}

  batch(): void {}

  epoch(stats: EpochStats<object>): void {
    this.write(`${JSON.stringify(this.view.json(stats))}\n`);
  }

  finish(_lines: readonly string[], summary: Record<string, unknown>): void {
    this.write(`${JSON.stringify({ summary })}\n`);
  }

  close(): void {}
}

/** Rows of cells as aligned columns: the first left-aligned, the rest right-aligned. */
export function table(rows: ReadonlyArray<readonly string[]>, indent = '  '): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

/** 1,052.5 or 0.758: numbers in a data's units with a sensible number of digits. */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 3 : 4;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatPercent(v: number | null): string {
  return v === null ? '-' : `${(100 * v).toFixed(2)}%`;
}
