// The training worker: owns the WebAssembly kernels (compiled synchronously, which a worker may do), their
// thread pool (nested Web Workers on shared memory when the page is cross-origin isolated), the page's training
// run and an uploaded checkpoint. It answers the page's messages (protocol.ts) one at a time between minibatches.
import { Random } from '../../src/core/random.js';
import { runtimeInfo } from '../../src/kernels/runtime.js';
import { decodeCheckpoint, describeModel, generate, textToTokens, type Checkpoint } from '../../src/train/index.js';
import { recordActivations, SIGNALS } from './inspect.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Run } from './run.js';
import { answer, startRuntime } from './worker-common.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;
const post = (message: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

/** The most recent model the person chose: the page's own run, or a checkpoint they uploaded. */
let run: Run | null = null;
let loaded: (Checkpoint & { name: string }) | null = null;
let current: 'run' | 'loaded' = 'run';
const MAX_INSPECT_TOKENS = 1500;

function currentModel(): Pick<Checkpoint, 'model' | 'vocab' | 'text'> {
  if (current === 'loaded' && loaded !== null) return loaded;
  if (run !== null) return run;
  throw new Error('There is no model yet: press Start to train one, or load a checkpoint.');
}

async function train(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  if (run?.running) return;
  if (run === null || current === 'loaded') {
    post({ type: 'state', state: 'preparing', note: 'Preparing the text…' });
    run = new Run(message.settings);
    current = 'run';
    post({ type: 'run', description: run.description, vocabSize: run.vocab.size, trainTokens: run.trainTokens, validTokens: run.validTokens });
  }
  post({ type: 'state', state: 'training', note: 'Training' });
  const active = run;
  await active.play({
    progress: (p) => post({ type: 'progress', ...p, threads: runtimeInfo().threads }),
    point: (point) => post({ type: 'point', point }),
    sample: (text, step) => post({ type: 'sample', text, step }),
  });
  if (run === active && current === 'run') {
    post(active.trainer.finished ? { type: 'state', state: 'finished', note: 'Finished' } : { type: 'state', state: 'paused', note: 'Paused' });
  }
}

function load(bytes: ArrayBuffer, name: string): void {
  run?.pause();
  const ckpt = decodeCheckpoint(new Uint8Array(bytes), name);
  loaded = { ...ckpt, name };
  current = 'loaded';
  const steps = ckpt.training?.progress.step;
  const last = ckpt.training?.progress.history.at(-1);
  const detail = [
    `${ckpt.text.tokens} tokens, ${ckpt.vocab.size} in the vocabulary`,
    steps === undefined ? 'weights only' : `${steps.toLocaleString('en-US')} training steps`,
    last === undefined ? null : `last epoch perplexity ${last.perplexity.toFixed(2)}`,
  ].filter((s) => s !== null).join(' · ');
  post({ type: 'loaded', name, description: describeModel(ckpt.config), detail });
}

function handle(message: ToWorker): void | Promise<void> {
  switch (message.type) {
    case 'start':
      return train(message);
    case 'pause':
      return run?.pause();
    case 'sampling':
      if (run !== null) run.temperature = message.temperature;
      return;
    case 'download': {
      if (run === null) throw new Error('Nothing to download yet: press Start first.');
      const bytes = run.checkpoint();
      const c = run.config;
      return post({ type: 'checkpoint', bytes: bytes.buffer as ArrayBuffer, fileName: `${c.cell}-${c.hiddenSize}x${c.numLayers}-step${run.trainer.step}.lstm.safetensors` }, [bytes.buffer as ArrayBuffer]);
    }
    case 'load':
      return load(message.bytes, message.name);
    case 'generate': {
      const { model, vocab, text } = currentModel();
      const { prefix, length, strategy, temperature } = message;
      // Seed 0 is the CLI's default --seed, so a sampled text matches `lstm generate --strategy sample` too.
      return post({ type: 'generated', text: generate(model, vocab, text, prefix, { length, strategy, temperature, random: new Random(0) }) });
    }
    case 'inspect': {
      const { model, vocab, text } = currentModel();
      const tokens = textToTokens(message.text, { tokens: text.tokens, preprocess: 'none' }).slice(0, MAX_INSPECT_TOKENS);
      if (tokens.length === 0) throw new Error('Type some text to look at.');
      const rec = recordActivations(model, vocab.encode(tokens));
      const transfer = rec.layers.flatMap((layer) => Object.values(layer).map((a) => a.buffer as ArrayBuffer));
      return post({ type: 'activations', activations: { tokens, cell: rec.cell, hiddenSize: rec.hiddenSize, signals: [...SIGNALS[rec.cell]], layers: rec.layers } }, transfer);
    }
  }
}

const WHERE = { start: 'start', load: 'load', generate: 'generate', inspect: 'inspect', download: 'download' } as const;

scope.onmessage = (event) => {
  const message = event.data;
  const where = message.type in WHERE ? WHERE[message.type as keyof typeof WHERE] : 'train';
  const fail = (err: unknown): void => {
    post({ type: 'error', where, message: (err as Error).message ?? String(err) });
    if (message.type === 'start' && run !== null && current === 'run') post({ type: 'state', state: 'paused', note: 'Stopped' });
    else if (message.type === 'start') post({ type: 'state', state: 'idle', note: 'Ready' });
  };
  answer(message, handle, fail);
};

startRuntime(post, scope.crossOriginIsolated === true);
