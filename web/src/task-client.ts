// The page's side of the task worker: started on first use (a page that only trains a language model never pays
// for it), its messages handed to the view they name. One worker serves both views; each keeps its own run there.
import type { FromTaskWorker, TaskView, ToTaskWorker } from './task-protocol.js';

type Handler = (message: FromTaskWorker) => void;

/** The view a message is for: pictures and probabilities name theirs by their type. */
function viewOf(message: FromTaskWorker): TaskView | null {
  switch (message.type) {
    case 'ready':
    case 'threads':
      return null; // the header's runtime line already says what the kernels run on
    case 'forecast':
      return 'forecast';
    case 'classes':
    case 'probabilities':
      return 'classify';
    case 'data':
      return message.summary.view;
    default:
      return message.view;
  }
}

export class TaskClient {
  private worker: Worker | null = null;
  private readonly handlers = new Map<TaskView, Handler>();

  on(view: TaskView, handler: Handler): void {
    this.handlers.set(view, handler);
  }

  send(message: ToTaskWorker, transfer: Transferable[] = []): void {
    this.worker ??= this.spawn();
    this.worker.postMessage(message, transfer);
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./task-worker.ts', import.meta.url), { type: 'module', name: 'lstm-ts tasks' });
    worker.onmessage = (event: MessageEvent<FromTaskWorker>) => {
      const view = viewOf(event.data);
      if (view !== null) this.handlers.get(view)?.(event.data);
    };
    worker.onerror = (event) => {
      for (const [view, handler] of this.handlers) handler({ type: 'error', view, where: 'train', message: `The task worker failed: ${event.message}` });
    };
    return worker;
  }
}
