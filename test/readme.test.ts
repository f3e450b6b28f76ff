// The README's promises: its ten-line example is examples/quickstart.ts word for word, and it runs and prints
// the shapes and a gradient; its first two commands are the install-and-run and the test commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

test('the README example is examples/quickstart.ts and it runs', () => {
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README has a ts block');
  const example = readFileSync(`${root}examples/quickstart.ts`, 'utf8');
  assert.equal(block[1], example);
  assert.ok(example.split('\n').filter((l) => l.trim() !== '').length <= 10, 'ten lines at most');
  // `lstm-ts` resolves to this package itself (package.json "exports"), i.e. the built dist/.
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /output \[ 5, 2, 4 \] h \[ 2, 2, 4 \] c \[ 2, 2, 4 \]/);
  assert.match(run.stdout, /dL\/dW_i of layer 0: Float32Array\(12\)/);
});

test('the README opens with the install-and-run command and the test command', () => {
  const first = /```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(first);
  const commands = first[1]!.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('#')[0]!.trim());
  assert.deepEqual(commands, ['npm install && npm start', 'npm test']);
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.start!, /dist\/cli\/main\.js train/);
});
