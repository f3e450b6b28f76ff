// What the fused engine cannot run, in one place for every model it serves: parameters that are not float32
// (the kernels are float32; float64 is for gradient checks), a cell that is not one of the built-in kinds (a
// user-written one, or a subclass with its own step), or a built-in cell with a feature only the autograd path has
// (the LSTM's output projection). Each answer is a reason a person can read, or null.
import type { Tensor } from '../core/tensor.js';
import { cellKindOf } from '../nn/cell-kinds.js';
import type { Recurrent } from '../nn/recurrent.js';

export function recurrentUnsupported(rnn: Recurrent, parameters: readonly Tensor[]): string | null {
  if (parameters.some((p) => !(p.data instanceof Float32Array))) return 'its parameters are not float32';
  for (const row of rnn.cells) {
    for (const cell of row) {
      const spec = cellKindOf(cell);
      if (spec === null) return 'the cell is user-written';
      const why = spec.unsupported(cell);
      if (why !== null) return why;
    }
  }
  return null;
}
