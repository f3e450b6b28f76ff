// Layer behaviour: the state contract, initialisation, seeds, layouts, bidirectional and dropout semantics,
// state carried across chunks, PyTorch state-dict interchange, parameter identity, and errors on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { Random, manualSeed } from '../src/core/random.js';
import { concat, slice, transpose } from '../src/core/ops/index.js';
import { SGD } from '../src/optim/index.js';
import { GRU, LSTM, RNN, RNNModel, Recurrent, type GRUCell, type LSTMCell, type State, type StateDict } from '../src/nn/index.js';
import { MinimalGRUCell, minimalGRU, originalLSTM } from '../examples/custom-cell.js';
import { randn } from './helpers/random-tensor.js';

const I = 3;
const H = 4;
const T = 3;
const B = 2;


function parts(s: State): Tensor[] {
  return s instanceof Tensor ? [s] : s;
}

function run<S extends State>(layer: Recurrent<S>, x: Tensor, state?: S): [Tensor, Tensor[]] {
  return noGrad(() => {
    const [y, next] = layer.forward(x, state);
    return [y, parts(next)];
  });
}

function assertSame(a: Tensor | ArrayLike<number>, b: Tensor | ArrayLike<number>, what: string, tol = 0): void {
  const x = a instanceof Tensor ? a.data : a;
  const y = b instanceof Tensor ? b.data : b;
  assert.equal(x.length, y.length, `${what}: lengths`);
  for (let k = 0; k < x.length; k++) {
    assert.ok(Math.abs(x[k]! - y[k]!) <= tol, `${what}[${k}]: ${x[k]} vs ${y[k]}`);
  }
}

function differs(a: Tensor, b: Tensor): boolean {
  return a.data.some((v, k) => v !== b.data[k]);
}

// ---- the state contract ---------------------------------------------------------------------------------------

test('LSTM initState gives (h, c), each (D·L, B, H); forward returns the same form', () => {
  for (const [bidirectional, D] of [[false, 1], [true, 2]] as const) {
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional });
    const s = lstm.initState(B);
    assert.ok(Array.isArray(s) && s.length === 2);
    for (const t of s) {
      assert.deepEqual(t.shape, [D * 2, B, H]);
      assert.ok(t.data.every((v) => v === 0));
    }
    const [y, next] = lstm.forward(randn([T, B, I], 1));
    assert.deepEqual(y.shape, [T, B, D * H]);
    assert.ok(Array.isArray(next) && next.length === 2);
    for (const t of next) assert.deepEqual(t.shape, [D * 2, B, H]);
  }
});

test('GRU and RNN initState give a single tensor (D·L, B, H); forward returns one too', () => {
  for (const layer of [new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true }), new RNN({ inputSize: I, hiddenSize: H, numLayers: 3 })]) {
    const s = layer.initState(B);
    assert.ok(s instanceof Tensor);
    assert.deepEqual(s.shape, [layer.numDirections * layer.numLayers, B, H]);
    const [, next] = layer.forward(randn([T, B, I], 1));
    assert.ok(next instanceof Tensor);
    assert.deepEqual(next.shape, [layer.numDirections * layer.numLayers, B, H]);
  }
});

test('RNNModel.beginState follows the cell, built-in or user-written (no class check)', () => {
  const V = 5;
  const lstm = new RNNModel(new LSTM({ inputSize: V, hiddenSize: H, numLayers: 2 }), V).beginState(B);
  assert.ok(Array.isArray(lstm) && lstm.length === 2);
  for (const t of lstm) assert.deepEqual(t.shape, [2, B, H]);
  const gru = new RNNModel(new GRU({ inputSize: V, hiddenSize: H, bidirectional: true }), V).beginState(B);
  assert.ok(gru instanceof Tensor);
  assert.deepEqual(gru.shape, [2, B, H]);
  const rnn = new RNNModel(new RNN({ inputSize: V, hiddenSize: H, numLayers: 3 }), V).beginState(B);
  assert.ok(rnn instanceof Tensor);
  assert.deepEqual(rnn.shape, [3, B, H]);
  assert.deepEqual(new RNNModel(new RNN({ inputSize: V, hiddenSize: H }), V).beginState().shape, [1, 1, H]);

  // The original design's hand-written LSTM gets its pair (fault 3 of the design), with numLayers known.
  const custom = new RNNModel(originalLSTM(V, H, 2), V);
  const pair = custom.beginState(B);
  assert.ok(Array.isArray(pair) && pair.length === 2);
  for (const t of pair) assert.deepEqual(t.shape, [2, B, H]);
  const [logits, next] = custom.forward(new Tensor([0, 1, 2, 3, 4, 0], [B, T]), pair);
  assert.deepEqual(logits.shape, [T * B, V]);
  assert.ok(Array.isArray(next) && next.length === 2);

  const single = new RNNModel(minimalGRU(V, H, 2), V).beginState(B);
  assert.ok(single instanceof Tensor);
  assert.deepEqual(single.shape, [2, B, H]);
});

// ---- initialisation and seeds ---------------------------------------------------------------------------------

test('initialisation: every parameter uniform within ±1/√H (mean ~0, std ~ k/√3, flat histogram)', () => {
  const hidden = 32;
  const k = 1 / Math.sqrt(hidden);
  const layers: Recurrent[] = [
    new LSTM({ inputSize: 16, hiddenSize: hidden, numLayers: 2, bidirectional: true, seed: 3 }),
    new GRU({ inputSize: 16, hiddenSize: hidden, numLayers: 2, seed: 4 }),
    new RNN({ inputSize: 16, hiddenSize: hidden, numLayers: 2, seed: 5 }),
  ];
  for (const layer of layers) {
    const values: number[] = [];
    for (const [name, p] of layer.namedParameters()) {
      for (const v of p.data) assert.ok(v >= -k && v <= k, `${layer.constructor.name} ${name}: ${v} outside ±${k}`);
      assert.ok(p.requiresGrad, `${name} requires grad`);
      values.push(...p.data);
    }
    const n = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const what = `${layer.constructor.name} (${n} values)`;
    assert.ok(Math.abs(mean) < 0.05 * k, `${what}: mean ${mean}`);
    assert.ok(Math.abs(std / (k / Math.sqrt(3)) - 1) < 0.05, `${what}: std ${std}, expected ${k / Math.sqrt(3)}`);
    // Four equal bins over [-k, k] each hold about a quarter (a normal of this std would put ~20% / 30%).
    const bins = [0, 0, 0, 0];
    for (const v of values) bins[Math.min(3, Math.floor(((v + k) / (2 * k)) * 4))]!++;
    for (const c of bins) assert.ok(Math.abs(c / n - 0.25) < 0.02, `${what}: histogram ${bins}`);
    assert.ok(Math.max(...values) > 0.98 * k && Math.min(...values) < -0.98 * k, `${what}: values do not fill ±k`);
  }
  // The model's decoder follows nn.Linear: ±1/√in, with in = the layer's output width.
  const model = new RNNModel(new LSTM({ inputSize: 5, hiddenSize: hidden }), 5);
  for (const v of [...model.decoder.weight.data, ...model.decoder.bias.data]) assert.ok(Math.abs(v) <= k);
});

test('seeds: the same seed gives the same weights, a different seed different ones', () => {
  const make = (seed: number): Recurrent[] => [
    new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed }),
    new GRU({ inputSize: I, hiddenSize: H, seed }),
    new RNN({ inputSize: I, hiddenSize: H, seed }),
    originalLSTM(I, H, 2, seed),
  ];
  const [a, b, c] = [make(7), make(7), make(8)];
  a.forEach((layer, n) => {
    const pa = layer.parameters();
    const pb = b[n]!.parameters();
    const pc = c[n]!.parameters();
    pa.forEach((p, k) => {
      assert.deepEqual(p.data, pb[k]!.data);
      assert.ok(differs(p, pc[k]!), `parameter ${k} equal across seeds 7 and 8`);
    });
    // Different cells of one layer draw different values too (one generator, consumed in turn).
    assert.notEqual(pa[0]!.data[0], pa[1]!.data[0]);
  });
  // Without a seed, layers draw from the global generator as in PyTorch: two fresh layers differ, and manualSeed
  // replays them.
  const fresh = (): Float32Array => new GRU({ inputSize: I, hiddenSize: H }).parameters()[0]!.data as Float32Array;
  manualSeed(5);
  const [first, second] = [fresh(), fresh()];
  assert.ok(first.some((v, k) => v !== second[k]), 'two unseeded layers start from different weights');
  manualSeed(5);
  assert.deepEqual(fresh(), first);
  assert.deepEqual(fresh(), second);
});

// ---- layouts and directions -----------------------------------------------------------------------------------

test('batchFirst gives the same numbers as time-major on the transposed input', () => {
  for (const Kind of [LSTM, GRU, RNN]) {
    const options = { inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 11 };
    const tm = new Kind(options);
    const bf = new Kind({ ...options, batchFirst: true });
    const x = randn([T, B, I], 2);
    const xb = transpose(x, [1, 0, 2]);
    assert.deepEqual(xb.shape, [B, T, I]);
    const s0 = tm.initState(B);
    const state = parts(s0).map((s, j) => randn(s.shape, 20 + j));
    const [y1, s1] = run(tm as Recurrent, x, (state.length === 1 ? state[0] : state) as State);
    const [y2, s2] = run(bf as Recurrent, xb, (state.length === 1 ? state[0] : state) as State);
    assert.deepEqual(y2.shape, [B, T, 2 * H]);
    assertSame(transpose(y2, [1, 0, 2]), y1, `${Kind.name} output`);
    s1.forEach((s, j) => assertSame(s2[j]!, s, `${Kind.name} state ${j}`));
  }
});

test('bidirectional: the reverse half at step t depends only on inputs t..T-1, the forward half on 0..t', () => {
  const steps = 5;
  for (const Kind of [LSTM, GRU, RNN]) {
    const layer = new Kind({ inputSize: I, hiddenSize: H, bidirectional: true, seed: 12 }) as Recurrent;
    const x = randn([steps, B, I], 3);
    const [y] = run(layer, x);
    // Perturb x[0]: the forward half changes everywhere, the reverse half only at t = 0.
    const x0 = new Tensor(Float32Array.from(x.data), x.shape);
    for (let k = 0; k < B * I; k++) x0.data[k]! += 0.5;
    const [y0] = run(layer, x0);
    // Perturb x[T-1]: the reverse half changes everywhere, the forward half only at t = T-1.
    const xl = new Tensor(Float32Array.from(x.data), x.shape);
    for (let k = 0; k < B * I; k++) xl.data[(steps - 1) * B * I + k]! += 0.5;
    const [yl] = run(layer, xl);
    const half = (t: Tensor, step: number, d: number): Tensor => slice(slice(t, 0, step, step + 1), 2, d * H, (d + 1) * H);
    for (let t = 0; t < steps; t++) {
      assert.equal(differs(half(y0, t, 0), half(y, t, 0)), true, `${Kind.name} forward half at t=${t} ignores x[0]`);
      assert.equal(differs(half(y0, t, 1), half(y, t, 1)), t === 0, `${Kind.name} reverse half at t=${t} vs x[0]`);
      assert.equal(differs(half(yl, t, 1), half(y, t, 1)), true, `${Kind.name} reverse half at t=${t} ignores x[T-1]`);
      assert.equal(differs(half(yl, t, 0), half(y, t, 0)), t === steps - 1, `${Kind.name} forward half at t=${t} vs x[T-1]`);
    }
  }
});

test('bidirectional final state: row l·D + d; forward row is the output at T-1, reverse row the output at 0', () => {
  const layer = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 13 });
  const [y, [h]] = run(layer, randn([T, B, I], 4));
  // The last layer's rows are 2 (forward) and 3 (reverse).
  assertSame(slice(h!, 0, 2, 3), slice(slice(y, 0, T - 1, T), 2, 0, H), 'forward h_n');
  assertSame(slice(h!, 0, 3, 4), slice(slice(y, 0, 0, 1), 2, H, 2 * H), 'reverse h_n');
});

test('bidirectional initial state: row l·D + d starts layer l, direction d', () => {
  const D = 2;
  const L = 2;
  for (const Kind of [LSTM, GRU]) {
    const layer = new Kind({ inputSize: I, hiddenSize: H, numLayers: L, bidirectional: true, seed: 13 }) as Recurrent;
    const x = randn([T, B, I], 4);
    const zeros = parts(layer.initState(B));
    const [, base] = run(layer, x, (zeros.length === 1 ? zeros[0] : zeros) as State);
    for (let row = 0; row < D * L; row++) {
      // Perturb only that row of the last state tensor (c for an LSTM, h for a GRU).
      const perturbed = zeros.map((s, j) => {
        const t = new Tensor(Float32Array.from(s.data), s.shape);
        if (j === zeros.length - 1) for (let k = 0; k < B * H; k++) t.data[row * B * H + k] = 0.7;
        return t;
      });
      const [, next] = run(layer, x, (perturbed.length === 1 ? perturbed[0] : perturbed) as State);
      const [l, d] = [Math.floor(row / D), row % D];
      for (let r = 0; r < D * L; r++) {
        const [lr, dr] = [Math.floor(r / D), r % D];
        // Layer 1 reads both directions of layer 0, so a layer-0 row reaches every layer-1 row too.
        const affected = r === row || (l === 0 && lr === 1);
        const changed = next.some((s, j) => differs(slice(s, 0, r, r + 1), slice(base[j]!, 0, r, r + 1)));
        assert.equal(changed, affected, `${Kind.name}: initial row ${row} (layer ${l}, direction ${d}) vs final row ${r} (layer ${lr}, direction ${dr})`);
      }
    }
  }
});

// ---- dropout --------------------------------------------------------------------------------------------------

test('dropout acts only in training; eval() turns it off and train() back on', () => {
  const options = { inputSize: I, hiddenSize: H, numLayers: 2, seed: 14 };
  const withDropout = new LSTM({ ...options, dropout: 0.5 });
  const without = new LSTM(options);
  const x = randn([T, B, I], 5);
  const [reference] = run(without, x);
  assert.equal(withDropout.training, true);
  const [train1] = run(withDropout, x);
  const [train2] = run(withDropout, x);
  assert.ok(differs(train1, reference), 'training output equals the dropout-free output');
  assert.ok(differs(train1, train2), 'two training runs drew the same mask');
  assert.equal(withDropout.eval(), withDropout);
  assert.equal(withDropout.training, false);
  assertSame(run(withDropout, x)[0], reference, 'eval output');
  withDropout.train();
  assert.ok(differs(run(withDropout, x)[0], reference), 'train() did not turn dropout back on');

  // No dropout after the last layer: a single layer is unaffected even in training.
  const single = new GRU({ inputSize: I, hiddenSize: H, dropout: 0.5, seed: 14 });
  assertSame(run(single, x)[0], run(new GRU({ inputSize: I, hiddenSize: H, seed: 14 }), x)[0], 'one-layer output');

  // RNNModel.eval() reaches its layer.
  const model = new RNNModel(new LSTM({ inputSize: 5, hiddenSize: H, numLayers: 2, dropout: 0.5 }), 5);
  model.eval();
  assert.equal(model.rnn.training, false);
  assert.equal(model.decoder.training, false);
  model.train();
  assert.equal(model.rnn.training, true);
});

test('dropout masks come from layer.random: replaying its state replays the training output', () => {
  const layer = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 3, dropout: 0.3, seed: 15 });
  const x = randn([T, B, I], 6);
  const saved = layer.random.state();
  const [a] = run(layer, x);
  layer.random = Random.fromState(saved);
  assertSame(run(layer, x)[0], a, 'replayed output');
});

// ---- state carried across chunks ------------------------------------------------------------------------------

test('a state passed back in continues the sequence: T steps at once = two chunks with the state carried', () => {
  const steps = 6;
  const layers: Recurrent[] = [
    new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 16 }),
    new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 17 }),
    new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 18 }),
    originalLSTM(I, H, 2, 19),
    new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, batchFirst: true, seed: 20 }),
  ];
  for (const layer of layers) {
    const axis = layer.batchFirst ? 1 : 0;
    const x = randn(layer.batchFirst ? [B, steps, I] : [steps, B, I], 7);
    const [whole, sWhole] = run(layer, x);
    const [first, sFirst] = run(layer, slice(x, axis, 0, 2));
    const [second, sSecond] = run(layer, slice(x, axis, 2, steps), (sFirst.length === 1 ? sFirst[0] : sFirst) as State);
    assertSame(concat([first, second], axis), whole, `${layer.constructor.name} output`, 1e-6);
    sWhole.forEach((s, j) => assertSame(sSecond[j]!, s, `${layer.constructor.name} state ${j}`, 1e-6));
    // Starting the second chunk from zeros instead gives something else: the state really matters.
    assert.ok(differs(run(layer, slice(x, axis, 2, steps))[0], second));
  }
});

// ---- PyTorch state dicts --------------------------------------------------------------------------------------

test('torchStateDict: PyTorch names and shapes (2-layer bidirectional LSTM, H=4, I=3)', () => {
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true });
  const got = Object.entries(lstm.torchStateDict()).map(([name, t]) => [name, t.shape]);
  const expected: Array<[string, number[]]> = [];
  for (const l of [0, 1])
    for (const s of ['', '_reverse']) {
      expected.push([`weight_ih_l${l}${s}`, [16, l === 0 ? 3 : 8]], [`weight_hh_l${l}${s}`, [16, 4]], [`bias_ih_l${l}${s}`, [16]], [`bias_hh_l${l}${s}`, [16]]);
    }
  assert.deepEqual(got, expected);
  // GRU stacks 3 gates, RNN 1; without bias there are no bias tensors.
  const gru = new GRU({ inputSize: I, hiddenSize: H, bias: false }).torchStateDict();
  assert.deepEqual(
    Object.entries(gru).map(([n, t]) => [n, t.shape]),
    [['weight_ih_l0', [12, 3]], ['weight_hh_l0', [12, 4]]],
  );
  assert.deepEqual(new RNN({ inputSize: I, hiddenSize: H }).torchStateDict().bias_ih_l0!.shape, [4]);
});

test('torchStateDict / loadTorchStateDict round trip into a fresh layer gives identical outputs', () => {
  const configs = [
    { Kind: LSTM, options: { inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true } },
    { Kind: GRU, options: { inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true } },
    { Kind: GRU, options: { inputSize: I, hiddenSize: H, bias: false } },
    { Kind: RNN, options: { inputSize: I, hiddenSize: H, numLayers: 2, nonlinearity: 'relu' as const } },
  ];
  for (const { Kind, options } of configs) {
    const source = new Kind({ ...options, seed: 21 }) as Recurrent;
    const target = new Kind({ ...options, seed: 22 }) as Recurrent;
    const x = randn([T, B, I], 8);
    assert.ok(differs(run(source, x)[0], run(target, x)[0]));
    const before = target.parameters();
    target.loadTorchStateDict(source.torchStateDict());
    // Loaded in place: the same tensor objects (an optimizer holding them stays valid).
    target.parameters().forEach((p, k) => assert.equal(p, before[k]));
    const [ys, ss] = run(source, x);
    const [yt, st] = run(target, x);
    assertSame(yt, ys, `${Kind.name} output`, 1e-6);
    ss.forEach((s, j) => assertSame(st[j]!, s, `${Kind.name} state ${j}`, 1e-6));
  }
  // RNNModel: rnn.*, linear.weight/bias and embedding.weight.
  const src = new RNNModel(new LSTM({ inputSize: I, hiddenSize: H, seed: 23 }), 5, { embeddingDim: I, seed: 23 });
  const dst = new RNNModel(new LSTM({ inputSize: I, hiddenSize: H, seed: 24 }), 5, { embeddingDim: I, seed: 24 });
  const dict = src.torchStateDict();
  assert.deepEqual(Object.keys(dict), ['embedding.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'linear.weight', 'linear.bias']);
  assert.deepEqual(dict['linear.weight']!.shape, [5, H]);
  dst.loadTorchStateDict(dict);
  const tokens = new Tensor([0, 1, 2, 3, 4, 0], [B, T]);
  assertSame(noGrad(() => dst.forward(tokens)[0]), noGrad(() => src.forward(tokens)[0]), 'RNNModel logits', 1e-6);
});

/** A state dict with every tensor filled by distinct random values. */
function randomDict(shapes: StateDict, seed: number): StateDict {
  const out: StateDict = {};
  Object.entries(shapes).forEach(([name, t], k) => (out[name] = randn(t.shape, seed + k)));
  return out;
}

test('loading: GRU keeps b_hn apart (b_n = bias_ih n-part, b_hn = bias_hh n-part), others sum ih + hh', () => {
  const gru = new GRU({ inputSize: I, hiddenSize: H });
  const dict = randomDict(gru.torchStateDict(), 30);
  gru.loadTorchStateDict(dict);
  const cell = gru.cells[0]![0]! as GRUCell;
  const bih = dict.bias_ih_l0!.data;
  const bhh = dict.bias_hh_l0!.data;
  const part = (d: ArrayLike<number>, g: number): number[] => Array.from(d).slice(g * H, (g + 1) * H);
  assertSame(cell.params.b_n!, part(bih, 2), 'b_n');
  assertSame(cell.params.b_hn!, part(bhh, 2), 'b_hn');
  assertSame(cell.params.b_r!, part(bih, 0).map((v, j) => v + part(bhh, 0)[j]!), 'b_r', 1e-6);
  assertSame(cell.params.b_z!, part(bih, 1).map((v, j) => v + part(bhh, 1)[j]!), 'b_z', 1e-6);
  // weight_ih[g·H + j, p] = W_g[p, j] (n is the third gate).
  for (let j = 0; j < H; j++) for (let p = 0; p < I; p++) assert.equal(cell.params.W_n!.data[p * H + j], dict.weight_ih_l0!.data[(2 * H + j) * I + p]);
  // Exported again, bias_hh keeps only the n-part (the r and z parts were folded into bias_ih).
  const back = gru.torchStateDict();
  assertSame(part(back.bias_hh_l0!.data, 2), part(bhh, 2), 'exported bias_hh n-part');
  assertSame(part(back.bias_hh_l0!.data, 0), [0, 0, 0, 0], 'exported bias_hh r-part');
});

test('loading: LSTM sums bias_ih + bias_hh per gate, in PyTorch order i, f, g(=a), o', () => {
  const lstm = new LSTM({ inputSize: I, hiddenSize: H });
  const dict = randomDict(lstm.torchStateDict(), 40);
  lstm.loadTorchStateDict(dict);
  const cell = lstm.cells[0]![0]! as LSTMCell;
  const bih = dict.bias_ih_l0!.data;
  const bhh = dict.bias_hh_l0!.data;
  ['b_i', 'b_f', 'b_a', 'b_o'].forEach((name, g) => {
    const expected = Array.from({ length: H }, (_, j) => bih[g * H + j]! + bhh[g * H + j]!);
    assertSame(cell.params[name]!, expected, name, 1e-6);
  });
  ['U_i', 'U_f', 'U_a', 'U_o'].forEach((name, g) => {
    for (let j = 0; j < H; j++) for (let p = 0; p < H; p++) assert.equal(cell.params[name]!.data[p * H + j], dict.weight_hh_l0!.data[(g * H + j) * H + p], name);
  });
});

// ---- parameters -----------------------------------------------------------------------------------------------

test('parameters() are exactly namedParameters() tensors, the objects an optimizer updates', () => {
  const layers: Recurrent[] = [new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true }), new GRU({ inputSize: I, hiddenSize: H }), originalLSTM(I, H, 2)];
  for (const layer of layers) {
    const named = layer.namedParameters();
    const params = layer.parameters();
    assert.equal(params.length, named.length);
    named.forEach(([, t], k) => assert.equal(params[k], t));
    assert.equal(new Set(named.map(([n]) => n)).size, named.length, 'names are unique');
    assert.equal(new Set(params).size, params.length, 'no tensor listed twice');
    // They are the cells' own tensors.
    const cellTensors = layer.cells.flatMap((row) => row.flatMap((c) => c.namedParameters().map(([, t]) => t)));
    assert.deepEqual(new Set(cellTensors), new Set(params));
  }
  const lstm = layers[0]!;
  assert.deepEqual(
    lstm.namedParameters().slice(0, 3).map(([n]) => n),
    ['l0.W_i', 'l0.W_f', 'l0.W_o'],
  );
  assert.ok(lstm.namedParameters().some(([n]) => n === 'l1_reverse.b_a'));

  // Mutating .data in place (what an optimizer does) changes the layer's output.
  const x = randn([T, B, I], 9);
  const [before] = run(lstm, x);
  const p = lstm.parameters()[0]!;
  p.data[0]! += 0.5;
  const [after] = run(lstm, x);
  assert.ok(differs(before, after), 'in-place change of a parameter did not change the output');

  // An optimizer built from a model's parameters() updates the layer's own tensors.
  const model = new RNNModel(new GRU({ inputSize: I, hiddenSize: H }), 5, { embeddingDim: I });
  const modelParams = model.parameters();
  for (const t of model.rnn.parameters()) assert.ok(modelParams.includes(t));
  assert.ok(modelParams.includes(model.decoder.weight) && modelParams.includes(model.embedding!));
  const tokens = new Tensor([0, 1, 2, 3, 4, 0], [B, T]);
  const [logits0] = noGrad(() => model.forward(tokens));
  const [logits] = model.forward(tokens);
  logits.backward(new Float32Array(logits.size).fill(1));
  const optimizer = new SGD(modelParams, { lr: 0.1 });
  const w = model.rnn.parameters()[0]!;
  const w0 = Float32Array.from(w.data);
  optimizer.step();
  assert.ok(w.data.some((v, k) => v !== w0[k]), 'SGD did not update the layer parameter');
  assert.ok(differs(noGrad(() => model.forward(tokens)[0]), logits0));
});

// ---- errors ---------------------------------------------------------------------------------------------------

test('bad input: wrong rank or input width names expected and got', () => {
  const lstm = new LSTM({ inputSize: I, hiddenSize: H });
  assert.throws(() => lstm.forward(randn([T, I], 1)), /expected input \(T, B, I\) with I = 3, got \(3, 3\)/);
  assert.throws(() => lstm.forward(randn([T, B, 5], 1)), /expected input \(T, B, I\) with I = 3, got \(3, 2, 5\)/);
  const bf = new GRU({ inputSize: I, hiddenSize: H, batchFirst: true });
  assert.throws(() => bf.forward(randn([B, T, 1, I], 1)), /expected input \(B, T, I\) with I = 3, got \(2, 3, 1, 3\)/);
});

test('bad state: kind and shape', () => {
  const x = randn([T, B, I], 1);
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2 });
  assert.throws(() => lstm.forward(x, randn([2, B, H], 2) as never), /state must be a tuple \(h, c\), got a single tensor/);
  assert.throws(() => lstm.forward(x, [randn([2, B, H], 2)] as never), /state must be a tuple \(h, c\), got 1 tensors/);
  const gru = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2 });
  assert.throws(() => gru.forward(x, [randn([2, B, H], 2), randn([2, B, H], 3)] as never), /state must be a single tensor h, got 2 tensors/);
  assert.throws(() => gru.forward(x, randn([1, B, H], 2)), /state h must be \(2, 2, 4\) .*got \(1, 2, 4\)/);
  assert.throws(() => gru.forward(x, randn([2, 3, H], 2)), /state h must be \(2, 2, 4\) .*got \(2, 3, 4\)/);
  assert.throws(() => lstm.forward(x, [randn([2, B, H], 2), randn([2, B], 3)]), /state c must be \(2, 2, 4\) .*got \(2, 2\)/);
  assert.throws(() => new RNN({ inputSize: I, hiddenSize: H }).initState(0), /batch must be an integer >= 1, got 0/);
});

test('bad state dict: missing, extra and misshaped tensors are named', () => {
  const lstm = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true });
  const good = lstm.torchStateDict();
  const { weight_hh_l1: _dropped, ...missing } = good;
  assert.throws(() => lstm.loadTorchStateDict(missing), /missing weight_hh_l1(?!_reverse)/);
  assert.throws(() => lstm.loadTorchStateDict({ ...good, weight_ih_l2: randn([16, 8], 1) }), /unexpected weight_ih_l2/);
  assert.throws(() => lstm.loadTorchStateDict({ ...good, weight_ih_l0: randn([16, 4], 1) }), /weight_ih_l0 must have shape \(16, 3\), got \(16, 4\)/);
  assert.throws(() => lstm.loadTorchStateDict({ ...good, bias_hh_l1_reverse: randn([12], 1) }), /bias_hh_l1_reverse must have shape \(16,\), got \(12,\)/);
  // A failed load leaves the weights alone.
  const before = lstm.parameters().map((p) => Float32Array.from(p.data));
  assert.throws(() => lstm.loadTorchStateDict({ ...randomDict(good, 50), weight_ih_l0: randn([16, 4], 1) }));
  lstm.parameters().forEach((p, k) => assert.deepEqual(p.data, before[k]));
  // A layer without bias rejects bias tensors, and RNNModel rejects names it does not know.
  const noBias = new GRU({ inputSize: I, hiddenSize: H, bias: false });
  assert.throws(() => noBias.loadTorchStateDict(new GRU({ inputSize: I, hiddenSize: H }).torchStateDict()), /unexpected bias_ih_l0, bias_hh_l0/);
  const model = new RNNModel(new GRU({ inputSize: 5, hiddenSize: H }), 5);
  assert.throws(() => model.loadTorchStateDict({ ...model.torchStateDict(), 'decoder.weight': randn([5, H], 1) }), /unexpected decoder\.weight/);
});

test('torchStateDict refuses an LSTM with outputProjection and a user-written cell', () => {
  const projected = new LSTM({ inputSize: I, hiddenSize: H, outputProjection: true });
  assert.throws(() => projected.torchStateDict(), /output projection \(W_h, b_h\), which nn\.LSTM does not have/);
  assert.throws(() => projected.loadTorchStateDict({}), /output projection/);
  assert.throws(() => originalLSTM(I, H).torchStateDict(), /not a built-in LSTM, GRU or RNN cell/);
  assert.throws(() => minimalGRU(I, H).loadTorchStateDict({}), /not a built-in LSTM, GRU or RNN cell/);
});

test('RNNModel refuses a layer whose inputSize does not match the vocabulary or embeddingDim', () => {
  assert.throws(() => new RNNModel(new LSTM({ inputSize: I, hiddenSize: H }), 5), /inputSize is 3 but must equal the vocabulary size 5/);
  assert.throws(() => new RNNModel(new GRU({ inputSize: I, hiddenSize: H }), 5, { embeddingDim: 6 }), /inputSize is 3 but must equal embeddingDim 6/);
  assert.throws(() => new RNNModel(new GRU({ inputSize: I, hiddenSize: H }), 0), /vocabSize must be a positive integer, got 0/);
  assert.throws(() => new RNNModel(new GRU({ inputSize: I, hiddenSize: H }), I).forward(randn([B * T], 1)), /tokens must be \(B, T\) ids, got \(6,\)/);
});

test('bad constructor options: sizes, dropout, a cell that does not fit', () => {
  assert.throws(() => new LSTM({ inputSize: I, hiddenSize: 0 }), /hiddenSize must be an integer >= 1, got 0/);
  assert.throws(() => new GRU({ inputSize: I, hiddenSize: H, numLayers: 1.5 }), /numLayers must be an integer >= 1, got 1\.5/);
  assert.throws(() => new RNN({ inputSize: 0, hiddenSize: H }), /inputSize must be an integer >= 1, got 0/);
  assert.throws(() => new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, dropout: 1.0 }), /dropout must be in \[0, 1\), got 1/);
  assert.throws(() => new LSTM({ inputSize: I, hiddenSize: H, dropout: -0.1 }), /dropout must be in \[0, 1\), got -0\.1/);
  assert.throws(() => new RNN({ inputSize: I, hiddenSize: H, nonlinearity: 'sigmoid' as never }), /nonlinearity must be "tanh" or "relu", got "sigmoid"/);
  // A factory whose cell ignores the width it was given.
  assert.throws(
    () => new Recurrent({ inputSize: I, hiddenSize: H, numLayers: 2 }, (_width, _l, _d, random) => new MinimalGRUCell(I, H, random)),
    /cell for layer 1 must have inputSize 4 and hiddenSize 4, got 3 and 4/,
  );
});
