// Writing your own recurrent cell from tensor ops and running it through the library's time loop.
//
// `OriginalLSTMCell` is the original design's hand-written LSTM, parameter for parameter:
//   i = σ(x W_i + h U_i + b_i)     c = f ⊙ c + i ⊙ a
//   f = σ(x W_f + h U_f + b_f)     h = o ⊙ tanh(c)
//   o = σ(x W_o + h U_o + b_o)     y = h W_h + b_h       (the step output; h itself recurs)
//   a = tanh(x W_a + h U_a + b_a)
// with two fixes: weights drawn uniform(±1/√H) rather than N(0, 1) (which saturates the gates), and the layout
// and state handled by `Recurrent` (time-major (T, B, I), state (h, c) each (numLayers, B, H)).
//
// `MinimalGRUCell` is a single-state cell (a GRU without the reset gate):
//   z = σ(x W_z + h U_z + b_z),  n = tanh(x W_n + h U_n + b_n),  h' = (1 - z) ⊙ n + z ⊙ h
// so `beginState` gives one tensor h instead of a pair.
//
// Run: node --import tsx examples/custom-cell.ts
import { pathToFileURL } from 'node:url';
import {
  RNNModel,
  Random,
  Recurrent,
  Tensor,
  add,
  crossEntropy,
  matmul,
  mul,
  scale,
  sigmoid,
  tanh,
  uniformParameter,
  type Cell,
  type CellStep,
} from '../src/index.js';

/** The original design's LSTM cell: per-gate W_*, U_*, b_* and the output projection W_h, b_h. */
export class OriginalLSTMCell implements Cell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly stateNames = ['h', 'c'] as const;
  readonly W_i: Tensor;
  readonly W_f: Tensor;
  readonly W_o: Tensor;
  readonly W_a: Tensor;
  readonly U_i: Tensor;
  readonly U_f: Tensor;
  readonly U_o: Tensor;
  readonly U_a: Tensor;
  readonly b_i: Tensor;
  readonly b_f: Tensor;
  readonly b_o: Tensor;
  readonly b_a: Tensor;
  readonly W_h: Tensor;
  readonly b_h: Tensor;

  constructor(inputSize: number, hiddenSize: number, random: Random = new Random(0)) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    const W = (): Tensor => uniformParameter([inputSize, hiddenSize], k, random);
    const U = (): Tensor => uniformParameter([hiddenSize, hiddenSize], k, random);
    const b = (): Tensor => uniformParameter([1, hiddenSize], k, random);
    [this.W_i, this.W_f, this.W_o, this.W_a] = [W(), W(), W(), W()];
    [this.U_i, this.U_f, this.U_o, this.U_a] = [U(), U(), U(), U()];
    [this.b_i, this.b_f, this.b_o, this.b_a] = [b(), b(), b(), b()];
    this.W_h = U();
    this.b_h = b();
  }

  namedParameters(): Array<[string, Tensor]> {
    return [
      ['W_i', this.W_i], ['W_f', this.W_f], ['W_o', this.W_o], ['W_a', this.W_a],
      ['U_i', this.U_i], ['U_f', this.U_f], ['U_o', this.U_o], ['U_a', this.U_a],
      ['b_i', this.b_i], ['b_f', this.b_f], ['b_o', this.b_o], ['b_a', this.b_a],
      ['W_h', this.W_h], ['b_h', this.b_h],
    ];
  }

  step(x: Tensor, [h, c]: readonly Tensor[]): CellStep {
    const i = sigmoid(add(matmul(x, this.W_i), matmul(h!, this.U_i), this.b_i));
    const f = sigmoid(add(matmul(x, this.W_f), matmul(h!, this.U_f), this.b_f));
    const o = sigmoid(add(matmul(x, this.W_o), matmul(h!, this.U_o), this.b_o));
    const a = tanh(add(matmul(x, this.W_a), matmul(h!, this.U_a), this.b_a));
    const cNext = add(mul(f, c!), mul(i, a));
    const hNext = mul(o, tanh(cNext));
    const y = add(matmul(hNext, this.W_h), this.b_h);
    return { output: y, state: [hNext, cNext] };
  }
}

/** A single-state gated cell: an update gate z and a candidate n, no reset gate. */
export class MinimalGRUCell implements Cell {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly stateNames = ['h'] as const;
  readonly params: { W_z: Tensor; U_z: Tensor; b_z: Tensor; W_n: Tensor; U_n: Tensor; b_n: Tensor };

  constructor(inputSize: number, hiddenSize: number, random: Random = new Random(0)) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    this.params = {
      W_z: uniformParameter([inputSize, hiddenSize], k, random),
      U_z: uniformParameter([hiddenSize, hiddenSize], k, random),
      b_z: uniformParameter([1, hiddenSize], k, random),
      W_n: uniformParameter([inputSize, hiddenSize], k, random),
      U_n: uniformParameter([hiddenSize, hiddenSize], k, random),
      b_n: uniformParameter([1, hiddenSize], k, random),
    };
  }

  namedParameters(): Array<[string, Tensor]> {
    return Object.entries(this.params);
  }

  step(x: Tensor, [h]: readonly Tensor[]): CellStep {
    const p = this.params;
    const z = sigmoid(add(matmul(x, p.W_z), matmul(h!, p.U_z), p.b_z));
    const n = tanh(add(matmul(x, p.W_n), matmul(h!, p.U_n), p.b_n));
    const hNext = add(mul(scale(z, -1, 1), n), mul(z, h!));
    return { output: hNext, state: [hNext] };
  }
}

/** A stack of `numLayers` original-design LSTM cells (state (h, c)). */
export function originalLSTM(inputSize: number, hiddenSize: number, numLayers = 2, seed = 0): Recurrent<[Tensor, Tensor]> {
  return new Recurrent<[Tensor, Tensor]>({ inputSize, hiddenSize, numLayers, seed }, (width, _layer, _direction, random) => new OriginalLSTMCell(width, hiddenSize, random));
}

/** A stack of `numLayers` minimal GRU cells (state h). */
export function minimalGRU(inputSize: number, hiddenSize: number, numLayers = 2, seed = 0): Recurrent<Tensor> {
  return new Recurrent<Tensor>({ inputSize, hiddenSize, numLayers, seed }, (width, _layer, _direction, random) => new MinimalGRUCell(width, hiddenSize, random));
}

const shape = (t: Tensor): string => `(${t.shape.join(', ')})`;

export function main(): void {
  // A toy character corpus: predict each next character of "hello world" from the ones before it.
  const text = 'hello world';
  const chars = [...new Set(text)].sort();
  const vocab = chars.length;
  const ids = [...text].map((ch) => chars.indexOf(ch));
  const batch = 2;
  const steps = 4;
  // Two sequences of `steps` tokens each and their targets (the next characters), batch-major (B, T).
  const starts = [0, 5];
  const tokens = new Tensor(Float32Array.from(starts.flatMap((s) => ids.slice(s, s + steps))), [batch, steps]);
  const targets = starts.flatMap((s) => ids.slice(s + 1, s + 1 + steps));
  const hidden = 8;

  // 1. The original design's LSTM, two layers, one-hot input, linear decoder.
  const lstm = originalLSTM(vocab, hidden, 2);
  const model = new RNNModel(lstm, vocab);
  const [h0, c0] = model.beginState(batch);
  console.log(`OriginalLSTMCell: vocab ${vocab}, ${model.parameterCount()} parameters`);
  console.log(`  beginState(${batch}) -> (h ${shape(h0)}, c ${shape(c0)})   [numLayers, B, H]`);
  const [logits, [hN, cN]] = model.forward(tokens, [h0, c0]);
  const loss = crossEntropy(logits, model.targetsFor(targets, batch, steps));
  loss.backward();
  console.log(`  logits ${shape(logits)}, final h ${shape(hN)}, c ${shape(cN)}`);
  console.log(`  cross-entropy ${loss.item().toFixed(4)} (uniform guess: ln ${vocab} = ${Math.log(vocab).toFixed(4)})`);
  const named = new Map(model.namedParameters());
  const gWf = named.get('rnn.l0.W_f')!.grad!;
  const gWh = named.get('rnn.l1.W_h')!.grad!;
  const norm = (g: ArrayLike<number>): number => Math.sqrt(Array.from(g).reduce((s, v) => s + v * v, 0));
  // Row r of W_f (I, H) is what the one-hot input of character r feeds the forget gate.
  const r = chars.indexOf('l');
  console.log(`  d loss / d rnn.l0.W_f ['l', 0..3]: ${Array.from(gWf.subarray(r * hidden, r * hidden + 4), (v) => v.toExponential(3)).join(', ')}`);
  console.log(`  |d loss / d rnn.l0.W_f| = ${norm(gWf).toExponential(3)}, |d loss / d rnn.l1.W_h| = ${norm(gWh).toExponential(3)}`);

  // A few plain SGD steps through the same parameters show the gradient points downhill.
  for (let epoch = 0; epoch < 30; epoch++) {
    model.zeroGrad();
    const [out] = model.forward(tokens);
    const l = crossEntropy(out, model.targetsFor(targets, batch, steps));
    l.backward();
    for (const p of model.parameters()) for (let k = 0; k < p.size; k++) p.data[k]! -= 0.5 * p.grad![k]!;
    if (epoch % 10 === 0 || epoch === 29) console.log(`  SGD step ${epoch}: loss ${l.item().toFixed(4)}`);
  }

  // 2. A single-state cell: beginState gives one tensor.
  const gru = new RNNModel(minimalGRU(vocab, hidden, 2), vocab);
  const state = gru.beginState(batch);
  console.log(`MinimalGRUCell: ${gru.parameterCount()} parameters`);
  console.log(`  beginState(${batch}) -> h ${shape(state)}   [numLayers, B, H]`);
  const [logits2, h2] = gru.forward(tokens, state);
  const loss2 = crossEntropy(logits2, gru.targetsFor(targets, batch, steps));
  loss2.backward();
  const gUz = new Map(gru.namedParameters()).get('rnn.l1.U_z')!.grad!;
  console.log(`  logits ${shape(logits2)}, final h ${shape(h2)}, cross-entropy ${loss2.item().toFixed(4)}`);
  console.log(`  |d loss / d rnn.l1.U_z| = ${norm(gUz).toExponential(3)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
