// A forecaster or a classifier as an ONNX graph of standard operators (opset 17), head included:
//   forecaster:  x (B, T, F) float in the data's units -> (x - mean) / std -> one ONNX LSTM/GRU/RNN node per layer
//                -> Y_h of the last layer (both directions side by side, as h_n) -> Gemm -> (B, horizon, K)
//                -> · std + mean: `forecast` in the data's units (the checkpoint's scaler is inside the graph)
//   classifier:  tokens (B, T) int64 and lengths (B,) int32 -> Gather (embedding) or OneHot -> the recurrent nodes,
//                each given `sequence_lens` (ONNX's pack_padded_sequence: a row stops at its length, the reverse
//                direction starts there) -> pool 'last' (Y_h) or 'mean' (Σ_t Y / length; Y is 0 past a row's end)
//                -> Gemm -> `logits` (B, C) and Softmax `probabilities`.
// B and T are symbolic. Shapes between layers: Y (T, D, B, H) -> (T, B, D·H).
import type { Scaler } from '../data/series-windows.js';
import type { Recurrent } from '../nn/recurrent.js';
import type { SequenceClassifier, SequenceRegressor } from '../nn/sequence-models.js';
import {
  attrInt, attrInts, attrString, attrStrings, checkShapes, floatTensor, int64Tensor, IR_VERSION, ONNX_OPSET, opFor, stackGates, valueInfo,
  type OnnxExportOptions,
} from './onnx.js';
import { DataType, encodeModel, type AttributeMsg, type NodeMsg, type TensorMsg } from './onnx-schema.js';

class Graph {
  readonly nodes: NodeMsg[] = [];
  readonly init: TensorMsg[] = [];

  node(opType: string, input: string[], output: string[], attribute: AttributeMsg[] = []): void {
    this.nodes.push({ opType, input, output, name: `${opType}_${this.nodes.length}`, attribute });
  }
}

/**
 * The recurrent layers from time-major input `x` (T, B, I): returns the last layer's Y (T, D, B, H) and Y_h (D, B, H)
 * names. `lens` (optional) is the sequence_lens input every layer reads.
 */
function recurrentNodes(g: Graph, rnn: Recurrent, x: string, lens: string): { y: string; yh: string } {
  const { numLayers: L, numDirections: D, hiddenSize: H } = rnn;
  const ops = rnn.cells.map((row, l) => row.map((cell, d) => opFor(cell, `layer ${l}${d === 1 ? ' (reverse direction)' : ''}`)));
  const { op, order, activation } = ops[0]![0]!;
  if (ops.flat().some((o) => o.op !== op || o.activation !== activation)) throw new Error('ONNX export: expected one cell kind in every layer');
  const torch = rnn.torchStateDict();
  let input = x;
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? rnn.inputSize : D * H;
    const suffixes = D === 1 ? [`_l${l}`] : [`_l${l}`, `_l${l}_reverse`];
    const G = order.length;
    const W = stackGates(suffixes.map((s) => torch[`weight_ih${s}`]?.data), order, H, I)!;
    const R = stackGates(suffixes.map((s) => torch[`weight_hh${s}`]?.data), order, H, H)!;
    const Wb = stackGates(suffixes.map((s) => torch[`bias_ih${s}`]?.data), order, H, 1)!;
    const Rb = stackGates(suffixes.map((s) => torch[`bias_hh${s}`]?.data), order, H, 1)!;
    const B = new Float32Array(D * 2 * G * H); // ONNX's B: each direction's [Wb, Rb]
    for (let d = 0; d < D; d++) {
      B.set(Wb.subarray(d * G * H, (d + 1) * G * H), d * 2 * G * H);
      B.set(Rb.subarray(d * G * H, (d + 1) * G * H), d * 2 * G * H + G * H);
    }
    g.init.push(floatTensor(`W_l${l}`, [D, G * H, I], W), floatTensor(`R_l${l}`, [D, G * H, H], R), floatTensor(`B_l${l}`, [D, 2 * G * H], B));
    const attributes = [attrInt('hidden_size', H), attrString('direction', D === 2 ? 'bidirectional' : 'forward')];
    if (op === 'GRU') attributes.push(attrInt('linear_before_reset', 1)); // PyTorch applies r after h U_n + b_hn
    if (op === 'RNN') attributes.push(attrStrings('activations', Array<string>(D).fill(activation!)));
    const inputs = [input, `W_l${l}`, `R_l${l}`, `B_l${l}`, ...(lens === '' ? [] : [lens])];
    g.node(op, inputs, [`y_l${l}`, `yh_l${l}`], attributes);
    if (l < L - 1) {
      g.node('Transpose', [`y_l${l}`], [`y_l${l}_t`], [attrInts('perm', [0, 2, 1, 3])]);
      g.init.push(int64Tensor(`shape_l${l}`, [0, 0, D * H]));
      g.node('Reshape', [`y_l${l}_t`, `shape_l${l}`], [`x_l${l + 1}`]);
      input = `x_l${l + 1}`;
    }
  }
  return { y: `y_l${L - 1}`, yh: `yh_l${L - 1}` };
}

/** (D, B, H) -> (B, D·H), forward first as PyTorch's h_n of the last layer. */
function directionsSideBySide(g: Graph, from: string, to: string, width: number): void {
  g.node('Transpose', [from], [`${from}_bdh`], [attrInts('perm', [1, 0, 2])]);
  g.init.push(int64Tensor(`${to}_shape`, [0, width]));
  g.node('Reshape', [`${from}_bdh`, `${to}_shape`], [to]);
}

function head(g: Graph, model: SequenceRegressor | SequenceClassifier, features: string, out: string): void {
  const dict = model.head.torchStateDict();
  g.init.push(floatTensor('head.weight', [...dict.weight!.shape], dict.weight!.data), floatTensor('head.bias', [...dict.bias!.shape], dict.bias!.data));
  g.node('Gemm', [features, 'head.weight', 'head.bias'], [out], [attrInt('transB', 1)]);
}

function encode(g: Graph, name: string, inputs: ReturnType<typeof valueInfo>[], outputs: ReturnType<typeof valueInfo>[], options: OnnxExportOptions): Uint8Array {
  checkShapes(g.init);
  return encodeModel({
    irVersion: IR_VERSION, producerName: 'lstm-ts', producerVersion: options.producerVersion ?? '', docString: options.docString ?? '',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: { name, node: g.nodes, initializer: g.init, input: inputs, output: outputs },
  });
}

/** A forecaster with its scaler: raw values in, forecasts in the data's units out. */
export function exportForecasterOnnx(model: SequenceRegressor, scaler: Scaler, options: OnnxExportOptions = {}): Uint8Array {
  const g = new Graph();
  const F = model.rnn.inputSize;
  const { horizon, targets: K } = model;
  if (scaler.columns.length !== F) throw new Error(`ONNX export: the scaler has ${scaler.columns.length} columns but the model reads ${F} features`);
  g.init.push(floatTensor('scaler.mean', [F], scaler.mean), floatTensor('scaler.std', [F], scaler.std));
  g.node('Sub', ['x', 'scaler.mean'], ['x_centred']);
  g.node('Div', ['x_centred', 'scaler.std'], ['x_scaled']);
  g.node('Transpose', ['x_scaled'], ['x_tb'], [attrInts('perm', [1, 0, 2])]);
  const { yh } = recurrentNodes(g, model.rnn, 'x_tb', '');
  directionsSideBySide(g, yh, 'features', model.rnn.outputSize);
  head(g, model, 'features', 'forecast_flat');
  g.init.push(int64Tensor('forecast_shape', [0, horizon, K]));
  g.node('Reshape', ['forecast_flat', 'forecast_shape'], ['forecast_scaled']);
  g.init.push(floatTensor('target.std', [K], scaler.std.subarray(0, K)), floatTensor('target.mean', [K], scaler.mean.subarray(0, K)));
  g.node('Mul', ['forecast_scaled', 'target.std'], ['forecast_spread']);
  g.node('Add', ['forecast_spread', 'target.mean'], ['forecast']);
  const inputs = [valueInfo('x', DataType.FLOAT, ['batch', 'steps', F], `past values (B, T, F) in the data's units: ${scaler.columns.join(', ')}`)];
  const outputs = [valueInfo('forecast', DataType.FLOAT, ['batch', horizon, K], `the next ${horizon} steps of ${scaler.columns.slice(0, K).join(', ')}, in the data's units`)];
  return encode(g, 'lstm-ts forecaster', inputs, outputs, options);
}

/** A classifier: token ids and lengths in, logits and class probabilities out. */
export function exportClassifierOnnx(model: SequenceClassifier, options: OnnxExportOptions = {}): Uint8Array {
  const g = new Graph();
  const V = model.vocabSize;
  const C = model.numClasses;
  g.node('Transpose', ['tokens'], ['tokens_tb'], [attrInts('perm', [1, 0])]);
  if (model.embedding === null) {
    g.init.push(int64Tensor('onehot_depth', [V]), floatTensor('onehot_values', [2], [0, 1]));
    g.node('OneHot', ['tokens_tb', 'onehot_depth', 'onehot_values'], ['x_l0'], [attrInt('axis', -1)]);
  } else {
    g.init.push(floatTensor('embedding.weight', [...model.embedding.weight.shape], model.embedding.weight.data));
    g.node('Gather', ['embedding.weight', 'tokens_tb'], ['x_l0'], [attrInt('axis', 0)]);
  }
  const { y, yh } = recurrentNodes(g, model.rnn, 'x_l0', 'lengths');
  const width = model.rnn.outputSize;
  if (model.pool === 'last') directionsSideBySide(g, yh, 'features', width);
  else {
    g.init.push(int64Tensor('time_axis', [0]));
    g.node('ReduceSum', [y, 'time_axis'], ['y_sum'], [attrInt('keepdims', 0)]);
    directionsSideBySide(g, 'y_sum', 'y_sum_flat', width);
    g.node('Cast', ['lengths'], ['lengths_f'], [attrInt('to', DataType.FLOAT)]);
    g.init.push(int64Tensor('lengths_axis', [1]));
    g.node('Unsqueeze', ['lengths_f', 'lengths_axis'], ['lengths_col']);
    g.node('Div', ['y_sum_flat', 'lengths_col'], ['features']);
  }
  head(g, model, 'features', 'logits');
  g.node('Softmax', ['logits'], ['probabilities'], [attrInt('axis', 1)]);
  const inputs = [
    valueInfo('tokens', DataType.INT64, ['batch', 'steps'], 'token ids (B, T), batch-major; steps past a row\'s length are ignored'),
    valueInfo('lengths', DataType.INT32, ['batch'], 'real steps of each row, in [1, T]'),
  ];
  const outputs = [
    valueInfo('logits', DataType.FLOAT, ['batch', C], 'class logits (B, C)'),
    valueInfo('probabilities', DataType.FLOAT, ['batch', C], 'softmax of the logits'),
  ];
  return encode(g, 'lstm-ts classifier', inputs, outputs, options);
}
