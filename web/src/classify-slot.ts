// The classify view inside the task worker: its examples (the built-in first names, or an uploaded CSV / TSV / JSON
// lines table with a label and a text column, read by the library's parsers: an empty text, a missing label or one
// class only is one line naming the row), a run of the library's trainClassifier, the picture the page draws (one
// part's accuracy, macro F1 and confusion matrix beside the majority class: classifyReport) and the class
// probabilities of a typed text (classifyTexts), from the run's model or an uploaded checkpoint's.
import { namesExamples, NAMES_NAME } from '../../src/data/labelled-names.js';
import { LabelSet, labelledFromTable, type LabelledExample } from '../../src/data/labelled.js';
import { parseTable, type Table } from '../../src/data/table.js';
import {
  CLASSIFY_LOADER, classifyDataFor, classifyReport, classifyTexts, describeTaskModel, trainClassifier,
  type ClassifyPrepared, type ClassifyTask, type TaskRunStart,
} from '../../src/train/index.js';
import type { ClassifyChoice, DataChoice } from './task-protocol.js';
import { TaskSession } from './task-session.js';
import { TaskSlot, type Post } from './task-slot.js';

interface ChosenExamples {
  source: string;
  /** The uploaded table (null for the built-in set) and the columns its examples were read from. */
  table: Table | null;
  columns: { label: string; text: string } | null;
  examples: LabelledExample[];
}

const count = (n: number): string => n.toLocaleString('en-US');

/** "8,003 examples, 2 classes: female 4,525, male 3,478". */
function describeExamples(examples: readonly LabelledExample[], source: string): string {
  const byLabel = new Map<string, number>();
  for (const e of examples) byLabel.set(e.label, (byLabel.get(e.label) ?? 0) + 1);
  const labels = new LabelSet(byLabel.keys(), source); // one class only is the library's one-line error
  const shown = labels.labels.slice(0, 8).map((l) => `${l} ${count(byLabel.get(l)!)}`).join(', ');
  return `${count(examples.length)} examples, ${labels.size} classes: ${shown}${labels.size > 8 ? ', …' : ''}`;
}

/**
 * The label and text columns to suggest: the ones named so, else the column with the fewest distinct values (two
 * or more) as the label and the one with the longest cells on average as the text. The person can pick others.
 */
function suggestColumns(table: Table): { label: string; text: string } {
  const { columns, rows } = table;
  const stat = columns.map((_, k) => {
    const cells = rows.map((row) => String(row[k] ?? ''));
    return { distinct: new Set(cells).size, length: cells.reduce((n, c) => n + c.length, 0) / Math.max(1, cells.length) };
  });
  const best = (score: (k: number) => number, not?: number): number =>
    columns.reduce((b, _, k) => (k !== not && (b < 0 || score(k) > score(b)) ? k : b), -1);
  const label = columns.includes('label') ? columns.indexOf('label') : best((k) => (stat[k]!.distinct >= 2 ? -stat[k]!.distinct : -Infinity));
  const text = columns.includes('text') ? columns.indexOf('text') : best((k) => stat[k]!.length, label);
  return { label: columns[label]!, text: columns[text === -1 ? label : text]! };
}

export class ClassifySlot extends TaskSlot<ClassifyTask, ClassifyPrepared, ClassifyChoice> {
  private chosen: ChosenExamples | null = null;

  constructor(post: Post) {
    super('classify', post, CLASSIFY_LOADER);
  }

  async data(choice: DataChoice): Promise<void> {
    this.chosen = null;
    if (choice.kind === 'builtin') {
      const { female, male } = await import('virtual:builtin-names');
      const examples = namesExamples(female, male);
      this.chosen = { source: NAMES_NAME, table: null, columns: null, examples };
      const description = describeExamples(examples, NAMES_NAME);
      return this.post({ type: 'data', summary: { view: 'classify', source: NAMES_NAME, builtin: true, description, columns: [] } });
    }
    const table = parseTable(choice.text, { source: choice.name });
    const { label, text } = suggestColumns(table);
    // The columns first, so the person can pick others when the suggested ones do not read.
    this.post({ type: 'data', summary: { view: 'classify', source: table.source, builtin: false, description: `${count(table.rows.length)} rows`, columns: table.columns, label, text } });
    this.chosen = { source: table.source, table, columns: null, examples: [] };
    this.columns(label, text);
  }

  /** Reads the uploaded table's examples from these columns. */
  columns(label: string, text: string): void {
    const chosen = this.chosen;
    if (chosen?.table == null) return;
    chosen.columns = null;
    chosen.examples = [];
    const examples = labelledFromTable(chosen.table, { label, text });
    const description = describeExamples(examples, chosen.source);
    Object.assign(chosen, { columns: { label, text }, examples });
    this.post({ type: 'data', summary: { view: 'classify', source: chosen.source, builtin: false, description, columns: chosen.table.columns, label, text } });
  }

  private examples(): ChosenExamples {
    const chosen = this.chosen;
    if (chosen === null || chosen.examples.length === 0) throw new Error('Choose examples that read first: the data above says what is wrong with these.');
    return chosen;
  }

  protected newSession(choice: ClassifyChoice): TaskSession<ClassifyTask, ClassifyPrepared> {
    const { examples, source, columns } = this.examples();
    return new TaskSession(
      (controls) => trainClassifier(examples, {
        source, labelColumn: columns?.label ?? null, textColumn: columns?.text ?? null, tokens: choice.tokens,
        model: { cell: choice.cell, hiddenSize: choice.hiddenSize, bidirectional: choice.bidirectional }, training: { epochs: choice.epochs, lr: choice.lr }, controls,
      }),
      (data) => ({ train: data.train, valid: data.valid.classes.length > 0 ? data.valid : null }),
    );
  }

  protected describe({ task, data, trainCount, validCount }: TaskRunStart<ClassifyTask, ClassifyPrepared>): string {
    const { settings, vocab, labels } = task.info;
    const cut = data.truncated > 0 ? `, ${count(data.truncated)} longer than ${settings.maxLength} tokens cut` : '';
    return `${count(data.examples.length)} examples, ${labels.size} classes; ${count(trainCount)} train, ${count(validCount)} validation, ` +
      `${count(data.test.classes.length)} test (stratified); ${settings.tokens} tokens, vocabulary ${count(vocab.size)}${cut}. ${describeTaskModel(task.info.config)}`;
  }

  protected draw(task: ClassifyTask, data: ClassifyPrepared, want: 'valid' | 'test', note: string, progress: number | null): void {
    const part = data[want].classes.length > 0 ? want : 'valid';
    const report = classifyReport(task, data[part], part);
    const { labels, count: n, accuracy, macroF1, confusion, majority } = report;
    this.post({ type: 'classes', picture: { part, note, progress, labels: [...labels], count: n, accuracy, macroF1, confusion, majority } });
  }

  /** The checkpoint on the test part of the chosen examples, split as its own run split (classifyDataFor). */
  protected drawLoaded(task: ClassifyTask, name: string): void {
    this.draw(task, classifyDataFor(task, this.examples().examples), 'test', name, null);
  }

  /** The class probabilities of one text, in the labels' order. */
  classify(text: string): void {
    const task = this.currentTask();
    const [result] = classifyTexts(task, [text], () => 'the text');
    const model = this.current === 'loaded' && this.loaded !== null ? this.loaded.name : 'the model training here';
    const probabilities = task.info.labels.labels.map((l): [string, number] => [l, result!.probabilities[l]!]);
    this.post({ type: 'probabilities', text, label: result!.label, probabilities, model });
  }
}
