// Reading what the CLI wrote: --json output as objects, and two safetensors files compared tensor by tensor.
import assert from 'node:assert/strict';
import { readSafetensors } from '../../src/io/safetensors.js';

export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function sameTensors(a: string, b: string): Promise<void> {
  const [x, y] = [await readSafetensors(a), await readSafetensors(b)];
  assert.deepEqual(Object.keys(x).sort(), Object.keys(y).sort());
  for (const name of Object.keys(x)) assert.deepEqual(x[name]!.data, y[name]!.data, `tensor ${name} differs`);
}
