// Small data for the forecast and classify tests: a dated series (a sine of period 10.3 days over a weekly swing, with
// a seeded noise) as CSV text, and labelled strings (a name-like word whose last letter decides its class), so a tiny
// model learns something in a few epochs and every number is reproducible.
import { Random } from '../../src/core/random.js';
import type { LabelledExample } from '../../src/data/labelled.js';

/** `rows` days from 2020-01-01: date, value (the target), temp (a covariate). */
export function seriesCsv(rows = 160, seed = 1): string {
  const random = new Random(seed);
  const lines = ['date,value,temp'];
  for (let t = 0; t < rows; t++) {
    const date = new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10);
    const value = 100 + 10 * Math.sin((2 * Math.PI * t) / 10.3) + 4 * Math.sin((2 * Math.PI * t) / 7) + random.normal();
    const temp = 15 + 5 * Math.sin((2 * Math.PI * t) / 30) + random.normal();
    lines.push(`${date},${value.toFixed(3)},${temp.toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Words of 3-8 letters; class 'a-i' when the last letter is one of a..i, else 'k-u' (about half each). */
export function labelledWords(count = 240, seed = 2): LabelledExample[] {
  const random = new Random(seed);
  const letters = 'abcdefghiklmnoprstu';
  return Array.from({ length: count }, () => {
    const length = 3 + random.int(6);
    const text = Array.from({ length }, () => letters[random.int(letters.length)]!).join('');
    return { text, label: /[a-i]$/.test(text) ? 'a-i' : 'k-u' };
  });
}

export function labelledCsv(examples: readonly LabelledExample[]): string {
  return `label,text\n${examples.map((e) => `${e.label},${e.text}`).join('\n')}\n`;
}
