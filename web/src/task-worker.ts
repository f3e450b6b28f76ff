// The task worker: trains the forecast and classify views' models, on its own WebAssembly kernels and thread pool,
// so the language model's worker (worker.ts) and its run are untouched by them. It holds one slot per view and
// answers the page's messages (task-protocol.ts) one at a time, between minibatches of whatever run is training.
import { ClassifySlot } from './classify-slot.js';
import { ForecastSlot } from './forecast-slot.js';
import type { FromTaskWorker, ToTaskWorker } from './task-protocol.js';
import { answer, startRuntime } from './worker-common.js';

interface WorkerScope {
  postMessage(message: FromTaskWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToTaskWorker>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;
const post = (message: FromTaskWorker, transfer: Transferable[] = []): void => scope.postMessage(message, transfer);

const slots = { forecast: new ForecastSlot(post), classify: new ClassifySlot(post) };

function handle(message: ToTaskWorker): void | Promise<void> {
  switch (message.type) {
    case 'data':
      return slots[message.view].data(message.data);
    case 'columns':
      return slots.classify.columns(message.label, message.text);
    case 'start':
      // Each slot posts its own errors and states while a run trains.
      return message.view === 'forecast' ? slots.forecast.start(message.choice) : slots.classify.start(message.choice);
    case 'pause':
      return slots[message.view].pause();
    case 'reset':
      return slots[message.view].reset();
    case 'download':
      return slots[message.view].download();
    case 'load':
      return slots[message.view].load(message.bytes, message.name);
    case 'classify':
      return slots.classify.classify(message.text);
  }
}

const WHERE = { data: 'data', columns: 'data', load: 'load', download: 'download', classify: 'classify' } as const;

scope.onmessage = (event) => {
  const message = event.data;
  const view = message.type === 'classify' ? 'classify' : message.view;
  const where = message.type in WHERE ? WHERE[message.type as keyof typeof WHERE] : 'train';
  answer(message, handle, (err) => post({ type: 'error', view, where, message: (err as Error).message ?? String(err) }));
};

startRuntime(post, scope.crossOriginIsolated === true);
