// ONNX export against lstm-ts itself: each exported model runs in onnxruntime-node and its logits and final states
// match RNNModel.forward within 1e-5, for LSTM, GRU and RNN (tanh and relu), 1 and 2 layers, uni- and
// bidirectional, one-hot and embedding input; a sequence fed in two pieces (state carried) equals it in one.
// Also: the written protobuf reads back as standard operators, and cells ONNX cannot express are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { Random } from '../src/core/random.js';
import { GRU } from '../src/nn/gru.js';
import { LSTM } from '../src/nn/lstm.js';
import { RNN } from '../src/nn/rnn.js';
import { Recurrent } from '../src/nn/recurrent.js';
import { RNNModel } from '../src/nn/rnn-model.js';
import type { Cell, State } from '../src/nn/cell.js';
import { add, matmul, tanh } from '../src/core/ops/index.js';
import { uniformParameter } from '../src/nn/init.js';
import { exportOnnx } from '../src/export/onnx.js';
import { decodeModel } from '../src/export/onnx-schema.js';

type Kind = 'lstm' | 'gru' | 'rnn' | 'rnn-relu';

function makeModel(kind: Kind, numLayers: number, bidirectional: boolean, embeddingDim?: number, batchFirst = false): RNNModel {
  const V = 11;
  const options = { inputSize: embeddingDim ?? V, hiddenSize: 6, numLayers, bidirectional, batchFirst, seed: 3 };
  const layer =
    kind === 'lstm' ? new LSTM(options) : kind === 'gru' ? new GRU(options) : new RNN({ ...options, nonlinearity: kind === 'rnn' ? 'tanh' : 'relu' });
  const model = new RNNModel(layer as Recurrent, V, { embeddingDim, seed: 5 });
  // A non-zero hidden bias shows that ONNX's Rb half is wired (the GRU's b_hn sits inside the reset product).
  const random = new Random(9);
  for (const p of model.parameters()) for (let k = 0; k < p.size; k++) p.data[k] = p.data[k]! + 0.05 * random.uniform(-0.5, 0.5);
  model.eval();
  return model;
}

function tokens(B: number, T: number, V: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: B * T }, () => Math.floor(random.uniform(0, V)));
}

function randomState(model: RNNModel, B: number, seed: number): Tensor[] {
  const random = new Random(seed);
  const dims = [model.rnn.numLayers * model.rnn.numDirections, B, model.rnn.hiddenSize];
  return model.rnn.stateNames.map(() => new Tensor(Float32Array.from({ length: dims[0]! * B * dims[2]! }, () => random.uniform(-0.5, 0.5)), dims));
}

const asState = (parts: Tensor[]): State => (parts.length === 1 ? parts[0]! : parts) as State;
const stateParts = (s: State): Tensor[] => (Array.isArray(s) ? s : [s]) as Tensor[];

async function runOnnx(session: ort.InferenceSession, ids: Float32Array, B: number, T: number, state: Tensor[], names: readonly string[]) {
  const feeds: Record<string, ort.Tensor> = { tokens: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]) };
  names.forEach((n, k) => (feeds[`${n}0`] = new ort.Tensor('float32', Float32Array.from(state[k]!.data), state[k]!.shape)));
  const out = await session.run(feeds);
  return { logits: out.logits!.data as Float32Array, logitsDims: out.logits!.dims, state: names.map((n) => out[`${n}n`]!.data as Float32Array) };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
  return worst;
}

const CASES: Array<[Kind, number, boolean]> = [];
for (const kind of ['lstm', 'gru', 'rnn'] as const) for (const layers of [1, 2]) for (const bi of [false, true]) CASES.push([kind, layers, bi]);
CASES.push(['rnn-relu', 2, true]);

for (const [kind, layers, bi] of CASES) {
  test(`ONNX ${kind}, ${layers} layer(s), ${bi ? 'bidirectional' : 'unidirectional'}: logits and states match lstm-ts within 1e-5`, async () => {
    const model = makeModel(kind, layers, bi);
    const session = await ort.InferenceSession.create(exportOnnx(model));
    const [B, T] = [3, 7];
    const ids = tokens(B, T, model.vocabSize, 1);
    const h0 = randomState(model, B, 2);
    const [logits, next] = noGrad(() => model.forward(new Tensor(ids, [B, T]), asState(h0)));
    const got = await runOnnx(session, ids, B, T, h0, model.rnn.stateNames);
    assert.deepEqual(got.logitsDims, [T * B, model.vocabSize]);
    assert.ok(maxDiff(got.logits, logits.data, 'logits') <= 1e-5, `logits differ by ${maxDiff(got.logits, logits.data, 'logits')}`);
    stateParts(next).forEach((s, k) => {
      const d = maxDiff(got.state[k]!, s.data, 'state');
      assert.ok(d <= 1e-5, `${model.rnn.stateNames[k]}n differs by ${d}`);
    });
  });
}

test('ONNX one step at a time: feeding the sequence in pieces with the state carried gives the same logits', async () => {
  for (const kind of ['lstm', 'gru'] as const) {
    const model = makeModel(kind, 2, false, 4);
    const session = await ort.InferenceSession.create(exportOnnx(model));
    const [B, T] = [2, 5];
    const ids = tokens(B, T, model.vocabSize, 4);
    const [whole] = noGrad(() => model.forward(new Tensor(ids, [B, T]), model.beginState(B)));
    let state = stateParts(model.beginState(B));
    for (let t = 0; t < T; t++) {
      const step = Float32Array.from({ length: B }, (_, b) => ids[b * T + t]!);
      const got = await runOnnx(session, step, B, 1, state, model.rnn.stateNames);
      // Row t·B + b of the whole-sequence logits is step t for sequence b.
      const expected = whole.data.subarray(t * B * model.vocabSize, (t + 1) * B * model.vocabSize);
      assert.ok(maxDiff(got.logits, expected, 'step') <= 1e-5, `${kind} step ${t}`);
      state = got.state.map((d, k) => new Tensor(Float32Array.from(d), state[k]!.shape));
    }
  }
});

test('ONNX batch-first layer: logits come out batch-major, as RNNModel.forward gives them', async () => {
  const model = makeModel('lstm', 1, false, undefined, true);
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const [B, T] = [2, 4];
  const ids = tokens(B, T, model.vocabSize, 6);
  const h0 = randomState(model, B, 7);
  const [logits] = noGrad(() => model.forward(new Tensor(ids, [B, T]), asState(h0)));
  const got = await runOnnx(session, ids, B, T, h0, model.rnn.stateNames);
  assert.ok(maxDiff(got.logits, logits.data, 'logits') <= 1e-5);
});

test('the ONNX file holds standard operators only, opset 17, with the gate-ordered weights and metadata', () => {
  const model = makeModel('gru', 2, true, 4);
  const decoded = decodeModel(exportOnnx(model, { metadata: { vocab: '["<unk>"]' } }));
  const ops = new Set(decoded.graph.node.map((n) => n.opType));
  assert.deepEqual([...ops].sort(), ['Concat', 'GRU', 'Gather', 'Gemm', 'Reshape', 'Slice', 'Transpose']);
  assert.deepEqual(decoded.opsetImport, [{ version: 17 }]);
  assert.deepEqual(decoded.metadataProps, [{ key: 'vocab', value: '["<unk>"]' }]);
  const gru = decoded.graph.node.find((n) => n.opType === 'GRU')!;
  const attr = Object.fromEntries(gru.attribute.map((a) => [a.name, a.i ?? new TextDecoder().decode(a.s)]));
  assert.deepEqual(attr, { hidden_size: 6, direction: 'bidirectional', linear_before_reset: 1 });
  const W = decoded.graph.initializer.find((t) => t.name === 'W_l0')!;
  assert.deepEqual(W.dims, [2, 18, 4]);
});

test('ONNX export refuses a user-written cell and an LSTM with an output projection, naming what it expected', () => {
  class TinyCell implements Cell {
    readonly stateNames = ['h'] as const;
    readonly outputSize: number;
    readonly W: Tensor;
    constructor(readonly inputSize: number, readonly hiddenSize: number) {
      this.outputSize = hiddenSize;
      this.W = uniformParameter([inputSize, hiddenSize], 0.1, new Random(1));
    }
    namedParameters(): Array<[string, Tensor]> {
      return [['W', this.W]];
    }
    step(x: Tensor, state: readonly Tensor[]) {
      const h = tanh(add(matmul(x, this.W), state[0]!));
      return { output: h, state: [h] };
    }
  }
  const custom = new Recurrent({ inputSize: 5, hiddenSize: 3 }, (width) => new TinyCell(width, 3));
  assert.throws(() => exportOnnx(new RNNModel(custom, 5)), /^Error: ONNX export: layer 0 is a TinyCell, a user-written cell; expected a built-in LSTMCell, GRUCell or RNNCell/);
  const projected = new LSTM({ inputSize: 5, hiddenSize: 3, outputProjection: true });
  assert.throws(() => exportOnnx(new RNNModel(projected as Recurrent, 5)), /ONNX export: the LSTM at layer 0 has an output projection \(W_h, b_h\); expected a plain LSTM cell/);
});
