// Variable lengths on the autograd path against PyTorch's pack_padded_sequence(enforce_sorted=False)
// (test/fixtures/torch/packed_*.safetensors, scripts/fixtures/make_nn_fixtures.py): LSTM, GRU and RNN, uni- and
// bidirectional, 1-3 layers, batch-first and time-major, unsorted lengths; outputs, final states and the gradients
// of a scalar loss, in float32 within 1e-5. Then gradcheck, the equivalences that define the semantics, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { gradcheck } from '../src/core/gradcheck.js';
import { add, indexSelect, mul, slice, sum } from '../src/core/ops/index.js';
import { GRU, LSTM, RNN, type Recurrent, type State, type StateDict } from '../src/nn/index.js';
import { assertClose, loadFixture, torchGrads } from './helpers/fixtures.js';
import type { TorchLayout } from '../src/nn/torch-layout.js';
import { randn } from './helpers/random-tensor.js';

const TOL = 1e-5;
const KINDS = { lstm: LSTM, gru: GRU, rnn: RNN } as const;

function parts(s: State): Tensor[] {
  return s instanceof Tensor ? [s] : s;
}

function leaf(t: Tensor): Tensor {
  return new Tensor(Float32Array.from(t.data), t.shape, { requiresGrad: true });
}

for (const [kind, Layer] of Object.entries(KINDS)) {
  const fixture = await loadFixture(`packed_${kind}.safetensors`);
  const fx = fixture.t;
  const lengths = Array.from(fx.lengths!.data);
  for (const key of fixture.config.cases as string[]) {
    test(`${kind} ${key}, lengths [${lengths.join(', ')}]: outputs, final states and gradients match pack_padded_sequence`, () => {
      const [, layers, dir, layout] = /^l(\d)_(uni|bi)_(tm|bf)$/.exec(key)!;
      const layer: Recurrent = new Layer({ inputSize: 3, hiddenSize: 4, numLayers: Number(layers), bidirectional: dir === 'bi', batchFirst: layout === 'bf' });
      // The fixture file holds more than the layer's weights; its part is the keys that name a weight.
      const weights: StateDict = {};
      for (const [name, t] of Object.entries(fx)) if (/^l\d_\w+\.(weight|bias)_/.test(name) && name.startsWith(`${key}.`)) weights[name] = t;
      layer.loadTorchStateDict(weights, `${key}.`);
      const x = leaf(fx[`${key}.input`]!);
      const initial = (kind === 'lstm' ? ['h0', 'c0'] : ['h0']).map((n) => leaf(fx[`${key}.${n}`]!));
      const [y, state] = layer.forward(x, (initial.length === 1 ? initial[0] : initial) as never, { lengths });
      assertClose(y.data, fx[`${key}.output`]!.data, `${key} output`, TOL, TOL);
      const finals = parts(state);
      const names = kind === 'lstm' ? ['h_n', 'c_n'] : ['h_n'];
      names.forEach((n, j) => assertClose(finals[j]!.data, fx[`${key}.${n}`]!.data, `${key} ${n}`, TOL, TOL));
      let loss = sum(mul(y, fx[`${key}.dloss.output`]!));
      names.forEach((n, j) => (loss = add(loss, sum(mul(finals[j]!, fx[`${key}.dloss.${n}`]!)))));
      loss.backward();
      const cellLayout = (layer.cells[0]![0]! as unknown as { torchLayout: TorchLayout }).torchLayout;
      for (const [name, g] of Object.entries(torchGrads(layer, cellLayout))) assertClose(g.data, fx[`${key}.grad.${name}`]!.data, `${key} grad ${name}`, TOL, TOL);
      assertClose(x.grad!, fx[`${key}.grad.input`]!.data, `${key} grad input`, TOL, TOL);
      initial.forEach((s, j) => assertClose(s.grad!, fx[`${key}.grad.${['h0', 'c0'][j]}`]!.data, `${key} grad ${['h0', 'c0'][j]}`, TOL, TOL));
    });
  }
}

test('gradcheck in float64: a bidirectional 2-layer LSTM and GRU over unsorted lengths, weights, input and state', () => {
  for (const Layer of [LSTM, GRU]) {
    const layer: Recurrent = new Layer({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, batchFirst: true, seed: 4 });
    const x = randn([3, 4, 2], 1);
    const h0 = randn([4, 3, 3], 2);
    const inputs = [...layer.parameters(), x, h0];
    const state = (): State => (layer.stateNames.length === 2 ? [h0, randn([4, 3, 3], 3)] : h0);
    const r = gradcheck(() => {
      const [y, s] = layer.forward(x, state(), { lengths: [2, 4, 1] });
      return add(sum(y), sum(mul(parts(s)[0]!, parts(s)[0]!)));
    }, inputs);
    assert.ok(r.ok, r.failure);
  }
});

test('lengths all T give exactly the unpadded result; sorted and unsorted rows give the same rows', () => {
  const layer = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 9 });
  const x = randn([5, 3, 3], 1);
  noGrad(() => {
    const [plain, [h, c]] = layer.forward(x);
    const [full, [hf, cf]] = layer.forward(x, undefined, { lengths: [5, 5, 5] });
    assert.deepEqual(full.data, plain.data);
    assert.deepEqual(hf.data, h.data);
    assert.deepEqual(cf.data, c.data);
    // Row b alone, cut to its length, is what the batch gives for row b (and zeros past its end).
    const lengths = [2, 5, 3];
    const [y, [hn]] = layer.forward(x, undefined, { lengths });
    lengths.forEach((n, b) => {
      const alone = slice(indexSelect(x, 1, [b]), 0, 0, n);
      const [ya, [ha]] = layer.forward(alone);
      assertClose(slice(slice(y, 1, b, b + 1), 0, 0, n).data, ya.data, `row ${b} outputs`, 1e-6, 1e-6);
      assertClose(indexSelect(hn, 1, [b]).data, ha.data, `row ${b} h_n`, 1e-6, 1e-6);
      if (n < 5) assert.ok(slice(slice(y, 1, b, b + 1), 0, n, 5).data.every((v) => v === 0), `row ${b} is zero past its end`);
    });
    // Reordering the rows (and their lengths) reorders the results, nothing else.
    const perm = [2, 0, 1];
    const [yp, [hp]] = layer.forward(indexSelect(x, 1, perm), undefined, { lengths: perm.map((b) => lengths[b]!) });
    assert.deepEqual(yp.data, indexSelect(y, 1, perm).data);
    assert.deepEqual(hp.data, indexSelect(hn, 1, perm).data);
  });
});

test('bad lengths: 0, longer than T, wrong count, non-integer, wrong shape are one-line errors naming what came', () => {
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true });
  const x = randn([2, 5, 3], 1);
  assert.throws(() => gru.forward(x, undefined, { lengths: [0, 5] }), /^Error: forward: lengths\[0\] is 0; each length must be an integer in \[1, T = 5\]$/);
  assert.throws(() => gru.forward(x, undefined, { lengths: [3, 6] }), /forward: lengths\[1\] is 6; each length must be an integer in \[1, T = 5\]/);
  assert.throws(() => gru.forward(x, undefined, { lengths: [3, 2.5] }), /forward: lengths\[1\] is 2\.5/);
  assert.throws(() => gru.forward(x, undefined, { lengths: [3] }), /forward: lengths must have one entry per sequence \(B = 2\), got 1/);
  assert.throws(() => gru.forward(x, undefined, { lengths: new Tensor([3, 2], [2, 1]) }), /forward: lengths must be \(B,\) = \(2,\), got \(2, 1\)/);
  assert.throws(() => gru.forward(x, undefined, { lengths: [NaN, 2] }), /forward: lengths\[0\] is NaN/);
});
