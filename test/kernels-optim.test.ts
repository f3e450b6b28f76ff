// The optimizer kernels (Σ g², clipping's scale, SGD, Adam/AdamW) on WebAssembly against the plain TypeScript
// reference, within 1e-5, on lengths that cross the wasm path's chunks and leave SIMD tails; and float32
// training trajectories on each table against PyTorch's (torch.optim, the committed optimizer fixture).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/core/random.js';
import { Tensor } from '../src/core/tensor.js';
import { readSafetensors } from '../src/io/safetensors.js';
import { refOptimKernels, useOptimKernels, type OptimKernels } from '../src/kernels/index.js';
import { createWasmOptimKernels } from '../src/kernels/wasm/optim.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';
import { Adam, SGD, clipGradNorm, gradNorm, hasNonFinite, type Optimizer } from '../src/optim/index.js';
import { assertClose } from './helpers/fixtures.js';

const skip = probeWasm().simd ? false : 'WebAssembly SIMD is not available here';
const N = 2 * (1 << 14) + 7; // two full chunks and a tail that is not a multiple of 4

function arrays(seed: number, count: number): Float32Array[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, q) => Float32Array.from({ length: N }, () => (q === 3 ? random.uniform(0, 1) : random.uniform(-1, 1))));
}

/** Runs `use` on the reference and on wasm from copies of the same arrays; every array must end within 1e-5. */
function agree(what: string, seed: number, count: number, use: (k: OptimKernels, a: Float32Array[]) => number | void): void {
  const wasm = createWasmOptimKernels();
  const start = arrays(seed, count);
  const [ra, wa] = [start.map((a) => a.slice()), start.map((a) => a.slice())];
  const [r, w] = [use(refOptimKernels, ra), use(wasm, wa)];
  // Sums agree to float64 rounding; the updates' bound ratios are float32 (wasm) against float64 (reference).
  if (typeof r === 'number') assert.ok(Math.abs((w as number) - r) <= (what.startsWith('sumSquares') ? 1e-9 : 1e-6) * r, `${what}: ${w as number}, reference ${r}`);
  ra.forEach((a, q) => assertClose(wa[q]!, a, `${what}: array ${q}`, 1e-5, 1e-6));
}

test('sumSquares and scaleInPlace: wasm equals the reference', { skip }, () => {
  agree('sumSquares', 1, 1, (k, [g]) => k.sumSquares(g!));
  agree('scaleInPlace', 2, 1, (k, [g]) => k.scaleInPlace(g!, 0.37));
});

test('SGD update (plain, weight decay, momentum, Nesterov): wasm equals the reference', { skip }, () => {
  const hypers = [
    { lr: 0.5, momentum: 0, weightDecay: 0, nesterov: false },
    { lr: 0.1, momentum: 0, weightDecay: 0.01, nesterov: false },
    { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: false },
    { lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: true },
  ];
  hypers.forEach((h, s) => agree(`sgd ${JSON.stringify(h)}`, 10 + s, 3, (k, [p, g, b]) => k.sgdUpdate(p!, g!, h.momentum !== 0 ? b! : null, h)));
});

test('Adam and AdamW updates: wasm equals the reference', { skip }, () => {
  const common = { stepSize: 0.01 / (1 - 0.9 ** 3), sqrtBc2: Math.sqrt(1 - 0.999 ** 3), beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  agree('adam', 20, 4, (k, [p, g, m, v]) => k.adamUpdate(p!, g!, m!, v!, { ...common, shrink: 1, l2: 0.01 }));
  agree('adamw', 21, 4, (k, [p, g, m, v]) => k.adamUpdate(p!, g!, m!, v!, { ...common, shrink: 1 - 0.01 * 0.1, l2: 0 }));
});

const fixture = await readSafetensors(fileURLToPath(new URL('./fixtures/torch/optim.safetensors', import.meta.url)));
const fx = (name: string): Float32Array => Float32Array.from(fixture[name]!.data);
const CASES: Record<string, (ps: Tensor[]) => Optimizer> = {
  sgd_momentum: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }),
  sgd_nesterov: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true }),
  adam: (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.01 }),
  adamw: (ps) => new Adam(ps, { lr: 0.01, weightDecay: 0.1, decoupled: true }),
};

for (const table of ['ref', 'wasm'] as const) {
  test(`float32 optimizers and clipping on the ${table} kernels follow PyTorch's 5-step trajectories`, { skip: table === 'wasm' ? skip : false }, () => {
    useOptimKernels(table);
    try {
      for (const [name, make] of Object.entries(CASES)) {
        const params = [0, 1].map((i) => new Tensor(fx(`param.${i}`), fixture[`param.${i}`]!.shape));
        const opt = make(params);
        for (let t = 0; t < 5; t++) {
          params.forEach((p, i) => (p.grad = fx(`grad.${t}.${i}`)));
          opt.step();
          params.forEach((p, i) => assertClose(p.data, fixture[`${name}.${t}.${i}`]!.data, `${table} ${name} step ${t} param ${i}`, 2e-5, 1e-6));
        }
      }
      const params = [0, 1].map((i) => new Tensor(fx(`param.${i}`), fixture[`param.${i}`]!.shape));
      params.forEach((p, i) => (p.grad = fx(`grad.0.${i}`)));
      const norm = clipGradNorm(params, 0.5);
      const want = Math.sqrt(params.reduce((s, _, i) => s + fx(`grad.0.${i}`).reduce((a, x) => a + x * x, 0), 0));
      assert.ok(Math.abs(norm - want) <= 1e-6 * want, `${table}: norm ${norm}, expected ${want}`);
      const after = Math.sqrt(params.reduce((s, p) => s + Array.from(p.grad!).reduce((a, x) => a + x * x, 0), 0));
      assert.ok(Math.abs(after - 0.5) <= 1e-5, `${table}: clipped norm ${after}, expected 0.5`);
    } finally {
      useOptimKernels(probeWasm().simd ? 'wasm' : 'ref');
    }
  });
}

for (const table of ['ref', 'wasm'] as const) {
  test(`the gradient norm on the ${table} kernels is finite exactly when every gradient is (the trainer's NaN check rests on it)`, { skip: table === 'wasm' ? skip : false }, () => {
    useOptimKernels(table);
    try {
      // 33 floats: bad values both in a four-lane block and in the tail.
      const make = (): Tensor[] => [0, 1].map(() => {
        const t = new Tensor(new Float32Array(33), [33]);
        t.grad = Float32Array.from({ length: 33 }, (_, k) => Math.sin(k) * 3e38); // large, squares overflow f32 not f64
        return t;
      });
      assert.ok(Number.isFinite(gradNorm(make())), 'finite gradients, finite norm');
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [2, 32]) {
          const params = make();
          params[1]!.grad![at] = bad;
          assert.ok(!Number.isFinite(gradNorm(params)), `${bad} at ${at}`);
          assert.equal(hasNonFinite(params), true);
        }
      }
    } finally {
      useOptimKernels(probeWasm().simd ? 'wasm' : 'ref');
    }
  });
}
