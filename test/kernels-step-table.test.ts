// The time loops' argument table (STEP_KERNELS, read from the AssemblyScript signatures at build time) against the
// compiled module and the calls: every time loop of assembly/steps.ts is in it, each compiled function takes the
// table's parameters plus the band (b0, b1, scratch), the control block holds them, and stepArgList orders named
// arguments by the table and turns heap offsets into pointers (negative: the null pointer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initWasmSync } from '../src/kernels/wasm/backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { STEP_KERNELS, STEP_KERNEL_NAMES, stepArgList } from '../src/kernels/wasm/step-kernels.js';

const skip = probeWasm().simd ? false : 'needs WebAssembly SIMD';

test('every time loop in assembly/steps.ts is in the table, in the compiled module, with the table\'s arity', { skip }, () => {
  const source = readFileSync(new URL('../src/kernels/wasm/assembly/steps.ts', import.meta.url), 'utf8');
  const exported = [...source.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
  assert.deepEqual([...STEP_KERNEL_NAMES].sort(), exported.sort(), 'the table lists exactly the exported time loops');
  const ex = initWasmSync().exports as unknown as Record<string, (...args: number[]) => void>;
  for (const name of STEP_KERNEL_NAMES) {
    // A wasm export's `length` is its parameter count: the table's, plus b0, b1 and scratch.
    assert.equal(ex[name]!.length, STEP_KERNELS[name].length + 3, name);
    assert.ok(STEP_KERNELS[name].length <= 16, `${name}: the thread pool's control block holds 16 arguments`);
  }
});

test('stepArgList: the table\'s order, offsets as byte pointers, none as 0, flags as 0/1', () => {
  const args = { T: 5, B: 4, H: 3, relu: true, reverse: false, active: -1, flush: true, hs: 10, dOut: 20, dh: -1, dPre: 0, WhTPacked: 7 };
  assert.deepEqual(stepArgList('rnnBackwardSteps', args, (q) => 1000 + 4 * q), [5, 4, 3, 1, 0, 0, 1, 1040, 1080, 0, 1000, 1028]);
  assert.deepEqual(STEP_KERNELS.rnnBackwardSteps.map(([name]) => name), ['T', 'B', 'H', 'relu', 'reverse', 'active', 'flush', 'hs', 'dOut', 'dh', 'dPre', 'WhTPacked']);
});
