// The language model's numbers must not move when the library grows: the initial weights and the first training
// steps of the CLI's default model, of the d2l preset and of a stacked GRU with embedding and dropout, on the first
// 3,000 characters of The Time Machine, pinned to what main produced at fcb2823 (before the module tree, the global
// generator and the cell registry). Weights are hashed (SHA-256 of every parameter's float32 bytes, by name);
// losses are compared bit for bit on the plain TypeScript engine (deterministic everywhere), and to 1e-5 on the
// default engine, whose WebAssembly products may change summation order with the micro-kernel chosen.
// To regenerate after an intended change: PIN_PRINT=1 node --import tsx --test test/lm-pin.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildModel, prepareCorpus, Trainer, type ModelConfig, type TextSettings, type TrainOptions } from '../src/train/index.js';
import type { RNNModel } from '../src/nn/index.js';
import { setEngineBackend, useEngine } from '../src/engine/index.js';
import { createRefBackend } from '../src/kernels/backend.js';
import { init, overrideRuntime, refKernels } from '../src/kernels/runtime.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';

const TEXT = readFileSync(new URL('../../shared/data/timemachine.txt', import.meta.url), 'utf8').slice(0, 3000);
const STEPS = 4;

interface PinCase {
  name: string;
  text: TextSettings;
  model: Omit<ModelConfig, 'vocabSize'>;
  training: Partial<TrainOptions>;
  /** Also pinned on the autograd path (the small models only: the tape is slow at width 256). */
  autograd: boolean;
}

// lstm train's defaults (src/cli/args.ts) and its d2l preset (src/cli/train-config.ts), with 2 epochs.
const CASES: PinCase[] = [
  {
    name: 'CLI default',
    text: { tokens: 'char', preprocess: 'none' },
    model: { cell: 'lstm', hiddenSize: 256, numLayers: 1, dropout: 0, seed: 0 },
    training: { batchSize: 32, numSteps: 35, epochs: 2, optimizer: 'adam', clip: 1, sampling: 'sequential', validFraction: 0.1, seed: 0 },
    autograd: false,
  },
  {
    name: 'd2l preset',
    text: { tokens: 'char', preprocess: 'letters' },
    model: { cell: 'lstm', hiddenSize: 256, numLayers: 1, dropout: 0, seed: 0 },
    training: { batchSize: 32, numSteps: 35, epochs: 2, optimizer: 'sgd', lr: 1, clip: 1, sampling: 'sequential', validFraction: 0, seed: 0 },
    autograd: false,
  },
  {
    name: 'GRU 2 layers, embedding, dropout',
    text: { tokens: 'char', preprocess: 'none' },
    model: { cell: 'gru', hiddenSize: 32, numLayers: 2, dropout: 0.2, embeddingDim: 8, seed: 7 },
    training: { batchSize: 8, numSteps: 20, epochs: 1, optimizer: 'adam', clip: 1, sampling: 'random', validFraction: 0, seed: 5 },
    autograd: true,
  },
  {
    name: 'LSTM 2 layers, one-hot, dropout',
    text: { tokens: 'char', preprocess: 'letters' },
    model: { cell: 'lstm', hiddenSize: 24, numLayers: 2, dropout: 0.3, seed: 3 },
    training: { batchSize: 6, numSteps: 12, epochs: 1, optimizer: 'sgd', lr: 1, clip: 1, sampling: 'sequential', validFraction: 0, seed: 9 },
    autograd: true,
  },
];

function weightsHash(model: RNNModel): string {
  const hash = createHash('sha256');
  for (const [name, p] of model.namedParameters()) {
    hash.update(name);
    hash.update(new Uint8Array(Float32Array.from(p.data).buffer));
  }
  return hash.digest('hex').slice(0, 16);
}

async function run(c: PinCase): Promise<{ initial: string; losses: number[]; final: string }> {
  const prepared = prepareCorpus(TEXT, c.text);
  const model = buildModel({ ...c.model, vocabSize: prepared.vocab.size });
  const initial = weightsHash(model);
  const trainer = new Trainer(model, c.training);
  const { train } = trainer.split(prepared.ids);
  const losses: number[] = [];
  const stop = new AbortController();
  await trainer.fit(train, null, {
    signal: stop.signal,
    onBatch: ({ loss }) => {
      losses.push(loss);
      if (losses.length === STEPS) stop.abort();
    },
  });
  return { initial, losses, final: weightsHash(model) };
}

const PINNED: Record<string, { initial: string; losses: number[]; final: string }> = {
  'CLI default': {
    initial: '3217cfe1da8e0261',
    losses: [4.11313380695299, 4.089723586412533, 4.06750362813591, 4.033781207503025],
    final: '46f09bfa951c038c',
  },
  'd2l preset': {
    initial: '42ad2af4b0996546',
    losses: [3.3012732344044196, 3.260422877694627, 3.21873522155674, 3.1829021606048684],
    final: 'accd5c2450ea927e',
  },
  'GRU 2 layers, embedding, dropout (autograd)': {
    initial: '8a4e0423f75dcab3',
    losses: [4.12587833404541, 4.100831031799316, 4.0697455406188965, 4.0654120445251465],
    final: 'd41f20cc7f7a7573',
  },
  'GRU 2 layers, embedding, dropout': {
    initial: '8a4e0423f75dcab3',
    losses: [4.125878334334274, 4.100831125925692, 4.069745390726495, 4.065411819696091],
    final: '812db06236a5cfc0',
  },
  'LSTM 2 layers, one-hot, dropout (autograd)': {
    initial: '769e2fb0ca471443',
    losses: [3.2594285011291504, 3.251413345336914, 3.188398838043213, 3.144660711288452],
    final: '8f62ab21f0597725',
  },
  'LSTM 2 layers, one-hot, dropout': {
    initial: '769e2fb0ca471443',
    losses: [3.2594285990197416, 3.2514133191467587, 3.1883989285200616, 3.1446608167475754],
    final: 'f17c2d684ecb1f45',
  },
};

const defaultEngine: Array<[string, () => ReturnType<typeof createRefBackend>]> = probeWasm().simd ? [['wasm', createWasmBackend]] : [];

for (const c of CASES) {
  // Main ran the tape's products on the reference kernels (its optimizers on wasm where SIMD is): pinned with
  // the same, since the wasm products, now the default, sum in another order.
  if (c.autograd) test(`${c.name}: the first ${STEPS} steps on the autograd path (reference products) are main's, bit for bit`, async () => {
    useEngine('autograd');
    overrideRuntime({ kernels: refKernels });
    try {
      const got = await run(c);
      if (process.env.PIN_PRINT) console.log(JSON.stringify({ [`${c.name} (autograd)`]: got }));
      const want = PINNED[`${c.name} (autograd)`]!;
      assert.deepEqual(got.losses, want.losses, 'losses');
      assert.equal(got.final, want.final, `weights after ${STEPS} steps`);
    } finally {
      useEngine('auto');
      await init();
    }
  });
  test(`${c.name}: initial weights and the first ${STEPS} steps are main's, bit for bit (plain TypeScript engine)`, async () => {
    setEngineBackend(createRefBackend);
    const got = await run(c);
    if (process.env.PIN_PRINT) console.log(JSON.stringify({ [c.name]: got }));
    const want = PINNED[c.name]!;
    assert.equal(got.initial, want.initial, 'initial weights');
    assert.deepEqual(got.losses, want.losses, 'losses');
    assert.equal(got.final, want.final, `weights after ${STEPS} steps`);
  });
  for (const [backend, factory] of defaultEngine) {
    test(`${c.name}: the first ${STEPS} losses on the ${backend} engine are main's within 1e-5`, async () => {
      setEngineBackend(factory);
      try {
        const got = await run(c);
        const want = PINNED[c.name]!;
        assert.equal(got.initial, want.initial, 'initial weights');
        assert.equal(got.losses.length, want.losses.length);
        got.losses.forEach((l, k) => assert.ok(Math.abs(l - want.losses[k]!) <= 1e-5 * Math.abs(want.losses[k]!), `loss ${k}: ${l} vs ${want.losses[k]}`));
      } finally {
        setEngineBackend(createRefBackend);
      }
    });
  }
}
