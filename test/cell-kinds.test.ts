// The cell registry (src/nn/cell-kinds.ts) against the layers it builds: each kind's factory, gate count, state
// names, parameter count, PyTorch layout, ONNX gate order and fused layer must agree with what the layer really is,
// and only the exact built-in classes are recognised (a subclass or a user cell is user-written).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CELL_KINDS, LSTMCell, builtinCellNames, cellKind, cellKindOf, cellParameterCount, type Recurrent } from '../src/nn/index.js';
import { minimalGRU } from '../examples/custom-cell.js';

test('every kind builds its layer, recognises its cells, and states its gates, states and parameter count truly', () => {
  for (const kind of CELL_KINDS) {
    const spec = cellKind(kind);
    const layer: Recurrent = spec.layer({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, seed: 1 });
    assert.equal(spec.kind, kind);
    assert.deepEqual(layer.stateNames, spec.stateNames, `${kind} state names`);
    for (const row of layer.cells) for (const cell of row) assert.equal(cellKindOf(cell), spec, `${kind} cell recognised`);
    const perCell = layer.cells.flat().map((c) => cellParameterCount(spec, c.inputSize, 5));
    assert.equal(layer.parameterCount(), perCell.reduce((a, b) => a + b, 0), `${kind} parameter count`);
    const torch = layer.torchStateDict();
    assert.equal(torch.weight_ih_l0!.shape[0], spec.gateCount * 5, `${kind} gate count is PyTorch's G`);
    assert.equal(spec.torchLayout(layer.cells[0]![0]!).gates.length, spec.gateCount);
    assert.deepEqual([...spec.onnxGateOrder].sort(), Array.from({ length: spec.gateCount }, (_, k) => k), `${kind} ONNX order is a permutation`);
    assert.equal(spec.unsupported(layer.cells[0]![0]!), null);
    const fused = spec.fused(layer.cells[0]![0]!, { B: 2, T: 3, I: 3, H: 5 });
    assert.equal(fused.G, spec.gateCount, `${kind} fused layer's G`);
    for (const g of spec.gates) assert.ok(layer.cells[0]![0]!.namedParameters().some(([n]) => n === `W_${g}`), `${kind} gate ${g} has W_${g}`);
  }
  assert.equal(cellKind('rnn').onnxActivation(cellKind('rnn').layer({ inputSize: 2, hiddenSize: 2, nonlinearity: 'relu' }).cells[0]![0]!), 'Relu');
});

test('only the exact built-in classes are built-in: subclasses and user cells are user-written', () => {
  class TracedLSTMCell extends LSTMCell {}
  assert.equal(cellKindOf(new TracedLSTMCell({ inputSize: 2, hiddenSize: 2 })), null);
  assert.equal(cellKindOf(minimalGRU(2, 3).cells[0]![0]!), null);
  assert.equal(builtinCellNames(), 'LSTMCell, GRUCell or RNNCell');
});

test('kind-specific options and unknown kinds are one-line errors', () => {
  assert.throws(() => cellKind('transformer'), /^Error: cell must be 'lstm', 'gru' or 'rnn', got "transformer"$/);
  assert.throws(() => cellKind('gru').layer({ inputSize: 2, hiddenSize: 2, nonlinearity: 'relu' }), /nonlinearity applies only to 'rnn' layers, not 'gru'/);
  assert.throws(() => cellKind('rnn').layer({ inputSize: 2, hiddenSize: 2, outputProjection: true }), /outputProjection applies only to 'lstm' layers, not 'rnn'/);
  const projected = cellKind('lstm').layer({ inputSize: 2, hiddenSize: 2, outputProjection: true });
  assert.match(cellKind('lstm').unsupported(projected.cells[0]![0]!)!, /output projection \(W_h, b_h\)/);
});
