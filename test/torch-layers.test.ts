// nn.LSTM / nn.GRU / nn.RNN fixtures from PyTorch: for each configuration the weights are loaded through
// loadTorchStateDict, and output, final state and every gradient of L = Σ y⊙dy + Σ h_n⊙dh (+ Σ c_n⊙dc) must agree.
// Each runs twice: in float32 (within 1e-5 relative) and in float64 (within 1e-10, the same math to rounding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../src/core/tensor.js';
import { add, mul, sum } from '../src/core/ops/index.js';
import { LSTM, GRU, RNN, type Recurrent, type RecurrentOptions } from '../src/nn/index.js';
import type { TorchLayout } from '../src/nn/torch-layout.js';
import { assertClose, loadFixture, parametersOf, toFloat64, torchGrads } from './helpers/fixtures.js';

interface LayerConfig {
  mode: 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';
  input_size: number;
  hidden_size: number;
  num_layers: number;
  bidirectional: boolean;
  batch_first: boolean;
  bias: boolean;
}

function build(c: LayerConfig): Recurrent {
  const options: RecurrentOptions = {
    inputSize: c.input_size,
    hiddenSize: c.hidden_size,
    numLayers: c.num_layers,
    bidirectional: c.bidirectional,
    batchFirst: c.batch_first,
    bias: c.bias,
  };
  if (c.mode === 'LSTM') return new LSTM(options);
  if (c.mode === 'GRU') return new GRU(options);
  return new RNN({ ...options, nonlinearity: c.mode === 'RNN_TANH' ? 'tanh' : 'relu' });
}

const files = readdirSync(fileURLToPath(new URL('./fixtures/torch/', import.meta.url))).filter((f) => /^(lstm|gru|rnn)_.*\.safetensors$/.test(f));

test('every layer configuration has a fixture', () => {
  for (const cell of ['lstm', 'gru', 'rnn_tanh'])
    for (const layers of ['l1', 'l2'])
      for (const dir of ['uni', 'bi'])
        for (const layout of ['tm', 'bf']) assert.ok(files.includes(`${cell}_${layers}_${dir}_${layout}.safetensors`), `${cell}_${layers}_${dir}_${layout}`);
});

for (const file of files) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${file.replace('.safetensors', '')} matches PyTorch (${dtype})`, async () => {
      const { t, config } = await loadFixture(file);
      const c = config as unknown as LayerConfig;
      const layer = build(c);
      layer.loadTorchStateDict(parametersOf(t, ['weight_', 'bias_']));
      const cast = (x: Tensor): Tensor => new Tensor(dtype === 'float64' ? Float64Array.from(x.data) : Float32Array.from(x.data), x.shape, { requiresGrad: true });
      if (dtype === 'float64') toFloat64(layer);
      const input = cast(t.input!);
      const isLSTM = c.mode === 'LSTM';
      const h0 = cast(t.h0!);
      const c0 = isLSTM ? cast(t.c0!) : null;
      const [output, state] = layer.forward(input, (isLSTM ? [h0, c0!] : h0) as never);
      const [hN, cN] = isLSTM ? (state as Tensor[]) : [state as Tensor, null];
      const [rtol, atol] = dtype === 'float32' ? [1e-5, 1e-6] : [1e-10, 1e-12];
      assert.deepEqual(output.shape, t.output!.shape);
      assertClose(output, t.output!, 'output', rtol, atol);
      assertClose(hN!, t.h_n!, 'h_n', rtol, atol);
      if (isLSTM) assertClose(cN!, t.c_n!, 'c_n', rtol, atol);

      const terms = [sum(mul(output, t['dloss.output']!)), sum(mul(hN!, t['dloss.h_n']!))];
      if (isLSTM) terms.push(sum(mul(cN!, t['dloss.c_n']!)));
      add(terms[0]!, terms[1]!, ...terms.slice(2)).backward();

      const grads = torchGrads(layer, (layer.cells[0]![0]! as unknown as { torchLayout: TorchLayout }).torchLayout);
      for (const [name, g] of Object.entries(grads)) assertClose(g.data, t[`grad.${name}`]!, `grad.${name}`, rtol, atol);
      assert.equal(Object.keys(grads).length, Object.keys(t).filter((k) => /^grad\.(weight|bias)_/.test(k)).length);
      assertClose(input.grad!, t['grad.input']!, 'grad.input', rtol, atol);
      assertClose(h0.grad!, t['grad.h0']!, 'grad.h0', rtol, atol);
      if (isLSTM) assertClose(c0!.grad!, t['grad.c0']!, 'grad.c0', rtol, atol);
    });
  }
}
