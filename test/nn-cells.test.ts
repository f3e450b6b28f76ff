// Gradient tests: every cell and layer configuration against central finite differences (gradcheck, float64),
// with respect to all parameters, the input and the initial state. Small sizes: I = 3, H = 4, T = 3, B = 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { Random } from '../src/core/random.js';
import { gradcheck, type GradcheckResult } from '../src/core/gradcheck.js';
import { add, concat, crossEntropy, matmul, reshape } from '../src/core/ops/index.js';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, RNNModel, Recurrent, type Cell, type State } from '../src/nn/index.js';
import { MinimalGRUCell, OriginalLSTMCell, minimalGRU, originalLSTM } from '../examples/custom-cell.js';
import { randn } from './helpers/random-tensor.js';

const I = 3;
const H = 4;
const T = 3;
const B = 2;


/** Every tensor flattened and joined, so one gradcheck covers output and state alike. */
function flat(...ts: Tensor[]): Tensor {
  return concat(
    ts.map((t) => reshape(t, [-1])),
    0,
  );
}

function stateParts(s: State): Tensor[] {
  return s instanceof Tensor ? [s] : s;
}

function assertGrad(r: GradcheckResult): void {
  assert.ok(r.ok, r.failure);
  assert.ok(r.checked > 0);
}

/** gradcheck of one cell step w.r.t. its parameters, x and the incoming state. */
function checkCell(cell: Cell, seed = 1): GradcheckResult {
  const x = randn([B, cell.inputSize], seed);
  const state = cell.stateNames.map((_, j) => randn([B, cell.hiddenSize], seed + 10 + j, 0.5));
  const params = cell.namedParameters().map(([, t]) => t);
  return gradcheck(() => {
    const next = cell.step(x, state);
    return flat(next.output, ...next.state);
  }, [...params, x, ...state]);
}

/** gradcheck of a whole layer run w.r.t. its parameters, the input and the initial state. */
function checkLayer(layer: Recurrent, seed = 1, before?: () => void): GradcheckResult {
  const D = layer.numDirections;
  const x = randn(layer.batchFirst ? [B, T, layer.inputSize] : [T, B, layer.inputSize], seed);
  const initial = layer.stateNames.map((_, j) => randn([D * layer.numLayers, B, layer.hiddenSize], seed + 10 + j, 0.5));
  const state = (initial.length === 1 ? initial[0]! : initial) as State;
  return gradcheck(() => {
    before?.();
    const [y, next] = layer.forward(x, state);
    return flat(y, ...stateParts(next));
  }, [...layer.parameters(), x, ...initial]);
}

test('LSTMCell gradients (with bias)', () => {
  const cell = new LSTMCell({ inputSize: I, hiddenSize: H, random: new Random(1) });
  assert.equal(cell.namedParameters().length, 12);
  assertGrad(checkCell(cell));
});

test('LSTMCell gradients (without bias)', () => {
  const cell = new LSTMCell({ inputSize: I, hiddenSize: H, bias: false, random: new Random(2) });
  assert.equal(cell.namedParameters().length, 8);
  assertGrad(checkCell(cell));
});

test('LSTMCell gradients (with outputProjection W_h, b_h)', () => {
  const cell = new LSTMCell({ inputSize: I, hiddenSize: H, outputProjection: true, random: new Random(3) });
  assert.deepEqual(
    cell.namedParameters().slice(-2).map(([n]) => n),
    ['W_h', 'b_h'],
  );
  assertGrad(checkCell(cell));
});

test('GRUCell gradients (with bias, b_hn separate)', () => {
  const cell = new GRUCell({ inputSize: I, hiddenSize: H, random: new Random(4) });
  assert.ok(cell.namedParameters().some(([n]) => n === 'b_hn'));
  assertGrad(checkCell(cell));
});

test('GRUCell gradients (without bias)', () => {
  const cell = new GRUCell({ inputSize: I, hiddenSize: H, bias: false, random: new Random(5) });
  assert.equal(cell.namedParameters().length, 6);
  assertGrad(checkCell(cell));
});

test('RNNCell tanh gradients', () => {
  assertGrad(checkCell(new RNNCell({ inputSize: I, hiddenSize: H, nonlinearity: 'tanh', random: new Random(6) })));
});

/** Smallest |x W + h U + b| a relu RNN cell sees; gradcheck is only meaningful away from relu's kink at 0. */
function reluMargin(cell: RNNCell, x: Tensor, h: Tensor): number {
  const { W, U, b } = cell.params;
  const pre = noGrad(() => add(matmul(x, W!), matmul(h, U!), b!));
  return Math.min(...Array.from(pre.data, Math.abs));
}

test('RNNCell relu gradients (pre-activations kept away from 0)', () => {
  const cell = new RNNCell({ inputSize: I, hiddenSize: H, nonlinearity: 'relu', random: new Random(7) });
  const seed = 1; // checkCell's x and h
  const margin = reluMargin(cell, randn([B, I], seed), randn([B, H], seed + 10, 0.5));
  assert.ok(margin > 1e-3, `a pre-activation is within ${margin} of relu's kink`);
  // Some units on each side of the kink, so both branches of relu's gradient are exercised.
  const { W, U, b } = cell.params;
  const pre = add(matmul(randn([B, I], seed), W!), matmul(randn([B, H], seed + 10, 0.5), U!), b!);
  assert.ok(pre.data.some((v) => v > 0) && pre.data.some((v) => v < 0));
  assertGrad(checkCell(cell, seed));
});

test('LSTM, 2 layers, bidirectional, batchFirst: gradients', () => {
  const layer = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, batchFirst: true, seed: 8 });
  assertGrad(checkLayer(layer));
});

test('GRU, 2 layers, bidirectional: gradients', () => {
  assertGrad(checkLayer(new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 9 })));
});

test('RNN tanh, 2 layers: gradients', () => {
  assertGrad(checkLayer(new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 10 })));
});

test('RNN relu, 2 layers: gradients at a seed where no pre-activation is within 1e-3 of 0', () => {
  // Probe every cell's pre-activations during a forward run, and take the first seed that stays clear of the kink.
  let chosen: number | undefined;
  for (let seed = 0; seed < 20 && chosen === undefined; seed++) {
    const layer = new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, nonlinearity: 'relu', seed });
    let margin = Infinity;
    for (const row of layer.cells)
      for (const cell of row) {
        const inner = cell.step.bind(cell);
        cell.step = (x, s) => {
          margin = Math.min(margin, reluMargin(cell as RNNCell, x, s[0]!));
          return inner(x, s);
        };
      }
    const x = randn([T, B, I], 1);
    noGrad(() => layer.forward(x, randn([2, B, H], 11, 0.5)));
    if (margin > 1e-3) chosen = seed;
  }
  assert.ok(chosen !== undefined, 'no seed in 0..19 keeps relu pre-activations away from 0');
  assertGrad(checkLayer(new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, nonlinearity: 'relu', seed: chosen })));
});

test('LSTM with dropout 0.3 in training mode: gradients, with the mask replayed on every call', () => {
  const layer = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, dropout: 0.3, seed: 12 });
  assert.equal(layer.training, true);
  const saved = layer.random.state();
  const replay = (): void => {
    layer.random = Random.fromState(saved);
  };
  // The mask really is applied: with it replayed the gradients check out...
  assertGrad(checkLayer(layer, 1, replay));
  // ...and without replaying, each call draws a new mask, so finite differences no longer match.
  layer.random = Random.fromState(saved);
  assert.equal(checkLayer(layer, 1).ok, false);
});

const V = 5;
const tokens = new Tensor([0, 3, 1, 4, 2, 2], [B, T]);
const targets = [3, 1, 4, 2, 2, 0];

function checkModel(model: RNNModel, seed = 1): GradcheckResult {
  const rnn = model.rnn;
  const initial = rnn.stateNames.map((_, j) => randn([rnn.numDirections * rnn.numLayers, B, rnn.hiddenSize], seed + 10 + j, 0.5));
  const state = (initial.length === 1 ? initial[0]! : initial) as State;
  const rows = model.targetsFor(targets, B, T);
  return gradcheck(() => crossEntropy(model.forward(tokens, state)[0], rows), [...model.parameters(), ...initial]);
}

test('RNNModel with one-hot input (LSTM): cross-entropy gradients', () => {
  const model = new RNNModel(new LSTM({ inputSize: V, hiddenSize: H, numLayers: 2, seed: 13 }), V, { seed: 13 });
  assert.equal(model.embedding, null);
  assertGrad(checkModel(model));
});

test('RNNModel with an embedding (GRU): cross-entropy gradients, embedding included', () => {
  const model = new RNNModel(new GRU({ inputSize: I, hiddenSize: H, seed: 14 }), V, { embeddingDim: I, seed: 14 });
  assert.equal(model.namedParameters()[0]![0], 'embedding.weight');
  assertGrad(checkModel(model));
});

test('user cell from examples/custom-cell.ts: OriginalLSTMCell gradients (with W_h, b_h)', () => {
  const cell = new OriginalLSTMCell(I, H, new Random(15));
  assert.equal(cell.namedParameters().length, 14);
  assertGrad(checkCell(cell));
});

test('user cell from examples/custom-cell.ts: MinimalGRUCell gradients', () => {
  assertGrad(checkCell(new MinimalGRUCell(I, H, new Random(16))));
});

test('user cells through Recurrent (2 layers) and RNNModel: gradients', () => {
  assertGrad(checkLayer(originalLSTM(I, H, 2, 17)));
  assertGrad(checkLayer(minimalGRU(I, H, 2, 18)));
  assertGrad(checkModel(new RNNModel(originalLSTM(V, H, 2, 19), V)));
  // A bidirectional stack of a user cell: the reverse direction and the concatenated width reach layer 1.
  const bi = new Recurrent({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, seed: 20 }, (width, _l, _d, random) => new MinimalGRUCell(width, H, random));
  assert.equal(bi.cells[1]![1]!.inputSize, 2 * H);
  assertGrad(checkLayer(bi));
});
