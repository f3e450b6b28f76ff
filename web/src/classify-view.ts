// The classify view: the examples (the built-in first names, or an uploaded table whose label and text columns the
// person picks), tokens and model; while it trains, validation accuracy and macro F1 beside the majority class, a
// chart of accuracy and the confusion matrix, live; the test part's once the run ends. A box to type a sequence
// shows the class probabilities of the model training here, or of an uploaded checkpoint.
import { CLASSIFY_DEFAULTS } from '../../src/train/defaults.js';
import { byId, setText } from './dom.js';
import { formatPercent as percent } from './format.js';
import type { TaskClient } from './task-client.js';
import { AccuracyChart } from './task-charts.js';
import { readChoices } from './task-inputs.js';
import type { ClassifyChoice, ClassifyPicture, DataSummary, FromTaskWorker } from './task-protocol.js';
import { TaskPanel } from './task-view.js';

const TYPE_DELAY_MS = 120;
const TRY_HINT = 'Type a sequence to see the probability of each class.';

export class ClassifyView extends TaskPanel<ClassifyChoice> {
  private readonly label = byId<HTMLSelectElement>('cl-label');
  private readonly text = byId<HTMLSelectElement>('cl-text');
  private readonly accuracy = byId('cl-accuracy');
  private readonly f1 = byId('cl-f1');
  private readonly majority = byId('cl-majority');
  private readonly confusion = byId('cl-confusion');
  private readonly confusionInfo = byId('cl-confusion-info');
  private readonly input = byId<HTMLInputElement>('cl-input');
  private readonly bars = byId('cl-probabilities');
  private readonly tryInfo = byId('cl-try-info');
  private chart: AccuracyChart | null = null;
  private typing: ReturnType<typeof setTimeout> | undefined;

  constructor(client: TaskClient) {
    super('classify', 'cl', client, ['cl-label', 'cl-text', 'cl-tokens', 'cl-cell', 'cl-hidden', 'cl-bidirectional', 'cl-epochs', 'cl-lr'].map((id) => byId<HTMLInputElement>(id)));
    byId<HTMLInputElement>('cl-epochs').value = String(CLASSIFY_DEFAULTS.epochs);
    byId<HTMLInputElement>('cl-lr').value = String(CLASSIFY_DEFAULTS.lr);
    byId<HTMLSelectElement>('cl-hidden').value = String(CLASSIFY_DEFAULTS.hiddenSize);
    byId<HTMLInputElement>('cl-bidirectional').checked = CLASSIFY_DEFAULTS.bidirectional;
    for (const select of [this.label, this.text]) {
      select.addEventListener('change', () => this.send({ type: 'columns', view: 'classify', label: this.label.value, text: this.text.value }));
    }
    this.input.addEventListener('input', () => {
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.ask(), TYPE_DELAY_MS);
    });
  }

  protected override show(): void {
    this.chart ??= new AccuracyChart(byId('cl-chart'));
    super.show();
  }

  /** The probabilities of the typed text, from whatever model the view has now. */
  private ask(): void {
    if (this.input.value.trim() === '') {
      this.bars.replaceChildren();
      return setText(this.tryInfo, TRY_HINT);
    }
    this.send({ type: 'classify', text: this.input.value });
  }

  protected choice(): ClassifyChoice | string {
    const read = readChoices('cl', {});
    if (typeof read === 'string') return read;
    const tokens = byId<HTMLSelectElement>('cl-tokens').value as ClassifyChoice['tokens'];
    return { ...read, label: this.label.value, text: this.text.value, tokens, bidirectional: byId<HTMLInputElement>('cl-bidirectional').checked };
  }

  protected showData(summary: DataSummary): void {
    byId('cl-columns').hidden = summary.builtin;
    for (const [select, chosen] of [[this.label, summary.label], [this.text, summary.text]] as const) {
      select.replaceChildren(...summary.columns.map((c) => new Option(c, c)));
      select.value = chosen ?? '';
    }
    this.input.placeholder = summary.builtin ? 'Type a first name, e.g. Emma' : 'Type a text to classify';
  }

  protected clearData(): void {
    byId('cl-columns').hidden = true;
    for (const select of [this.label, this.text]) select.replaceChildren();
  }

  protected clearPictures(): void {
    this.chart?.clear();
    for (const metric of [this.accuracy, this.f1, this.majority]) metric.textContent = '—';
    this.confusion.replaceChildren();
    setText(this.confusionInfo, '\u00a0');
    this.bars.replaceChildren();
    setText(this.tryInfo, TRY_HINT);
  }

  protected receiveOwn(message: FromTaskWorker): void {
    switch (message.type) {
      case 'classes':
        this.picture(message.picture);
        // The typed text's probabilities follow the model as it learns.
        if (this.input.value.trim() !== '') this.ask();
        return;
      case 'loaded':
        return this.ask();
      case 'probabilities':
        return this.showProbabilities(message);
      case 'error':
        this.bars.replaceChildren();
        return setText(this.tryInfo, message.message, 'error');
    }
  }

  private picture(p: ClassifyPicture): void {
    this.chart?.add(p);
    this.accuracy.textContent = percent(p.accuracy);
    this.f1.textContent = p.macroF1.toFixed(3);
    this.majority.textContent = percent(p.majority.accuracy);
    this.majority.title = `Always '${p.majority.label}': macro F1 ${p.majority.macroF1.toFixed(3)}`;
    this.confusion.replaceChildren(confusionTable(p));
    const part = p.part === 'valid' ? 'validation' : 'test';
    setText(this.confusionInfo, `${p.note}: ${p.count.toLocaleString('en-US')} examples of the ${part} part. Rows: the true class; columns: the predicted one.`);
  }

  private showProbabilities(message: Extract<FromTaskWorker, { type: 'probabilities' }>): void {
    if (message.text !== this.input.value) return; // an answer to text since changed
    this.bars.replaceChildren(...message.probabilities.map(([label, p]) => {
      const li = document.createElement('li');
      li.classList.toggle('best', label === message.label);
      const bar = Object.assign(document.createElement('span'), { className: 'bar' });
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      const name = Object.assign(document.createElement('span'), { className: 'label', textContent: label });
      const value = Object.assign(document.createElement('span'), { className: 'value', textContent: percent(p) });
      li.append(name, Object.assign(document.createElement('span'), { className: 'track' }), value);
      li.querySelector('.track')!.append(bar);
      return li;
    }));
    setText(this.tryInfo, `'${message.label}', by ${message.model}.`);
  }

  protected usage(fileName: string): string {
    return `lstm predict --model ${fileName} --input "some text" labels texts, lstm eval --model ${fileName}${this.dataFlag()} measures it on the test part.`;
  }
}

/** The confusion matrix as a table; each cell shaded by its share of its row (the true class's examples). */
function confusionTable(p: ClassifyPicture): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'confusion';
  const head = table.createTHead().insertRow();
  head.append(Object.assign(document.createElement('th'), { textContent: 'true \\ predicted' }), ...p.labels.map((l) => Object.assign(document.createElement('th'), { textContent: l, scope: 'col' })));
  const body = table.createTBody();
  p.confusion.forEach((row, i) => {
    const tr = body.insertRow();
    tr.append(Object.assign(document.createElement('th'), { textContent: p.labels[i]!, scope: 'row' }));
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((n, j) => {
      const td = tr.insertCell();
      td.textContent = n.toLocaleString('en-US');
      const share = total === 0 ? 0 : n / total;
      td.style.background = `rgba(${i === j ? '61, 90, 254' : '249, 115, 22'}, ${(0.08 + 0.6 * share).toFixed(3)})`;
      td.title = `${n} of the ${total} '${p.labels[i]}' examples predicted '${p.labels[j]}' (${percent(share)})`;
    });
  });
  return table;
}
