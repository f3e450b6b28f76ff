// How the CLI fails: every bad input ends as ONE line `lstm: error: ...` on stderr and exit code 1, never a
// stack trace. The library throws plain `Error`s with one-line messages for bad input, so those count as the
// user's; anything else (TypeError, RangeError, ...) is our bug and shows its stack only with LSTM_DEBUG=1.

/** A problem with what the user asked for; its message is shown as is. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT_BAD_INPUT = 1;
export const EXIT_INTERNAL = 2;
/** 128 + SIGINT, as shells report a Ctrl-C'd program. */
export const EXIT_INTERRUPTED = 130;

/** Error messages may quote file contents or nest other messages; a terminal line must stay one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function isUserError(err: unknown): err is Error {
  // Only the exact Error class: the library's validation errors. Other subclasses of Error are bugs. (Divergence is
  // matched by name so that this module, loaded for every command, does not pull in the whole library.)
  if (!(err instanceof Error)) return false;
  return err instanceof CliError || err.name === 'TrainingDivergedError' || err.constructor === Error;
}

export function debugEnabled(): boolean {
  return process.env.LSTM_DEBUG === '1';
}

/** Prints the error (one line unless LSTM_DEBUG=1) and returns the exit code to use. */
export function reportError(err: unknown, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  const debug = debugEnabled();
  if (isUserError(err)) {
    write(`lstm: error: ${oneLine(err.message)}\n`);
    if (debug && err.stack !== undefined) write(`${err.stack}\n`);
    return EXIT_BAD_INPUT;
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (debug) {
    write(`lstm: internal error: ${message}\n${err instanceof Error ? (err.stack ?? '') : ''}\n`);
  } else {
    write(`lstm: internal error: ${oneLine(message)} (set LSTM_DEBUG=1 to see the stack trace)\n`);
  }
  return EXIT_INTERNAL;
}
