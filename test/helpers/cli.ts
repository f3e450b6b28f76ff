// Running commands from tests: `run` spawns any program from the repository root and collects its exit code,
// stdout and stderr; `lstm` runs the CLI (`node --import tsx src/cli/main.ts`) with LSTM_DEBUG unset, so errors
// are the user's one-line form.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type StdoutWatcher = (text: string, child: ReturnType<typeof spawn>) => void;

/** Runs `command` in the repository root; `onStdout` sees the output so far as it arrives. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, onStdout?: StdoutWatcher): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI; `onStdout` sees output as it arrives (to send Ctrl-C at the right moment). */
export function lstm(args: string[], onStdout?: StdoutWatcher): Promise<Run> {
  const env = { ...process.env };
  delete env.LSTM_DEBUG;
  delete env.NODE_TEST_CONTEXT;
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], env, onStdout);
}
