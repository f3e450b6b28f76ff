// Which units respond to a class of characters: for each unit, how far its mean activation on the class's
// characters stands from its mean on the others, in units of the pooled standard deviation (Cohen's d).
// Pure functions over a recording, shared by the page and the tests.

export interface CharClass {
  label: string;
  test: (token: string) => boolean;
}

export const CHAR_CLASSES: Readonly<Record<string, CharClass>> = {
  quotes: { label: 'quotes  " \' “ ” ‘ ’', test: (t) => /^["'“”‘’]$/u.test(t) },
  spaces: { label: 'spaces', test: (t) => t === ' ' },
  lineEnds: { label: 'line ends', test: (t) => t === '\n' },
  punctuation: { label: 'punctuation  . , ; : ! ? -', test: (t) => /^[.,;:!?\-—]$/u.test(t) },
  capitals: { label: 'capital letters', test: (t) => /^\p{Lu}$/u.test(t) },
  vowels: { label: 'vowels', test: (t) => /^[aeiouAEIOU]$/.test(t) },
};

export interface UnitScore {
  unit: number;
  /** (mean on the class − mean elsewhere) / pooled standard deviation. */
  score: number;
  meanIn: number;
  meanOut: number;
}

/**
 * Ranks the units of one signal (values [t·H + unit]) by |score| for the tokens where `inClass` holds.
 * Returns [] when the text has no token of the class, or only such tokens.
 */
export function rankUnits(values: Float32Array, hiddenSize: number, inClass: readonly boolean[], top = 8): UnitScore[] {
  const T = inClass.length;
  const nIn = inClass.filter(Boolean).length;
  const nOut = T - nIn;
  if (nIn === 0 || nOut === 0) return [];
  const scores: UnitScore[] = [];
  for (let u = 0; u < hiddenSize; u++) {
    let sumIn = 0, sumOut = 0, sqIn = 0, sqOut = 0;
    for (let t = 0; t < T; t++) {
      const v = values[t * hiddenSize + u]!;
      if (inClass[t]) { sumIn += v; sqIn += v * v; } else { sumOut += v; sqOut += v * v; }
    }
    const meanIn = sumIn / nIn, meanOut = sumOut / nOut;
    const pooledVar = (sqIn - nIn * meanIn * meanIn + sqOut - nOut * meanOut * meanOut) / Math.max(1, T - 2);
    const score = (meanIn - meanOut) / Math.sqrt(Math.max(pooledVar, 0) + 1e-6);
    scores.push({ unit: u, score, meanIn, meanOut });
  }
  return scores.sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || a.unit - b.unit).slice(0, top);
}

/** The range a signal's colour scale spans: gates live in [0, 1], h and the candidates in [−1, 1], c is unbounded. */
export function signalRange(signal: string, values: Float32Array, hiddenSize: number, unit: number): [number, number] {
  if (['i', 'f', 'o', 'r', 'z'].includes(signal)) return [0, 1];
  if (signal !== 'c') return [-1, 1];
  let max = 1e-6;
  for (let t = unit; t < values.length; t += hiddenSize) max = Math.max(max, Math.abs(values[t]!));
  return [-max, max];
}
