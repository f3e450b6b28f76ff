import { LSTM, Tensor, sum } from 'lstm-ts';

const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 1 });
const x = new Tensor(Float32Array.from({ length: 5 * 2 * 3 }, (_, k) => Math.sin(k)), [5, 2, 3]); // (T, B, I)
const [output, [h, c]] = lstm.forward(x); // output (T, B, H); h and c (numLayers, B, H)
const loss = sum(output);
loss.backward();
console.log('output', output.shape, 'h', h.shape, 'c', c.shape, 'loss', loss.item().toFixed(4));
console.log('dL/dW_i of layer 0:', lstm.parameter('l0.W_i').grad);
