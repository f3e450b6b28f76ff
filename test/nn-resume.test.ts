// A composed model saved and continued: Sequential(LSTM, Dropout, Linear), unseeded (its weights and dropout masks
// from the global generator), trained with Adam; after 3 steps its weights, optimizer state and the generator's
// state go through the safetensors writer into one file, a fresh model (other weights, other generator state)
// loads it and trains 3 more steps. Losses and final weights must equal an uninterrupted 6-step run bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../src/core/tensor.js';
import { getRngState, manualSeed, setRngState } from '../src/core/random.js';
import { mseLoss } from '../src/core/ops/index.js';
import { Dropout, LSTM, Linear, Sequential } from '../src/nn/index.js';
import { Adam, type OptimizerState } from '../src/optim/index.js';
import { readSafetensorsWithMetadata, writeSafetensors, type TensorDict } from '../src/io/safetensors.js';
import { randn } from './helpers/random-tensor.js';

const x = randn([4, 6, 3], 1);
const y = randn([4, 6, 2], 2);

function build(): Sequential {
  return new Sequential(new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, dropout: 0.25, batchFirst: true }), new Dropout(0.3), new Linear(5, 2));
}

function train(model: Sequential, optimizer: Adam, steps: number): number[] {
  const losses: number[] = [];
  for (let k = 0; k < steps; k++) {
    optimizer.zeroGrad();
    const loss = mseLoss(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  return losses;
}

async function save(path: string, model: Sequential, optimizer: Adam): Promise<void> {
  const state = optimizer.stateDict();
  const tensors: TensorDict = { ...model.stateDict() };
  for (const [name, buf] of Object.entries(state.buffers)) tensors[`optimizer.${name}`] = new Tensor(buf, [buf.length]);
  const meta = { optimizer: JSON.stringify({ kind: state.kind, hyper: state.hyper, step: state.step }), rng: JSON.stringify(getRngState()) };
  await writeSafetensors(path, tensors, meta);
}

async function load(path: string, model: Sequential, optimizer: Adam): Promise<void> {
  const { tensors, metadata } = await readSafetensorsWithMetadata(path);
  const weights: TensorDict = {};
  const buffers: OptimizerState['buffers'] = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith('optimizer.')) buffers[name.slice('optimizer.'.length)] = t.data;
    else weights[name] = t;
  }
  model.loadStateDict(weights);
  optimizer.loadStateDict({ ...(JSON.parse(metadata.optimizer!) as Omit<OptimizerState, 'buffers'>), buffers });
  setRngState(JSON.parse(metadata.rng!) as number[]);
}

test('Sequential(LSTM, Dropout, Linear) with Adam: saved after 3 steps and continued in a fresh model = 6 steps uninterrupted, bit for bit', async () => {
  manualSeed(11);
  const whole = build();
  const wholeLosses = train(whole, new Adam(whole.parameters(), { lr: 0.01 }), 6);

  manualSeed(11);
  const first = build();
  const firstOptimizer = new Adam(first.parameters(), { lr: 0.01 });
  const before = train(first, firstOptimizer, 3);
  const dir = mkdtempSync(join(tmpdir(), 'lstm-ts-resume-'));
  try {
    const path = join(dir, 'composed.safetensors');
    await save(path, first, firstOptimizer);
    manualSeed(999); // the fresh model starts elsewhere in every respect
    const fresh = build();
    assert.notDeepEqual(fresh.parameters()[0]!.data, first.parameters()[0]!.data);
    const freshOptimizer = new Adam(fresh.parameters(), { lr: 0.01 });
    await load(path, fresh, freshOptimizer);
    const after = train(fresh, freshOptimizer, 3);
    assert.deepEqual([...before, ...after], wholeLosses);
    whole.namedParameters().forEach(([name, p], k) => assert.deepEqual(fresh.parameters()[k]!.data, p.data, name));
    // The dropout masks mattered: the same run without restoring the generator goes elsewhere.
    manualSeed(11);
    const other = build();
    const otherOptimizer = new Adam(other.parameters(), { lr: 0.01 });
    train(other, otherOptimizer, 3);
    manualSeed(5);
    assert.notDeepEqual(train(other, otherOptimizer, 3), after);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
