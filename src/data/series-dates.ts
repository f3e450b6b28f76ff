// Dates of a series: the ISO-like forms a CSV date column takes (2000-01-31, 2000/01/31, 2000-01,
// 2000-01-31 13:45[:07[.250]][Z|+02:00]), read as milliseconds since the epoch (UTC unless an offset is given);
// the step between rows (calendar months kept apart from fixed durations, since months differ in length);
// the season a step implies (7 for daily data, as R's ts frequency conventions), and dates past the end.

export type DateStep = { unit: 'month'; count: number } | { unit: 'ms'; count: number };

const DATE = /^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?)?$/;

/** Milliseconds since 1970-01-01T00:00Z, or null when the text is not a date of a form above (or not a real day). */
export function parseDate(text: string): number | null {
  const m = DATE.exec(text.trim());
  if (m === null) return null;
  const [year, month, day = 1, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) => (p === undefined ? undefined : Number(p)));
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const t = Date.UTC(year!, month! - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2001-02-30 over into March: a date that does not round-trip is not a real one.
  const check = new Date(t);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return t;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return t - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

const DAY = 86_400_000;

function monthsBetween(a: number, b: number): number | null {
  const x = new Date(a);
  const y = new Date(b);
  if (x.getUTCDate() !== y.getUTCDate() || a % DAY !== b % DAY) return null;
  return (y.getUTCFullYear() - x.getUTCFullYear()) * 12 + y.getUTCMonth() - x.getUTCMonth();
}

/**
 * The series' step: a whole number of calendar months when every gap is one (monthly, quarterly, yearly data),
 * else the median gap in milliseconds (robust to a few missing days). Null for fewer than two dates.
 */
export function dateStep(times: ArrayLike<number>): DateStep | null {
  if (times.length < 2) return null;
  const months: number[] = [];
  const gaps: number[] = [];
  for (let k = 1; k < times.length; k++) {
    gaps.push(times[k]! - times[k - 1]!);
    const n = monthsBetween(times[k - 1]!, times[k]!);
    if (n !== null && n > 0) months.push(n);
  }
  if (months.length === gaps.length && months.every((n) => n === months[0])) return { unit: 'month', count: months[0]! };
  gaps.sort((a, b) => a - b);
  return { unit: 'ms', count: gaps[Math.floor(gaps.length / 2)]! };
}

/**
 * The seasonal period a step implies, by the usual conventions (R's `frequency`, Hyndman & Athanasopoulos):
 * minutes 60 (an hour), hours 24, days 7, weeks 52, months 12, quarters 4. Undefined for any other step
 * (yearly data, 15 minutes, ...): then the season is looked for in the autocorrelation instead.
 */
export function seasonOfStep(step: DateStep): number | undefined {
  if (step.unit === 'month') return step.count === 1 ? 12 : step.count === 3 ? 4 : undefined;
  const byDuration: Record<number, number> = { 60_000: 60, 3_600_000: 24, [DAY]: 7, [7 * DAY]: 52 };
  return byDuration[step.count];
}

/** The `count` dates after `last`, one step apart, written in the same form as `last` (date only, month only, or ISO). */
export function futureDates(last: string, step: DateStep, count: number): string[] {
  const t = parseDate(last);
  if (t === null) throw new Error(`futureDates: '${last}' is not a date`);
  const form = /^\d{4}[-/]\d{1,2}$/.test(last.trim()) ? 'month' : /^\d{4}[-/]\d{1,2}[-/]\d{1,2}$/.test(last.trim()) ? 'day' : 'iso';
  const out: string[] = [];
  for (let k = 1; k <= count; k++) {
    let next: Date;
    if (step.unit === 'month') {
      const d = new Date(t);
      next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k * step.count, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
    } else next = new Date(t + k * step.count);
    const iso = next.toISOString();
    out.push(form === 'month' ? iso.slice(0, 7) : form === 'day' && (step.unit === 'month' || step.count % DAY === 0) ? iso.slice(0, 10) : iso);
  }
  return out;
}
