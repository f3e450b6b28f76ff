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

/**
 * Times `work()` (which does `units` units of work per call, e.g. tokens) and returns units per second.
 * The first timed call sizes the windows so that `windows` of them fill about `seconds`.
 */
export function timeWindows(work: () => void, units: number, options: WindowOptions): WindowStats {
  const { seconds, warmup = 1, windows = 5, minWindows = 3 } = options;
  for (let k = 0; k < warmup; k++) work();
  let t0 = now();
  work();
  const first = Math.max(now() - t0, 1e-7);
  const perWindow = Math.max(1, Math.round(seconds / windows / first));
  const rates: number[] = [units / first];
  let calls = 1;
  let spent = first;
  while (rates.length < minWindows + 1 || spent < seconds) {
    t0 = now();
    for (let k = 0; k < perWindow; k++) work();
    const dt = Math.max(now() - t0, 1e-7);
    rates.push((units * perWindow) / dt);
    calls += perWindow;
    spent += dt;
  }
  // The sizing call counts as a window only when windows are single calls anyway (large models).
  const kept = perWindow === 1 ? rates : rates.slice(1);
  return { best: Math.max(...kept), median: median(kept), windows: kept.length, calls, seconds: spent };
}
