// What the two training workers (the language model's, worker.ts, and the task worker, task-worker.ts) share:
// starting the kernels, and answering one message whose handler may throw or reject, so every failure reaches the
// page as the one-line error it is.
import { init, initSync } from '../../src/kernels/runtime.js';
import type { FromWorker } from './protocol.js';

/**
 * A worker may compile synchronously: the kernels are chosen at once and the page hears 'ready' with one thread;
 * then `init` waits for the thread pool's workers (nested Web Workers on shared memory, when the page is
 * cross-origin isolated) and 'threads' says how many run.
 */
export function startRuntime(post: (message: Extract<FromWorker, { type: 'ready' | 'threads' }>) => void, isolated: boolean): void {
  const info = initSync();
  post({ type: 'ready', isolated, simd: info.simd, sharedMemory: info.sharedMemory, cores: info.cores, threads: 1 });
  if (info.threads > 1) void init().then((ready) => post({ type: 'threads', threads: ready.threads }));
}

/** Runs `handle(message)`; what it throws, at once or later (a rejected promise), goes to `fail`. */
export function answer<M>(message: M, handle: (message: M) => void | Promise<void>, fail: (err: unknown) => void): void {
  try {
    const result = handle(message);
    if (result instanceof Promise) result.catch(fail);
  } catch (err) {
    fail(err);
  }
}
