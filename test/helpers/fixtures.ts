// Test helpers for the PyTorch golden fixtures in test/fixtures/torch (written by scripts/fixtures/make_fixtures.py):
// loading them, comparing arrays within a tolerance, and reading our gradients in PyTorch's layout.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Tensor, type Data } from '../../src/core/tensor.js';
import { readSafetensorsWithMetadata, type TensorDict } from '../../src/io/safetensors.js';
import type { Module } from '../../src/nn/module.js';
import type { StateDict } from '../../src/nn/torch-state-dict.js';
import type { TorchLayout } from '../../src/nn/torch-layout.js';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/torch/${name}`, import.meta.url));
}

export async function loadFixture(name: string): Promise<{ t: TensorDict; config: Record<string, unknown> }> {
  const { tensors, metadata } = await readSafetensorsWithMetadata(fixturePath(name));
  return { t: tensors, config: JSON.parse(metadata.config ?? '{}') as Record<string, unknown> };
}

/** Asserts |actual - expected| <= rtol·|expected| + atol elementwise, naming the first element that is off. */
export function assertClose(actual: Data | Tensor, expected: Data | Tensor, what: string, rtol = 1e-5, atol = 1e-6): void {
  const a = actual instanceof Tensor ? actual.data : actual;
  const e = expected instanceof Tensor ? expected.data : expected;
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  for (let k = 0; k < e.length; k++) {
    const diff = Math.abs(a[k]! - e[k]!);
    if (!(diff <= rtol * Math.abs(e[k]!) + atol)) {
      assert.fail(`${what}[${k}]: got ${a[k]}, expected ${e[k]} (difference ${diff.toExponential(2)})`);
    }
  }
}

/** Tensors of the fixture that are module parameters, i.e. not inputs, outputs, loss weights or gradients. */
export function parametersOf(t: TensorDict, prefixes: readonly string[]): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(t)) if (prefixes.some((p) => k.startsWith(p))) out[k] = v;
  return out;
}

/** Swaps every parameter's buffer for a float64 copy, so a whole forward/backward runs in float64. */
export function toFloat64(module: Module): void {
  for (const p of module.parameters()) p.data = Float64Array.from(p.data);
}

/** Our parameter gradients, laid out under PyTorch's names by the module's own torchStateDict. */
export function gradsAsTorch(module: Module & { torchStateDict(): StateDict }): StateDict {
  const params = module.parameters();
  const saved = params.map((p) => p.data);
  try {
    for (const p of params) p.data = p.grad === null ? new Float64Array(p.size) : p.grad;
    return module.torchStateDict();
  } finally {
    params.forEach((p, k) => (p.data = saved[k]!));
  }
}

/**
 * PyTorch's gradients from ours: gradsAsTorch, then, where a gate keeps one bias b = bias_ih + bias_hh, PyTorch's
 * bias_hh gets the same gradient as its bias_ih (only GRU's n gate keeps b_hn apart). `layout` is the cells'.
 */
export function torchGrads(module: Module & { torchStateDict(): StateDict }, layout: TorchLayout): StateDict {
  const grads = gradsAsTorch(module);
  for (const name of Object.keys(grads)) {
    if (!/(^|\.)bias_hh_l/.test(name)) continue;
    const ih = grads[name.replace(/bias_hh_l(?=[^.]*$)/, 'bias_ih_l')]!.data;
    const ours = Float64Array.from(grads[name]!.data);
    const H = ours.length / layout.gates.length;
    layout.gates.forEach((gate, k) => {
      if (gate.bHidden === undefined) for (let j = 0; j < H; j++) ours[k * H + j] = ih[k * H + j]!;
    });
    grads[name] = new Tensor(ours, grads[name]!.shape);
  }
  return grads;
}
