// The page's main thread: wires the language model's controls in index.html to its training worker and draws what
// it reports, then starts the forecast and classify views (tasks.ts).
// Reset throws the worker away and starts a new one, which frees the WebAssembly memory, the thread pool and
// the model at once. Nothing heavy runs here, so the page stays responsive while the worker trains.
import './style.css';
import { ActivationView } from './activation-view.js';
import { PerplexityChart } from './chart.js';
import { CorpusPicker } from './corpus.js';
import { byId, formatCount, formatPerplexity, setText } from './dom.js';
import { readCheckpointFile } from './files.js';
import type { FromWorker, RunSettings, RunState, Strategy, ToWorker } from './protocol.js';
import { startTaskViews } from './tasks.js';

const DEFAULT_INSPECT_TEXT = `"Call me Ishmael," he said. "Some years ago, never mind how long precisely,
having little or no money in my purse, I thought I would sail about a little."
And the sea answered: "Nothing."`;

const el = {
  runtime: byId('runtime'), runtimeText: byId('runtime-text'),
  cell: byId<HTMLSelectElement>('cell'), hidden: byId<HTMLSelectElement>('hidden'), layers: byId<HTMLSelectElement>('layers'),
  optimizer: byId<HTMLSelectElement>('optimizer'), lr: byId<HTMLInputElement>('lr'),
  train: byId<HTMLButtonElement>('train'), reset: byId<HTMLButtonElement>('reset'), download: byId<HTMLButtonElement>('download'),
  runInfo: byId('run-info'), state: byId('state'),
  ppl: byId('ppl'), valPpl: byId('val-ppl'), tps: byId('tps'), steps: byId('steps'),
  temperature: byId<HTMLInputElement>('temperature'), temperatureValue: byId('temperature-value'), sample: byId('sample'),
  checkpoint: byId<HTMLInputElement>('checkpoint'), modelInfo: byId('model-info'),
  prefix: byId<HTMLInputElement>('prefix'), length: byId<HTMLInputElement>('length'), strategy: byId<HTMLSelectElement>('strategy'),
  generate: byId<HTMLButtonElement>('generate'), generated: byId('generated'),
  inspectText: byId<HTMLTextAreaElement>('inspect-text'), inspect: byId<HTMLButtonElement>('inspect'),
};
const RUN_HINT = el.runInfo.textContent ?? '';
const MODEL_HINT = el.modelInfo.textContent ?? '';

const corpus = new CorpusPicker();
const chart = new PerplexityChart(byId('chart'));
const view = new ActivationView();
el.inspectText.value = DEFAULT_INSPECT_TEXT;

let worker: Worker;
let state: RunState = 'idle';
/** A run exists in the worker (its settings are then fixed until Reset). */
let hasRun = false;
/** An uploaded checkpoint is what Generate and the activation view use. */
let checkpointLoaded = false;
/** What the worker found: WebAssembly SIMD, cross-origin isolation, and how many threads are up. */
let runtime: Extract<FromWorker, { type: 'ready' }> | null = null;

function send(message: ToWorker, transfer: Transferable[] = []): void {
  worker.postMessage(message, transfer);
}

function spawn(): void {
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'lstm-ts training' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => receive(event.data);
  worker.onerror = (event) => setText(el.runInfo, `The training worker failed: ${event.message}`, 'error');
}

function showRuntime(text: string, kind: 'ok' | 'warn' | ''): void {
  el.runtimeText.textContent = text;
  el.runtime.className = `runtime ${kind}`;
}

function describeRuntime(): void {
  if (runtime === null) return;
  const { isolated, simd, sharedMemory, threads } = runtime;
  if (!simd) return showRuntime('Plain TypeScript kernels (this browser has no WebAssembly SIMD) · 1 thread', 'warn');
  if (!isolated || !sharedMemory) {
    return showRuntime('WebAssembly SIMD · 1 thread: the page is not cross-origin isolated, so no SharedArrayBuffer for threads', 'warn');
  }
  showRuntime(`WebAssembly SIMD · ${threads} thread${threads > 1 ? 's' : ''} · cross-origin isolated`, threads > 1 ? 'ok' : '');
}

function setState(next: RunState, note?: string): void {
  state = next;
  el.state.textContent = note ?? next;
  el.state.className = `state ${next}`;
  if (next === 'idle') hasRun = false;
  const busy = next === 'training' || next === 'preparing';
  el.train.textContent = busy ? 'Pause' : checkpointLoaded ? 'Start new run' : !hasRun ? 'Start' : next === 'finished' ? 'Finished' : 'Resume';
  el.train.disabled = next === 'finished' && !checkpointLoaded;
  el.download.disabled = !hasRun || checkpointLoaded;
  const locked = hasRun && !checkpointLoaded;
  for (const input of [el.cell, el.hidden, el.layers, el.optimizer, el.lr]) input.disabled = locked;
  corpus.disabled = locked;
}

function settings(): RunSettings | string {
  const chosen = corpus.current();
  if (typeof chosen === 'string') return chosen;
  const lr = Number(el.lr.value);
  if (!(Number.isFinite(lr) && lr > 0)) return 'The learning rate must be a number above 0.';
  return {
    corpusName: chosen.name, text: chosen.text, cell: el.cell.value as RunSettings['cell'], hiddenSize: Number(el.hidden.value),
    numLayers: Number(el.layers.value), lr, optimizer: el.optimizer.value as RunSettings['optimizer'],
  };
}

function clearRun(): void {
  chart.clear();
  view.clear();
  for (const metric of [el.ppl, el.valPpl, el.tps, el.steps]) metric.textContent = '—';
  el.sample.innerHTML = '<span class="placeholder">The first sample appears a few seconds after training starts.</span>';
}

el.train.addEventListener('click', () => {
  if (state === 'training' || state === 'preparing') return send({ type: 'pause' });
  const chosen = settings();
  if (typeof chosen === 'string') return setText(el.runInfo, chosen, 'error');
  if (!hasRun || checkpointLoaded) {
    clearRun();
    hasRun = true;
    checkpointLoaded = false;
    setText(el.modelInfo, MODEL_HINT);
    setText(el.runInfo, `Training on ${chosen.corpusName}…`);
  }
  setState('preparing', 'starting');
  send({ type: 'start', settings: chosen });
  send({ type: 'sampling', temperature: Number(el.temperature.value) }); // a new run starts at the slider's value
});

el.reset.addEventListener('click', () => {
  worker.terminate();
  hasRun = checkpointLoaded = false;
  clearRun();
  el.sample.innerHTML = '<span class="placeholder">Press Start: a fresh sample appears here every few seconds.</span>';
  el.checkpoint.value = '';
  setText(el.modelInfo, MODEL_HINT);
  setText(el.runInfo, RUN_HINT);
  el.generated.textContent = '';
  setState('idle');
  runtime = null;
  showRuntime('Restarting WebAssembly…', '');
  spawn();
});

el.download.addEventListener('click', () => send({ type: 'download' }));

el.optimizer.addEventListener('change', () => {
  // The CLI's defaults differ by two orders of magnitude: Adam wants small steps, d2l's plain SGD uses 1.
  el.lr.value = el.optimizer.value === 'sgd' ? '1' : '0.005';
});

el.temperature.addEventListener('input', () => {
  const t = Number(el.temperature.value);
  el.temperatureValue.textContent = t.toFixed(2);
  send({ type: 'sampling', temperature: t });
});

el.checkpoint.addEventListener('change', async () => {
  const file = el.checkpoint.files?.[0];
  if (file === undefined) return;
  // The size is known before a byte is read: a file larger than a page may hold is refused unread. The worker's
  // decodeCheckpoint then runs every check the CLI's loader runs (header, config, memory, dtypes, NaN and bounds).
  setText(el.modelInfo, `Reading ${file.name}…`);
  try {
    const bytes = await readCheckpointFile(file);
    send({ type: 'load', bytes, name: file.name }, [bytes]);
  } catch (err) {
    setText(el.modelInfo, (err as Error).message, 'error');
  }
});

el.generate.addEventListener('click', () => {
  const length = Math.floor(Number(el.length.value));
  if (!(length >= 1 && length <= 2000)) return setText(el.generated, 'Length must be between 1 and 2000.', 'error');
  setText(el.generated, 'Generating…');
  send({ type: 'generate', prefix: el.prefix.value, length, strategy: el.strategy.value as Strategy, temperature: Number(el.temperature.value) });
});

el.inspect.addEventListener('click', () => send({ type: 'inspect', text: el.inspectText.value }));

function receive(message: FromWorker): void {
  switch (message.type) {
    case 'ready':
      runtime = message;
      return describeRuntime();
    case 'threads':
      if (runtime !== null) runtime.threads = message.threads;
      return describeRuntime();
    case 'state':
      return setState(message.state, message.note.toLowerCase());
    case 'run':
      return setText(el.runInfo, `${message.description}. ${formatCount(message.trainTokens)} characters to train on; validation scores ${formatCount(message.validTokens)} held-out ones.`);
    case 'progress':
      el.tps.textContent = formatCount(message.tokensPerSec);
      el.steps.textContent = `${message.step.toLocaleString('en-US')} · ep ${message.epoch}`;
      return;
    case 'point':
      el.ppl.textContent = formatPerplexity(message.point.train);
      el.valPpl.textContent = formatPerplexity(message.point.valid);
      return chart.add(message.point);
    case 'sample':
      return setText(el.sample, message.text);
    case 'checkpoint': {
      const url = URL.createObjectURL(new Blob([message.bytes], { type: 'application/octet-stream' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: message.fileName });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return setText(el.runInfo, `Saved ${message.fileName}: use it with lstm generate --model ${message.fileName}`);
    }
    case 'loaded':
      checkpointLoaded = true;
      view.clear();
      setState(state === 'training' ? 'paused' : state, state === 'training' ? 'paused' : undefined);
      return setText(el.modelInfo, `Generating from ${message.name}: ${message.description}. ${message.detail}.`);
    case 'generated':
      return setText(el.generated, message.text);
    case 'activations':
      return view.show(message.activations);
    case 'error':
      if (message.where === 'generate') return setText(el.generated, message.message, 'error');
      if (message.where === 'inspect') return view.showError(message.message);
      if (message.where === 'load') return setText(el.modelInfo, message.message, 'error');
      return setText(el.runInfo, message.message, 'error');
  }
}

// Switching to another task pauses this one's run (the task switch: tabs.ts).
byId('language-model-view').addEventListener('taskhide', () => void ((state === 'training' || state === 'preparing') && send({ type: 'pause' })));

spawn();
setState('idle');
startTaskViews();
