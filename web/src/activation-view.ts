// The "Inside the LSTM" panel: draws one unit's activation (a hidden or cell unit, or a gate i, f, o, c̃) as a
// colour behind each character of the person's text, and lists the units that respond most to a chosen class
// of characters. The worker records every signal once; switching layer, signal or unit only repaints here.
import { byId, setText } from './dom.js';
import type { Activations } from './protocol.js';
import { CHAR_CLASSES, rankUnits, signalRange } from './units.js';

const SIGNAL_LABELS: Record<string, string> = {
  h: 'h · hidden state', c: 'c · cell state', i: 'i · input gate', f: 'f · forget gate', o: 'o · output gate',
  a: 'c̃ · candidate cell', r: 'r · reset gate', z: 'z · update gate', n: 'n · candidate',
};
const SHORT: Record<string, string> = { a: 'c̃' };
const PLACEHOLDER = 'Train a model or load a checkpoint, then press “Show activations”.';
const MEANING: Record<string, string> = {
  i: 'How much of the candidate enters the cell (0: none, 1: all).',
  f: 'How much of the cell it keeps from the step before (0: forgets, 1: keeps).',
  o: 'How much of the cell shows in h.',
  a: 'The new content proposed for the cell.',
  c: 'The memory carried from step to step.',
  h: 'What the layer outputs and feeds back.',
  r: 'How much of h the candidate looks at.',
  z: 'How much of h it keeps (1: keeps all).',
  n: 'The new content proposed for h.',
};

// Diverging red–white–blue (ColorBrewer RdBu) for signed signals; gates use its white-to-blue half.
const STOPS: Array<[number, [number, number, number]]> = [
  [-1, [202, 0, 32]], [-0.5, [244, 165, 130]], [0, [255, 255, 255]], [0.5, [146, 197, 222]], [1, [5, 113, 176]],
];

function colour(v: number): string {
  const x = Math.max(-1, Math.min(1, v));
  for (let k = 1; k < STOPS.length; k++) {
    const [x1, c1] = STOPS[k]!;
    if (x <= x1) {
      const [x0, c0] = STOPS[k - 1]!;
      const t = (x - x0) / (x1 - x0);
      return `rgb(${c0.map((c, j) => Math.round(c + t * (c1[j]! - c))).join(',')})`;
    }
  }
  return 'rgb(5,113,176)';
}

export class ActivationView {
  private data: Activations | null = null;
  private readonly layer = byId<HTMLSelectElement>('layer');
  private readonly signal = byId<HTMLSelectElement>('signal');
  private readonly unit = byId<HTMLInputElement>('unit');
  private readonly unitRange = byId<HTMLInputElement>('unit-range');
  private readonly charClass = byId<HTMLSelectElement>('char-class');
  private readonly strip = byId('activations');
  private readonly info = byId('strip-info');
  private readonly list = byId('top-units');

  constructor() {
    for (const [key, c] of Object.entries(CHAR_CLASSES)) this.charClass.add(new Option(c.label, key));
    this.fillSignals(['h', 'c', 'i', 'f', 'o', 'a']);
    this.layer.add(new Option('1', '0'));
    this.layer.addEventListener('change', () => this.render());
    this.signal.addEventListener('change', () => this.render());
    this.charClass.addEventListener('change', () => this.render());
    this.unit.addEventListener('input', () => this.selectUnit(Number(this.unit.value)));
    this.unitRange.addEventListener('input', () => this.selectUnit(Number(this.unitRange.value)));
    // Phones have no hover: a tap on a character shows its value in the line below the strip.
    this.strip.addEventListener('click', (event) => {
      const t = (event.target as HTMLElement).dataset?.t;
      if (t !== undefined && this.data !== null) this.describeToken(Number(t));
    });
  }

  private describeToken(t: number): void {
    const data = this.data!;
    const signal = this.signal.value;
    const unit = Number(this.unit.value);
    const v = data.layers[Number(this.layer.value)]![signal]![t * data.hiddenSize + unit]!;
    setText(this.info, `Character ${t + 1}, ${JSON.stringify(data.tokens[t])}: ${SHORT[signal] ?? signal}[${unit}] = ${v.toFixed(3)}`);
  }

  private fillSignals(signals: readonly string[]): void {
    const keep = this.signal.value;
    this.signal.replaceChildren(...signals.map((s) => new Option(SIGNAL_LABELS[s] ?? s, s)));
    this.signal.value = signals.includes(keep) ? keep : signals.includes('c') ? 'c' : signals[0]!;
  }

  show(data: Activations): void {
    this.data = data;
    byId('cell-name').textContent = data.cell.toUpperCase();
    this.fillSignals(data.signals);
    const layer = Math.min(Number(this.layer.value) || 0, data.layers.length - 1);
    // Appended one by one: spreading an uploaded model's layers (any number of them) into one call can overflow the stack.
    this.layer.replaceChildren();
    data.layers.forEach((_, l) => this.layer.append(new Option(String(l + 1), String(l))));
    this.layer.value = String(layer);
    for (const el of [this.unit, this.unitRange]) el.max = String(data.hiddenSize - 1);
    this.selectUnit(Math.min(Number(this.unit.value) || 0, data.hiddenSize - 1));
  }

  showError(message: string): void {
    this.clear();
    setText(this.info, message, 'error');
  }

  /** Back to the empty view (after Reset, or when another model replaces the one shown). */
  clear(): void {
    this.data = null;
    byId('cell-name').textContent = 'LSTM';
    const placeholder = Object.assign(document.createElement('span'), { className: 'placeholder', textContent: PLACEHOLDER });
    this.strip.replaceChildren(placeholder);
    this.list.replaceChildren();
    setText(this.info, '\u00a0');
  }

  private selectUnit(unit: number): void {
    const max = this.data === null ? 0 : this.data.hiddenSize - 1;
    const u = Math.max(0, Math.min(max, Number.isFinite(unit) ? Math.floor(unit) : 0));
    this.unit.value = this.unitRange.value = String(u);
    this.render();
  }

  private render(): void {
    const data = this.data;
    if (data === null) return;
    const H = data.hiddenSize;
    const signal = this.signal.value;
    const values = data.layers[Number(this.layer.value)]![signal]!;
    const unit = Number(this.unit.value);
    const [lo, hi] = signalRange(signal, values, H, unit);
    const gate = lo === 0;
    byId('legend-min').textContent = lo.toFixed(gate || hi === 1 ? 0 : 2);
    byId('legend-max').textContent = hi.toFixed(gate || hi === 1 ? 0 : 2);
    this.strip.previousElementSibling?.classList.toggle('gate', gate);

    const frag = document.createDocumentFragment();
    data.tokens.forEach((token, t) => {
      const v = values[t * H + unit]!;
      const span = document.createElement('span');
      span.className = 't';
      // Gates map [0, 1] onto white..blue; signed signals map [lo, hi] onto red..white..blue.
      const x = gate ? v : (2 * (v - lo)) / (hi - lo) - 1;
      span.style.background = colour(x);
      if (Math.abs(x) > 0.65) span.classList.add('dark'); // white letters stay readable on the deep ends
      span.dataset.t = String(t);
      span.title = `${JSON.stringify(token)}  ${SHORT[signal] ?? signal}[${unit}] = ${v.toFixed(3)}`;
      if (token === '\n') {
        span.textContent = '↵';
        span.classList.add('nl');
        frag.append(span, '\n');
      } else frag.append(Object.assign(span, { textContent: token }));
    });
    this.strip.replaceChildren(frag);
    const layerNote = data.layers.length > 1 ? `layer ${Number(this.layer.value) + 1}, ` : '';
    const what = `${layerNote}${SIGNAL_LABELS[signal] ?? signal}, unit ${unit} of ${H}, over ${data.tokens.length} tokens`;
    setText(this.info, `${what}. ${MEANING[signal] ?? ''} Point at a character for its value.`);
    this.renderTopUnits(values, H, unit);
  }

  private renderTopUnits(values: Float32Array, H: number, unit: number): void {
    const cls = CHAR_CLASSES[this.charClass.value]!;
    const mask = this.data!.tokens.map((t) => cls.test(t));
    const ranked = rankUnits(values, H, mask);
    if (ranked.length === 0) {
      const li = document.createElement('li');
      li.className = 'placeholder';
      li.textContent = mask.some(Boolean) ? 'Every token is of this class: type some other characters too.' : 'The text has no character of this class.';
      this.list.replaceChildren(li);
      return;
    }
    this.list.replaceChildren(...ranked.map((r) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.classList.toggle('active', r.unit === unit);
      button.title = `mean ${r.meanIn.toFixed(3)} on the class, ${r.meanOut.toFixed(3)} elsewhere`;
      const name = document.createElement('span');
      name.textContent = `unit ${r.unit}`;
      const score = document.createElement('span');
      score.className = `score ${r.score >= 0 ? 'pos' : 'neg'}`;
      score.textContent = `${r.score >= 0 ? '+' : '−'}${Math.abs(r.score).toFixed(2)} σ`;
      button.append(name, score);
      button.addEventListener('click', () => this.selectUnit(r.unit));
      li.append(button);
      return li;
    }));
  }
}
