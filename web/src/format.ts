// Numbers as the forecast and classify views show them, without the DOM, so the tests can format the CLI's
// numbers the same way and compare them with the page's.

/** A forecast metric in the data's units: enough digits to compare, no more (1,468 · 46.5 · 3.15 · 0.997). */
export function formatMetric(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const digits = Math.abs(x) >= 1000 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A share as a percentage with one decimal: 0.8125 -> "81.3%". */
export const formatPercent = (x: number): string => `${(100 * x).toFixed(1)}%`;
