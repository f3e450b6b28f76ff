// Small DOM helpers for the page: typed lookups by id that fail loudly when the markup and the code disagree,
// and number formatting shared by the panels.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no element #${id}`);
  return el as T;
}

export function setText(el: HTMLElement, text: string, kind: 'normal' | 'error' = 'normal'): void {
  el.textContent = text;
  el.classList.toggle('error', kind === 'error');
}

/** Perplexity with 3 significant digits and at most 2 decimals: 64.1, 12.3, 4.87. */
export function formatPerplexity(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '—';
  return p >= 100 ? p.toFixed(0) : p >= 10 ? p.toFixed(1) : p.toFixed(2);
}

/** 950, 12.3k, 1.25M. */
export function formatCount(n: number): string {
  if (n < 1000) return n.toFixed(0);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1)}k`;
  return `${(n / 1e6).toFixed(2)}M`;
}
