// Timing windows shared by the benchmarks. A measurement runs `work` in windows of a fixed number of calls and
// keeps every window's rate; the best window is what is reported (the machine is shared and other processes only
// ever slow a window down), the median is reported beside it. Rates are per second of wall-clock time.

export interface WindowStats {
  /** Work units per second in the fastest window. */
  best: number;
  /** Median over the windows. */
  median: number;
  windows: number;
  /** Calls of `work` that were timed (warm-up excluded). */
  calls: number;
  /** Seconds spent in timed windows. */
  seconds: number;
}

export interface WindowOptions {
  /** Total seconds to spend timing (at least `minWindows` windows are run whatever it says). */
  seconds: number;
  /** Calls before timing starts. */
  warmup?: number;
  /** Windows aimed for within `seconds` (each then lasts about seconds / windows). */
  windows?: number;
  minWindows?: number;
}

export function now(): number {
  return performance.now() / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The windows of one measurement: sized by the first timed call, run until enough of them fill `seconds`. */
class Windows {
  private readonly rates: number[] = [];
  private perWindow = 1;
  private calls = 0;
  private spent = 0;

  constructor(
    private readonly units: number,
    private readonly options: WindowOptions,
  ) {}

  /** Records the first timed call (seconds) and returns how many calls each window makes. */
  first(dt: number): number {
    const { seconds, windows = 5 } = this.options;
    this.perWindow = Math.max(1, Math.round(seconds / windows / dt));
    this.rates.push(this.units / dt);
    this.calls = 1;
    this.spent = dt;
    return this.perWindow;
  }

  /** Records a window of perWindow calls that took dt seconds. */
  add(dt: number): void {
    this.rates.push((this.units * this.perWindow) / dt);
    this.calls += this.perWindow;
    this.spent += dt;
  }

  /** Whether another window is wanted: at least minWindows, and until `seconds` are spent. */
  more(): boolean {
    return this.rates.length < (this.options.minWindows ?? 3) + 1 || this.spent < this.options.seconds;
  }

  stats(): WindowStats {
    // The sizing call counts as a window only when windows are single calls anyway (large models).
    const kept = this.perWindow === 1 ? this.rates : this.rates.slice(1);
    return { best: Math.max(...kept), median: median(kept), windows: kept.length, calls: this.calls, seconds: this.spent };
  }
}

/**
 * Times `work()` (which does `units` units of work per call, e.g. tokens) and returns units per second.
 * The first timed call sizes the windows so that `windows` of them fill about `seconds`.
 */
export function timeWindows(work: () => void, units: number, options: WindowOptions): WindowStats {
  for (let k = 0; k < (options.warmup ?? 1); k++) work();
  const w = new Windows(units, options);
  let t0 = now();
  work();
  const perWindow = w.first(Math.max(now() - t0, 1e-7));
  while (w.more()) {
    t0 = now();
    for (let k = 0; k < perWindow; k++) work();
    w.add(Math.max(now() - t0, 1e-7));
  }
  return w.stats();
}

/** timeWindows for work that finishes asynchronously (onnxruntime's session.run). */
export async function timeWindowsAsync(work: () => Promise<void>, units: number, options: WindowOptions): Promise<WindowStats> {
  for (let k = 0; k < (options.warmup ?? 1); k++) await work();
  const w = new Windows(units, options);
  let t0 = now();
  await work();
  const perWindow = w.first(Math.max(now() - t0, 1e-7));
  while (w.more()) {
    t0 = now();
    for (let k = 0; k < perWindow; k++) await work();
    w.add(Math.max(now() - t0, 1e-7));
  }
  return w.stats();
}
