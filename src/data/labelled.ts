// Labelled text for sequence classification: (text, label) examples read from a table (CSV / TSV / JSON lines
// with a label column and a text column, by name), and the label set: the classes seen in training, in sorted
// order, serialisable so a checkpoint can map class indices back to names. No Node imports (labelled-folder.ts
// reads one folder per class from disk).

import { columnIndex, parseTable, rowName, type Table, type TableOptions } from './table.js';

export interface LabelledExample {
  text: string;
  label: string;
}

export interface LabelledOptions {
  /** The label column (default 'label'). */
  label?: string;
  /** The text column (default 'text'). */
  text?: string;
}

/** The examples of a table; an empty text or a missing label is a one-line error naming the row. */
export function labelledFromTable(table: Table, options: LabelledOptions = {}): LabelledExample[] {
  const labelIndex = columnIndex(table, options.label ?? 'label', 'label column');
  const textIndex = columnIndex(table, options.text ?? 'text', 'text column');
  return table.rows.map((row, r) => {
    const label = row[labelIndex];
    const text = row[textIndex];
    if (label === null || String(label).trim() === '') throw new Error(`${table.source} ${rowName(table, r)}: the label is missing`);
    if (text === null || String(text).trim() === '') throw new Error(`${table.source} ${rowName(table, r)}: the text is empty`);
    return { text: String(text), label: String(label).trim() };
  });
}

/** Parses CSV / TSV / JSON lines into labelled examples (parseTable, then labelledFromTable). */
export function parseLabelled(text: string, options: LabelledOptions & TableOptions = {}): LabelledExample[] {
  return labelledFromTable(parseTable(text, options), options);
}

export interface LabelSetJSON {
  format: 'lstm-ts/labels';
  version: 1;
  labels: string[];
}

// Labels that all read as numbers sort numerically (2 before 10); any others sort as strings by code unit.
function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => /^[+-]?\d+(\.\d+)?$/.test(l));
  return labels.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The classes, index k for the k-th label in sorted order. At least two: one class leaves nothing to classify. */
export class LabelSet {
  private readonly index: Map<string, number>;
  readonly labels: readonly string[];

  /** Builds the set from the training labels (duplicates fine); `source` names the data in the one-class error. */
  constructor(labels: Iterable<string>, source = 'the training data') {
    const distinct = sortLabels([...new Set(labels)]);
    if (distinct.length < 2) {
      throw new Error(`${source} has ${distinct.length === 0 ? 'no labels' : `only one class ('${distinct[0]}')`}: classification needs at least two`);
    }
    this.labels = distinct;
    this.index = new Map(distinct.map((label, k) => [label, k]));
  }

  get size(): number {
    return this.labels.length;
  }

  has(label: string): boolean {
    return this.index.has(label);
  }

  /** The class index of a label; a label never seen in training is a one-line error (at eval, say). */
  indexOf(label: string, where = 'data'): number {
    const k = this.index.get(label);
    if (k === undefined) throw new Error(`${where}: label '${label}' was never seen in training (known labels: ${this.labels.join(', ')})`);
    return k;
  }

  /** Class indices of many labels; `where(i)` names example i in the error for an unseen label. */
  encode(labels: readonly string[], where: (i: number) => string = (i) => `example ${i + 1}`): Int32Array {
    return Int32Array.from(labels, (label, i) => this.indexOf(label, where(i)));
  }

  labelAt(k: number): string {
    const label = Number.isInteger(k) ? this.labels[k] : undefined;
    if (label === undefined) throw new Error(`LabelSet.labelAt: class ${k} is out of range [0, ${this.size})`);
    return label;
  }

  toJSON(): LabelSetJSON {
    return { format: 'lstm-ts/labels', version: 1, labels: [...this.labels] };
  }

  /** Rebuilds a label set saved by toJSON, keeping every index; malformed input is a one-line error. */
  static fromJSON(json: unknown): LabelSet {
    const obj = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
    if (obj.format !== 'lstm-ts/labels') throw new Error(`LabelSet.fromJSON: expected format 'lstm-ts/labels', got ${JSON.stringify(obj.format)}`);
    if (obj.version !== 1) throw new Error(`LabelSet.fromJSON: unsupported version ${JSON.stringify(obj.version)} (expected 1)`);
    const labels = obj.labels;
    if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) throw new Error('LabelSet.fromJSON: "labels" must be an array of strings');
    if (new Set(labels).size !== labels.length) throw new Error('LabelSet.fromJSON: "labels" holds a duplicate');
    const set = new LabelSet(labels, 'LabelSet.fromJSON');
    if (set.labels.some((l, k) => l !== labels[k])) throw new Error('LabelSet.fromJSON: "labels" is not in sorted order');
    return set;
  }
}

/**
 * Class weights for an imbalanced set, scikit-learn's 'balanced' (as passed to PyTorch's cross-entropy):
 * w_c = n / (C · n_c), so every class carries the same total weight. A class with no example is an error.
 */
export function classWeights(classes: ArrayLike<number>, numClasses: number): Float64Array {
  const counts = classCounts(classes, numClasses);
  return Float64Array.from(counts, (n_c, c) => {
    if (n_c === 0) throw new Error(`classWeights: class ${c} has no example`);
    return classes.length / (numClasses * n_c);
  });
}

/** How many examples each class has. */
export function classCounts(classes: ArrayLike<number>, numClasses: number): Int32Array {
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new Error(`class ${c} of example ${i} is out of range [0, ${numClasses})`);
    counts[c]!++;
  }
  return counts;
}
