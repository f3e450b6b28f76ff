// The original design's hand-written LSTM (with its W_h projection, inputs read batch-major, outputs returned
// time-major and flattened) and the book's RNNModel (one-hot input, nn.LSTM / nn.GRU, linear decoder, mean
// cross-entropy), both checked against PyTorch: outputs, final states, loss and every gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../src/core/tensor.js';
import { add, crossEntropy, mul, reshape, sum } from '../src/core/ops/index.js';
import { LSTM, GRU, RNNModel, type LSTMCell, type Recurrent } from '../src/nn/index.js';
import { assertClose, gradsAsTorch, loadFixture, parametersOf, toFloat64 } from './helpers/fixtures.js';

for (const dtype of ['float32', 'float64'] as const) {
  const [rtol, atol] = dtype === 'float32' ? [1e-5, 1e-6] : [1e-10, 1e-12];
  const cast = (x: Tensor, requiresGrad = true): Tensor =>
    new Tensor(dtype === 'float64' ? Float64Array.from(x.data) : Float32Array.from(x.data), x.shape, { requiresGrad });

  test(`original hand-written LSTM with W_h projection matches PyTorch (${dtype})`, async () => {
    const { t, config } = await loadFixture('original_lstm.safetensors');
    const [I, H, B, T] = [config.input_size, config.hidden_size, config.batch_size, config.seq_len] as number[];
    // The original reads (B, T, I): here that is simply batchFirst, and its W_h is our outputProjection.
    const lstm = new LSTM({ inputSize: I!, hiddenSize: H!, batchFirst: true, outputProjection: true });
    const cell = lstm.cells[0]![0]! as LSTMCell;
    for (const [name, p] of Object.entries(cell.params)) p.data.set(t[name]!.data);
    if (dtype === 'float64') toFloat64(lstm);
    const input = cast(t.input!);
    const h0 = cast(t.h0!);
    const c0 = cast(t.c0!);
    const [y, [hN, cN]] = lstm.forward(input, [reshape(h0, [1, B!, H!]), reshape(c0, [1, B!, H!])]);
    assert.deepEqual(y.shape, [B, T, H]);
    // The original returns its steps time-major, flattened: row t·B + b is our y[b, t].
    const flat = new Float64Array(T! * B! * H!);
    for (let b = 0; b < B!; b++) for (let s = 0; s < T!; s++) for (let j = 0; j < H!; j++) flat[(s * B! + b) * H! + j] = y.data[(b * T! + s) * H! + j]!;
    assertClose(flat, t.output!, 'output', rtol, atol);
    assertClose(hN, t.h_n!, 'h_n', rtol, atol);
    assertClose(cN, t.c_n!, 'c_n', rtol, atol);

    const dy = new Float64Array(B! * T! * H!);
    const dOut = t['dloss.output']!.data;
    for (let b = 0; b < B!; b++) for (let s = 0; s < T!; s++) for (let j = 0; j < H!; j++) dy[(b * T! + s) * H! + j] = dOut[(s * B! + b) * H! + j]!;
    add(sum(mul(y, new Tensor(dy, y.shape))), sum(mul(hN, reshape(t['dloss.h_n']!, [1, B!, H!]))), sum(mul(cN, reshape(t['dloss.c_n']!, [1, B!, H!])))).backward();
    for (const [name, p] of Object.entries(cell.params)) assertClose(p.grad!, t[`grad.${name}`]!, `grad.${name}`, rtol, atol);
    assertClose(input.grad!, t['grad.input']!, 'grad.input', rtol, atol);
    assertClose(h0.grad!, t['grad.h0']!, 'grad.h0', rtol, atol);
    assertClose(c0.grad!, t['grad.c0']!, 'grad.c0', rtol, atol);
  });

  for (const kind of ['lstm', 'gru'] as const) {
    test(`RNNModel over ${kind.toUpperCase()}: logits, loss and gradients match PyTorch (${dtype})`, async () => {
      const { t, config } = await loadFixture(`rnnmodel_${kind}.safetensors`);
      const V = config.vocab_size as number;
      const H = config.hidden_size as number;
      const layer: Recurrent = kind === 'lstm' ? new LSTM({ inputSize: V, hiddenSize: H }) : new GRU({ inputSize: V, hiddenSize: H });
      const model = new RNNModel(layer, V);
      model.loadTorchStateDict(parametersOf(t, ['rnn.', 'linear.']));
      if (dtype === 'float64') toFloat64(model);
      const [B, T] = t.tokens!.shape as [number, number];
      const h0 = cast(t.h0!);
      const c0 = kind === 'lstm' ? cast(t.c0!) : null;
      const [logits, state] = model.forward(t.tokens!, (c0 === null ? h0 : [h0, c0]) as never);
      assert.deepEqual(logits.shape, [T * B, V]);
      assertClose(logits, t.logits!, 'logits', rtol, atol);
      const loss = crossEntropy(logits, model.targetsFor(t.targets!.data, B, T));
      assertClose(loss, t.loss!, 'loss', rtol, atol);
      const [hN, cN] = c0 === null ? [state as Tensor, null] : (state as unknown as Tensor[]);
      assertClose(hN!, t.h_n!, 'h_n', rtol, atol);
      if (cN) assertClose(cN, t.c_n!, 'c_n', rtol, atol);
      loss.backward();
      const grads = gradsAsTorch(model);
      for (const name of Object.keys(grads)) {
        // One bias stands for PyTorch's bias_ih + bias_hh, so its gradient is bias_ih's (bias_hh's is equal, or for GRU's n gate its own).
        if (name.includes('bias_hh')) {
          if (kind === 'gru') assertClose(grads[name]!.data.subarray(2 * H), t[`grad.${name}`]!.data.subarray(2 * H), `grad.${name} (b_hn)`, rtol, atol);
          continue;
        }
        assertClose(grads[name]!, t[`grad.${name}`]!, `grad.${name}`, rtol, atol);
      }
      assertClose(h0.grad!, t['grad.h0']!, 'grad.h0', rtol, atol);
      if (c0) assertClose(c0.grad!, t['grad.c0']!, 'grad.c0', rtol, atol);
    });
  }
}
