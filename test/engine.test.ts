// The fused training engine against the autograd path it replaces: for LSTM, GRU and RNN models (one-hot or
// embedded input, one or two layers, with and without bias, dropout with the same mask) the loss, the final
// state and every parameter's gradient must agree, and carrying the state across two steps must agree too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/core/tensor.js';
import { Random } from '../src/core/random.js';
import { crossEntropy } from '../src/core/ops/index.js';
import { LSTM, GRU, RNN, RNNModel, type Recurrent, type State } from '../src/nn/index.js';
import { FusedLanguageModel, fusedUnsupported } from '../src/engine/language-model.js';
import { createRefBackend, type Backend } from '../src/kernels/backend.js';
import { createWasmBackend } from '../src/kernels/wasm/engine-backend.js';
import { probeWasm } from '../src/kernels/wasm/probe.js';

// The suite runs on every backend the probe finds: the plain TypeScript one always, WebAssembly SIMD where present.
const backends: Array<[string, () => Backend]> = [['ref', createRefBackend]];
if (probeWasm().simd) backends.push(['wasm', createWasmBackend]);
import { assertClose } from './helpers/fixtures.js';

type Kind = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

function makeModel(kind: Kind, opts: { layers: number; bias: boolean; embed: boolean; dropout: number }, V: number, H: number): RNNModel {
  const inputSize = opts.embed ? 5 : V;
  const o = { inputSize, hiddenSize: H, numLayers: opts.layers, bias: opts.bias, dropout: opts.dropout, seed: 3 };
  const rnn: Recurrent =
    kind === 'lstm' ? new LSTM(o) : kind === 'gru' ? new GRU(o) : new RNN({ ...o, nonlinearity: kind === 'rnn_relu' ? 'relu' : 'tanh' });
  return new RNNModel(rnn, V, { seed: 4, ...(opts.embed ? { embeddingDim: 5 } : {}) });
}

function autogradStep(model: RNNModel, x: Int32Array, y: Int32Array, B: number, T: number, state?: State): { loss: number; state: State } {
  const [logits, next] = model.forward(new Tensor(Float32Array.from(x), [B, T]), state);
  const loss = crossEntropy(logits, model.targetsFor(y, B, T));
  loss.backward();
  const detached = next instanceof Tensor ? next.detach() : next.map((s) => s.detach());
  return { loss: loss.item(), state: detached };
}

function batch(random: Random, V: number, B: number, T: number): { x: Int32Array; y: Int32Array } {
  return { x: Int32Array.from({ length: B * T }, () => random.int(V)), y: Int32Array.from({ length: B * T }, () => random.int(V)) };
}

const configs: Array<{ kind: Kind; layers: number; bias: boolean; embed: boolean; dropout: number }> = [];
for (const kind of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
  configs.push({ kind, layers: 1, bias: true, embed: false, dropout: 0 });
  configs.push({ kind, layers: 2, bias: true, embed: true, dropout: 0 });
  configs.push({ kind, layers: 2, bias: false, embed: false, dropout: 0.3 });
}

for (const [backendName, makeBackend] of backends)
for (const c of configs) {
  test(`fused ${c.kind} (${c.layers} layers${c.bias ? '' : ', no bias'}${c.embed ? ', embedding' : ''}${c.dropout ? ', dropout' : ''}) equals autograd on ${backendName}`, () => {
    const V = 7;
    const H = 6;
    const [B, T] = [3, 5];
    const reference = makeModel(c.kind, c, V, H);
    const fusedModel = makeModel(c.kind, c, V, H);
    assert.equal(fusedUnsupported(fusedModel), null);
    const engine = new FusedLanguageModel(fusedModel, makeBackend());
    const random = new Random(11);
    let refState: State | undefined;
    let fusedState: State | undefined;
    for (let step = 0; step < 2; step++) {
      const { x, y } = batch(random, V, B, T);
      reference.zeroGrad();
      // Step 0 from null gradients (copied out of the engine), step 1 into kept, zeroed buffers (added in place).
      fusedModel.zeroGrad(step === 0);
      const a = autogradStep(reference, x, y, B, T, refState);
      const b = engine.lossAndGrad(x, y, B, T, fusedState);
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `step ${step} loss ${b.loss} vs ${a.loss}`);
      const sa = a.state instanceof Tensor ? [a.state] : a.state;
      const sb = b.state instanceof Tensor ? [b.state] : b.state;
      sa.forEach((s, j) => assertClose(sb[j]!, s, `step ${step} state ${j}`, 1e-5, 1e-6));
      const named = reference.namedParameters();
      fusedModel.namedParameters().forEach(([name, p], k) => {
        assert.ok(p.grad !== null, `${name} has a gradient`);
        assertClose(p.grad!, named[k]![1].grad!, `step ${step} grad ${name}`, 1e-4, 1e-6);
      });
      refState = a.state;
      fusedState = b.state;
    }
  });
}

test('the fused engine refuses what it cannot run, and says why', () => {
  const bi = new RNNModel(new LSTM({ inputSize: 4, hiddenSize: 3, bidirectional: true }), 4);
  assert.match(fusedUnsupported(bi)!, /bidirectional/);
  const projected = new RNNModel(new LSTM({ inputSize: 4, hiddenSize: 3, outputProjection: true }), 4);
  assert.match(fusedUnsupported(projected)!, /projection/);
  assert.throws(() => new FusedLanguageModel(bi, createRefBackend()), /cannot run this model: the layer is bidirectional/);
});

test('fused generation writes the same text as the autograd path (greedy and seeded sampling)', async (t) => {
  const { useEngine } = await import('../src/engine/index.js');
  const { generate } = await import('../src/train/generate.js');
  const { Vocab } = await import('../src/data/vocab.js');
  t.after(() => useEngine('auto'));
  const text = 'the time traveller smiled. are you sure we can move freely in space and time?';
  const vocab = new Vocab(Array.from(text));
  const settings = { tokens: 'char', preprocess: 'none' } as const;
  for (const kind of ['lstm', 'gru', 'rnn_tanh'] as const) {
    for (const embed of [false, true]) {
      const model = makeModel(kind, { layers: 2, bias: true, embed, dropout: 0.2 }, vocab.size, 16);
      for (const options of [{ length: 40 }, { length: 40, strategy: 'top-k', topK: 4, temperature: 1.5 }] as const) {
        useEngine('auto');
        const fused = generate(model, vocab, settings, 'the ti', { ...options, random: new Random(3) });
        useEngine('autograd');
        const reference = generate(model, vocab, settings, 'the ti', { ...options, random: new Random(3) });
        assert.equal(fused, reference, `${kind}${embed ? ' embedded' : ''} ${'strategy' in options ? options.strategy : 'greedy'}`);
        assert.equal(model.training, true);
      }
    }
  }
});

test('fused evaluation gives the autograd path\'s loss (short last window, state carried, eval mode)', async (t) => {
  const { useEngine } = await import('../src/engine/index.js');
  const { evaluateLoss } = await import('../src/train/step.js');
  t.after(() => useEngine('auto'));
  const random = new Random(21);
  const ids = Int32Array.from({ length: 503 }, () => random.int(7));
  for (const kind of ['lstm', 'gru', 'rnn_relu'] as const) {
    const model = makeModel(kind, { layers: 2, bias: true, embed: false, dropout: 0.4 }, 7, 10);
    useEngine('auto');
    const fused = evaluateLoss(model, ids, { batchSize: 4, numSteps: 9 });
    useEngine('autograd');
    const reference = evaluateLoss(model, ids, { batchSize: 4, numSteps: 9 });
    assert.equal(fused.tokens, reference.tokens);
    assert.ok(Math.abs(fused.loss - reference.loss) <= 1e-5 * reference.loss, `${kind}: ${fused.loss} vs ${reference.loss}`);
    assert.ok(model.parameters().every((p) => p.grad === null), 'evaluation leaves gradients alone');
  }
});
