// Ctrl-C during `lstm train` (every task): the first stops training after the current minibatch, so the run saves
// its checkpoint and --resume continues exactly there; a second, or any once training is over (the chart is
// written, the process winds down), quits at once with 130 through process.exit, whose exit hook (io/files.ts)
// removes the temp file of a save in flight. The handler stays for the rest of the process, so no Ctrl-C ends it by
// the signal's default death, which skips that hook.
import { EXIT_INTERRUPTED } from './errors.js';

export interface CtrlC {
  /** Aborted by the first Ctrl-C: the trainer's stop signal. */
  signal: AbortSignal;
  /** Training is over: from now on a Ctrl-C quits at once. */
  trained(): void;
}

/** Installs the handler; `close` stops the progress bar before the notice is printed. */
export function stopOnCtrlC(close: () => void): CtrlC {
  const abort = new AbortController();
  let over = false;
  process.on('SIGINT', () => {
    if (abort.signal.aborted || over) process.exit(EXIT_INTERRUPTED);
    close();
    process.stderr.write('lstm: stopping after this minibatch and saving the checkpoint (Ctrl-C again to quit at once)\n');
    abort.abort();
  });
  return { signal: abort.signal, trained: () => (over = true) };
}
