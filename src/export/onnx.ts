// An RNNModel as an ONNX graph of standard operators: OneHot (or Gather for an embedding), one ONNX LSTM / GRU / RNN
// node per layer, Transpose + Reshape between layers, and Gemm for the decoder. Inputs `tokens` (B, T) int64 and
// the state `h0` (and `c0`) of shape (L·D, B, H); outputs `logits` (T·B, V) time-major as RNNModel.forward, and
// `hn` (and `cn`). B and T are symbolic, so the same file runs one step at a time or a whole sequence.
import { shapeString, type Data } from '../core/tensor.js';
import { builtinCellNames, cellKindOf, type CellKindSpec } from '../nn/cell-kinds.js';
import type { Cell } from '../nn/cell.js';
import type { RNNModel } from '../nn/rnn-model.js';
import { AttributeType, DataType, encodeModel, type AttributeMsg, type NodeMsg, type TensorMsg, type ValueInfoMsg } from './onnx-schema.js';

export const ONNX_OPSET = 17;
export const IR_VERSION = 8;

/** ONNX's LSTM, GRU or RNN operator: the cell registry's name for the kind. */
type OpType = CellKindSpec['name'];

export interface OnnxExportOptions {
  /** Extra `metadata_props` (e.g. the vocabulary as JSON), readable by any ONNX tool. */
  metadata?: Record<string, string>;
  producerVersion?: string;
  docString?: string;
}

function describeCell(cell: Cell): string {
  return (cell as object).constructor?.name ?? 'an object';
}

/**
 * Which ONNX operator runs this cell, the order of PyTorch's gate blocks it wants (the registry's: LSTM i, f, g, o
 * -> i, o, f, c; GRU r, z, n -> z, r, h; ONNX's B is [Wb, Rb] = PyTorch's bias_ih, bias_hh in that order), and the
 * RNN's activation; a one-line error for cells that have none.
 */
export function opFor(cell: Cell, where: string): { op: OpType; order: readonly number[]; stateNames: readonly string[]; activation?: 'Tanh' | 'Relu' } {
  const spec = cellKindOf(cell);
  if (spec === null) {
    throw new Error(`ONNX export: ${where} is a ${describeCell(cell)}, a user-written cell; expected a built-in ${builtinCellNames()} (ONNX's LSTM, GRU and RNN operators)`);
  }
  const why = spec.unsupported(cell);
  if (why !== null) throw new Error(`ONNX export: ${why.replace(/^the (\w+)/, `the $1 at ${where}`)}; expected a plain ${spec.name} cell, which is what the ONNX ${spec.name} operator computes`);
  const activation = spec.onnxActivation(cell);
  return { op: spec.name, order: spec.onnxGateOrder, stateNames: spec.stateNames, ...(activation === null ? {} : { activation }) };
}

/** Little-endian float32 bytes, whatever the host or the source precision. */
function floatBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let k = 0; k < values.length; k++) view.setFloat32(4 * k, values[k]!, true);
  return out;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, k) => view.setBigInt64(8 * k, BigInt(v), true));
  return out;
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorMsg {
  return { name, dims, dataType: DataType.FLOAT, rawData: floatBytes(values) };
}

export function int64Tensor(name: string, values: number[], dims = [values.length]): TensorMsg {
  return { name, dims, dataType: DataType.INT64, rawData: int64Bytes(values) };
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const attrInt = (name: string, i: number): AttributeMsg => ({ name, type: AttributeType.INT, i });
export const attrInts = (name: string, ints: number[]): AttributeMsg => ({ name, type: AttributeType.INTS, ints });
export const attrString = (name: string, s: string): AttributeMsg => ({ name, type: AttributeType.STRING, s: text(s) });
export const attrStrings = (name: string, values: string[]): AttributeMsg => ({ name, type: AttributeType.STRINGS, strings: values.map(text) });

export function valueInfo(name: string, elemType: number, dims: Array<number | string>, docString: string): ValueInfoMsg {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } }, docString };
}

/**
 * PyTorch-packed (G·H, cols) matrices of each direction, gates reordered for ONNX and stacked into (D, G·H, cols).
 * `sources[d]` is undefined for a bias that does not exist (bias: false); then null is returned.
 */
export function stackGates(sources: Array<Data | undefined>, order: readonly number[], H: number, cols: number): Float32Array | null {
  if (sources.some((s) => s === undefined)) return null;
  const G = order.length;
  const out = new Float32Array(sources.length * G * H * cols);
  sources.forEach((src, d) => {
    order.forEach((g, slot) => out.set(src!.subarray(g * H * cols, (g + 1) * H * cols), (d * G + slot) * H * cols));
  });
  return out;
}

/** The model as ONNX bytes (opset 17). Throws a one-line error for a layer ONNX has no operator for. */
export function exportOnnx(model: RNNModel, options: OnnxExportOptions = {}): Uint8Array {
  const rnn = model.rnn;
  const { numLayers: L, numDirections: D, hiddenSize: H } = rnn;
  const V = model.vocabSize;
  const ops = rnn.cells.map((row, l) => row.map((cell, d) => opFor(cell, `layer ${l}${d === 1 ? ' (reverse direction)' : ''}`)));
  const { op, order: gateOrder, stateNames, activation } = ops[0]![0]!;
  const odd = ops.flat().findIndex((o) => o.op !== op || o.activation !== activation);
  if (odd >= 0) {
    const cell = rnn.cells[Math.floor(odd / D)]![odd % D]!;
    throw new Error(`ONNX export: layer ${Math.floor(odd / D)} is a ${describeCell(cell)} unlike layer 0 (${describeCell(rnn.cells[0]![0]!)}); expected one cell kind in every layer`);
  }
  const torch = rnn.torchStateDict();
  const nodes: NodeMsg[] = [];
  const init: TensorMsg[] = [];
  const node = (opType: string, input: string[], output: string[], attribute: AttributeMsg[] = []): void => {
    nodes.push({ opType, input, output, name: `${opType}_${nodes.length}`, attribute });
  };

  // Token ids arrive batch-major as RNNModel.forward takes them; the recurrent operators read time-major.
  node('Transpose', ['tokens'], ['tokens_tb'], [attrInts('perm', [1, 0])]);
  if (model.embedding === null) {
    init.push(int64Tensor('onehot_depth', [V]), floatTensor('onehot_values', [2], [0, 1]));
    node('OneHot', ['tokens_tb', 'onehot_depth', 'onehot_values'], ['x_l0'], [attrInt('axis', -1)]);
  } else {
    init.push(floatTensor('embedding.weight', [...model.embedding.shape], model.embedding.data));
    node('Gather', ['embedding.weight', 'tokens_tb'], ['x_l0'], [attrInt('axis', 0)]);
  }

  const finals: string[][] = stateNames.map(() => []);
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? rnn.inputSize : D * H;
    const suffixes = D === 1 ? [`_l${l}`] : [`_l${l}`, `_l${l}_reverse`];
    const G = gateOrder.length;
    const W = stackGates(suffixes.map((s) => torch[`weight_ih${s}`]?.data), gateOrder, H, I);
    const R = stackGates(suffixes.map((s) => torch[`weight_hh${s}`]?.data), gateOrder, H, H);
    if (W === null || R === null) throw new Error(`ONNX export: layer ${l} has no weight_ih/weight_hh in its PyTorch layout`);
    const Wb = stackGates(suffixes.map((s) => torch[`bias_ih${s}`]?.data), gateOrder, H, 1);
    const Rb = stackGates(suffixes.map((s) => torch[`bias_hh${s}`]?.data), gateOrder, H, 1);
    init.push(floatTensor(`W_l${l}`, [D, G * H, I], W), floatTensor(`R_l${l}`, [D, G * H, H], R));
    let bias = '';
    if (Wb !== null && Rb !== null) {
      // ONNX's B is (D, 2·G·H): each direction's [Wb, Rb].
      const B = new Float32Array(D * 2 * G * H);
      for (let d = 0; d < D; d++) {
        B.set(Wb.subarray(d * G * H, (d + 1) * G * H), d * 2 * G * H);
        B.set(Rb.subarray(d * G * H, (d + 1) * G * H), d * 2 * G * H + G * H);
      }
      init.push(floatTensor(`B_l${l}`, [D, 2 * G * H], B));
      bias = `B_l${l}`;
    }
    // Each layer's slice of the stacked state: rows l·D .. l·D + D - 1, as PyTorch orders them.
    if (L > 1) {
      if (l === 0) init.push(int64Tensor('state_axis', [0]));
      init.push(int64Tensor(`state_begin_l${l}`, [l * D]), int64Tensor(`state_end_l${l}`, [(l + 1) * D]));
    }
    const initial = stateNames.map((s) => {
      if (L === 1) return `${s}0`;
      node('Slice', [`${s}0`, `state_begin_l${l}`, `state_end_l${l}`, 'state_axis'], [`${s}0_l${l}`]);
      return `${s}0_l${l}`;
    });
    const outputs = [`y_l${l}`, ...stateNames.map((s) => (L === 1 ? `${s}n` : `${s}n_l${l}`))];
    stateNames.forEach((_, k) => finals[k]!.push(outputs[k + 1]!));
    const attributes = [attrInt('hidden_size', H), attrString('direction', D === 2 ? 'bidirectional' : 'forward')];
    if (op === 'GRU') attributes.push(attrInt('linear_before_reset', 1)); // PyTorch applies r after h U_n + b_hn
    if (op === 'RNN') attributes.push(attrStrings('activations', Array<string>(D).fill(activation!)));
    node(op, [`x_l${l}`, `W_l${l}`, `R_l${l}`, bias, '', ...initial], outputs, attributes);
    // Y is (T, D, B, H); the next layer (and the decoder) want (T, B, D·H), forward features first, as PyTorch.
    const last = l === L - 1;
    const perm = last && rnn.batchFirst ? [2, 0, 1, 3] : [0, 2, 1, 3];
    node('Transpose', [`y_l${l}`], [`y_l${l}_t`], [attrInts('perm', perm)]);
    const shape = last ? [-1, D * H] : [0, 0, D * H];
    init.push(int64Tensor(`shape_l${l}`, shape));
    node('Reshape', [`y_l${l}_t`, `shape_l${l}`], [last ? 'features' : `x_l${l + 1}`]);
  }
  if (L > 1) stateNames.forEach((s, k) => node('Concat', finals[k]!, [`${s}n`], [attrInt('axis', 0)]));

  const decoder = model.decoder.torchStateDict();
  init.push(floatTensor('linear.weight', [...decoder.weight!.shape], decoder.weight!.data), floatTensor('linear.bias', [V], decoder.bias!.data));
  node('Gemm', ['features', 'linear.weight', 'linear.bias'], ['logits'], [attrInt('transB', 1)]);

  const stateDims = [L * D, 'batch', H];
  const rows = rnn.batchFirst ? 'batch_x_steps' : 'steps_x_batch';
  const order = rnn.batchFirst ? 'row b·T + t (batch-major)' : 'row t·B + b (time-major)';
  const inputs = [
    valueInfo('tokens', DataType.INT64, ['batch', 'steps'], 'token ids (B, T), batch-major'),
    ...stateNames.map((s) => valueInfo(`${s}0`, DataType.FLOAT, stateDims, `initial ${s} (L·D, B, H); zeros to start`)),
  ];
  const outputs = [
    valueInfo('logits', DataType.FLOAT, [rows, V], `next-token logits, ${order}`),
    ...stateNames.map((s) => valueInfo(`${s}n`, DataType.FLOAT, stateDims, `final ${s} (L·D, B, H); feed back as ${s}0`)),
  ];
  checkShapes(init);
  return encodeModel({
    irVersion: IR_VERSION,
    producerName: 'lstm-ts',
    producerVersion: options.producerVersion ?? '',
    docString: options.docString ?? '',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: { name: `lstm-ts ${op}`, node: nodes, initializer: init, input: inputs, output: outputs },
  });
}

/** Every initializer's bytes must match its dims; a mismatch here is our bug, caught before a runtime sees it. */
export function checkShapes(init: TensorMsg[]): void {
  for (const t of init) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    const width = t.dataType === DataType.INT64 ? 8 : 4;
    if (count * width !== t.rawData.length) throw new TypeError(`ONNX export: initializer ${t.name} ${shapeString(t.dims)} has ${t.rawData.length} bytes`);
  }
}
