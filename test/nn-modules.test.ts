// The module tree: registration once, dotted names over the whole tree, train/eval reaching every child, state
// dicts in our names and PyTorch's (strict, prefixed, hostile keys), Linear on any leading shape, Embedding and
// Dropout modules, and the global generator (manualSeed) that unseeded layers draw from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { Random, defaultRandom, getRngState, manualSeed, setRngState } from '../src/core/random.js';
import { gradcheck } from '../src/core/gradcheck.js';
import { reshape, sum } from '../src/core/ops/index.js';
import { Dropout, Embedding, GRU, LSTM, Linear, Module, RNNModel, Sequential, type StateDict } from '../src/nn/index.js';
import { randn } from './helpers/random-tensor.js';

class Model extends Module {
  readonly rnn = this.registerModule('rnn', new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5, batchFirst: true, seed: 1 }));
  readonly head = this.registerModule('head', new Linear(4, 2, { seed: 2 }));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.rnn.forward(x)[0]);
  }
}

test('registration: each name once, no dots; parameters under dotted names, own first, a shared tensor once', () => {
  const m = new Model();
  const names = m.namedParameters().map(([n]) => n);
  assert.deepEqual(names.slice(0, 2), ['rnn.l0.W_r', 'rnn.l0.W_z']);
  assert.deepEqual(names.slice(-2), ['head.weight', 'head.bias']);
  assert.equal(new Set(names).size, names.length);
  assert.throws(() => m.registerModule('head', new Linear(2, 2)), /module name "head" is already registered on this module/);
  assert.throws(() => m.registerParameter('rnn', randn([1], 1)), /parameter name "rnn" is already registered/);
  assert.throws(() => m.registerParameter('a.b', randn([1], 1)), /parameter name must be a non-empty string without dots, got "a\.b"/);
  // A tensor registered twice (tied weights) is one parameter, so an optimizer sees it once.
  class Tied extends Module {
    readonly a = this.registerModule('a', new Linear(3, 3, { seed: 1 }));
    readonly w = this.registerParameter('w', this.a.weight);
  }
  assert.deepEqual(new Tied().namedParameters().map(([n]) => n), ['w', 'a.bias']);
});

test('train() and eval() reach every module of the tree, cells included', () => {
  const m = new Sequential(new Model(), new Dropout(0.2));
  const all = (mod: Module): Module[] => [mod, ...mod.namedChildren().flatMap(([, child]) => all(child))];
  assert.ok(all(m).length > 6);
  m.eval();
  assert.ok(all(m).every((x) => !x.training));
  m.train();
  assert.ok(all(m).every((x) => x.training));
  // Dropout inside the tree follows: eval gives the same output twice, training does not.
  const x = randn([2, 3, 3], 3);
  const inner = m.layers[0] as unknown as Model;
  m.eval();
  noGrad(() => assert.deepEqual(inner.forward(x).data, inner.forward(x).data));
  m.train();
  noGrad(() => assert.notDeepEqual(inner.forward(x).data, inner.forward(x).data));
});

test('stateDict / loadStateDict: a fresh model loaded from it computes the same; strict errors name what is missing, extra or misshaped', () => {
  const a = new Model().eval();
  const b = new Model().eval();
  for (const p of b.parameters()) p.data.fill(0.25);
  const dict = a.stateDict();
  assert.equal(Object.getPrototypeOf(dict), null);
  b.loadStateDict(dict);
  const x = randn([2, 3, 3], 4);
  noGrad(() => assert.deepEqual(b.forward(x).data, a.forward(x).data));
  // Copies, not the parameters themselves.
  dict['head.bias']!.data.fill(9);
  assert.notEqual(a.head.bias!.data[0], 9);

  const { ['head.bias']: _dropped, ...missing } = a.stateDict();
  assert.throws(() => b.loadStateDict(missing), /^Error: loadStateDict: state dict does not fit this Model: missing head\.bias$/);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), 'head.scale': randn([2], 1) }), /loadStateDict: state dict does not fit this Model: unexpected head\.scale/);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), 'head.weight': randn([2, 4], 1) }), /loadStateDict: head\.weight must have shape \(4, 2\), got \(2, 4\)/);
  const nan = a.stateDict();
  nan['rnn.l1.U_n']!.data[3] = NaN;
  assert.throws(() => b.loadStateDict(nan), /^Error: loadStateDict: rnn\.l1\.U_n holds NaN at element 3$/);
  const huge = a.stateDict();
  huge['head.weight']!.data[1] = 3e38;
  assert.throws(() => b.loadStateDict(huge), /^Error: loadStateDict: head\.weight holds 3\.\d+e\+38 at element 1, beyond the bound 1000000 on weight values$/);
  const torchHuge = a.torchStateDict();
  torchHuge['rnn.weight_hh_l0']!.data[0] = -2e6;
  assert.throws(() => b.loadTorchStateDict(torchHuge), /^Error: loadTorchStateDict: rnn\.weight_hh_l0 holds -2000000 at element 0, beyond the bound/);
  // Nothing changed by a failed load; non-strict skips missing and unexpected keys but not shapes.
  const before = b.parameters().map((p) => [...p.data]);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), 'head.weight': randn([3, 3], 1) }));
  assert.deepEqual(b.parameters().map((p) => [...p.data]), before);
  b.loadStateDict({ 'head.bias': new Tensor([1, 2], [1, 2]), extra: randn([1], 1) }, { strict: false });
  assert.deepEqual([...b.head.bias!.data], [1, 2]);
});

test('keys from a file cannot reach Object.prototype: "constructor", "__proto__" and "toString" are just unknown names', () => {
  const m = new Linear(2, 2, { seed: 1 });
  const hostile = JSON.parse('{"__proto__": 1, "constructor": 2}') as StateDict;
  assert.throws(() => m.loadStateDict(hostile), /missing weight, bias; unexpected __proto__, constructor/);
  assert.throws(() => m.loadTorchStateDict({ toString: randn([2, 2], 1) } as StateDict), /missing weight, bias; unexpected toString/);
  assert.throws(() => m.loadStateDict({ weight: randn([2, 2], 1) }), /missing bias$/);
});

test('torch state dicts of a composition carry prefixes; a layer loads its part of a bigger dict by prefix', () => {
  const m = new Model();
  const dict = m.torchStateDict();
  assert.ok('rnn.weight_ih_l0' in dict && 'rnn.bias_hh_l1' in dict && 'head.weight' in dict);
  assert.deepEqual([...dict['head.weight']!.shape], [2, 4]);
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 9 });
  gru.loadTorchStateDict(dict, 'rnn.');
  gru.parameters().forEach((p, k) => assert.deepEqual(p.data, m.rnn.parameters()[k]!.data));
  // Without the prefix the dict does not fit, and the error says which prefix does.
  assert.throws(() => gru.loadTorchStateDict(dict), /state dict does not fit this GRU: missing weight_ih_l0, .*; unexpected rnn\.weight_ih_l0, .*\(its part under "rnn\." fits: pass the prefix "rnn\."\)/);
  // Within the prefix it is strict: a third layer's weights are unexpected.
  assert.throws(() => gru.loadTorchStateDict({ ...dict, 'rnn.weight_ih_l2': randn([12, 4], 1) }, 'rnn.'), /unexpected rnn\.weight_ih_l2/);
  const head = new Linear(4, 2);
  head.loadTorchStateDict(dict, 'head.');
  assert.deepEqual(head.weight.data, m.head.weight.data);
  // The language model keeps d2l's names: decoder -> linear.
  const lm = new RNNModel(new LSTM({ inputSize: 5, hiddenSize: 3, seed: 1 }), 5, { embeddingDim: undefined, seed: 2 });
  assert.deepEqual(Object.keys(lm.torchStateDict()).sort(), ['linear.bias', 'linear.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
  assert.deepEqual(lm.namedParameters().map(([n]) => n).slice(-2), ['decoder.weight', 'decoder.bias']);
});

test('Linear takes any leading shape (..., in), row for row the same as (N, in); gradients check', () => {
  const lin = new Linear(3, 2, { seed: 5 });
  const x = randn([2, 4, 3], 1);
  const y = lin.forward(x);
  assert.deepEqual([...y.shape], [2, 4, 2]);
  assert.deepEqual(y.data, lin.forward(reshape(x, [8, 3])).data);
  assert.deepEqual([...lin.forward(randn([3], 2)).shape], [2]);
  assert.throws(() => lin.forward(randn([2, 4], 1)), /Linear: expected input \(\.\.\., 3\), got \(2, 4\)/);
  const r = gradcheck(() => sum(lin.forward(x)), [lin.weight, lin.bias!, x]);
  assert.ok(r.ok, r.failure);
  const noBias = new Linear(3, 2, { bias: false, seed: 1 });
  assert.deepEqual(noBias.namedParameters().map(([n]) => n), ['weight']);
  assert.deepEqual(Object.keys(noBias.torchStateDict()), ['weight']);
});

test('manualSeed: unseeded layers draw from one global generator, so two differ and a seed replays the whole run', () => {
  manualSeed(42);
  const [a, b] = [new Linear(8, 4), new Linear(8, 4)];
  assert.notDeepEqual(a.weight.data, b.weight.data);
  manualSeed(42);
  assert.deepEqual(new Linear(8, 4).weight.data, a.weight.data);
  assert.deepEqual(new Linear(8, 4).weight.data, b.weight.data);
  // An explicit seed does not touch or follow the global stream.
  const state = getRngState();
  const seeded = new Linear(8, 4, { seed: 3 });
  assert.deepEqual(getRngState(), state);
  assert.deepEqual(seeded.weight.data, new Linear(8, 4, new Random(3)).weight.data);
  // Reseeding in place: a layer holding the global generator follows manualSeed (its dropout masks replay).
  const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, dropout: 0.5 });
  assert.equal(lstm.random, defaultRandom());
  const x = randn([4, 2, 2], 1);
  manualSeed(7);
  const first = noGrad(() => lstm.forward(x)[0].data);
  manualSeed(7);
  assert.deepEqual(noGrad(() => lstm.forward(x)[0].data), first);
  setRngState(state);
  assert.deepEqual(getRngState(), state);
  assert.throws(() => setRngState([0, 0, 0, 0]), /setRngState: all four words are zero/);
  assert.throws(() => manualSeed(1.5), /manualSeed: seed must be an integer, got 1\.5/);
});

test('Embedding: N(0, 1) table as nn.Embedding, rows by id, any id shape; Dropout module: train only, global masks', () => {
  const e = new Embedding(200, 50, { seed: 1 });
  const v = [...e.weight.data];
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(std - 1) < 0.03, `mean ${mean}, std ${std}`);
  const out = e.forward(new Tensor([3, 0, 199, 3], [2, 2]));
  assert.deepEqual([...out.shape], [2, 2, 50]);
  assert.deepEqual(out.data.subarray(0, 50), e.weight.data.subarray(150, 200));
  assert.throws(() => e.forward(new Tensor([200], [1])), /embedding: id 200 at position 0 is outside \[0, 200\)/);
  assert.throws(() => e.forward(new Tensor([1.5], [1])), /embedding: id 1\.5 at position 0/);
  assert.throws(() => new Embedding(3, 2, { weight: randn([2, 3], 1) }), /Embedding: weight must have shape \(3, 2\), got \(2, 3\)/);

  const drop = new Dropout(0.5);
  const x = new Tensor(new Float32Array(1000).fill(1), [1000]);
  manualSeed(3);
  const y = drop.forward(x);
  assert.ok(y.data.every((u) => u === 0 || u === 2));
  manualSeed(3);
  assert.deepEqual(drop.forward(x).data, y.data);
  assert.equal(drop.eval().forward(x), x);
  assert.throws(() => new Dropout(1), /Dropout: probability must be in \[0, 1\), got 1/);
});

test("Sequential: a recurrent layer's output flows on (its state is dropped); children are named 0, 1, ...", () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 1 });
  const head = new Linear(4, 2, { seed: 2 });
  const seq = new Sequential(lstm, new Dropout(0.1), head).eval();
  const x = randn([2, 5, 3], 1);
  noGrad(() => assert.deepEqual(seq.forward(x).data, head.forward(lstm.forward(x)[0]).data));
  assert.deepEqual(seq.namedChildren().map(([n]) => n), ['0', '1', '2']);
  assert.ok(Object.keys(seq.torchStateDict()).includes('0.weight_ih_l0'));
  assert.ok(Object.keys(seq.stateDict()).includes('2.weight'));
  assert.throws(() => new Sequential(), /Sequential: needs at least one layer/);
});
