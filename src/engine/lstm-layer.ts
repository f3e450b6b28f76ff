// The fused LSTM layer: gates for all steps' inputs in one product, one product per step for h U, the cell
// math in one kernel (the time loop is the backend's: src/kernels/ref/steps.ts), and backward through time with
// the weight gradients taken over all steps at once (dWh = Σ_t h_prevᵀ dG_t as one (H, N) by (N, 4H) product).
// Packed gate order [i | f | o | a].
// Shapes: gates and dGates (N, 4H) packed by step; cs (B + N, H), slot 0 the initial c; tanhC (N, H); dh, dc (B, H).
import type { Tensor } from '../core/tensor.js';
import type { Backend, LSTMSequence } from '../kernels/backend.js';
import type { Arena } from './arena.js';
import { FusedLayer, type LayerInput, type LayerShape, type LayerSteps } from './layer.js';

const GATES = ['i', 'f', 'o', 'a'] as const;

export class FusedLSTMLayer extends FusedLayer {
  readonly G = 4;
  private gates = 0;
  private dGates = 0;
  private cs = 0;
  private tanhC = 0;
  private dh = 0;
  private dc = 0;

  constructor(shape: LayerShape, private readonly params: Record<string, Tensor>) {
    super(shape);
  }

  protected gateParams(): { W: Tensor[]; U: Tensor[]; b: Array<Tensor | undefined> } {
    const p = this.params;
    return { W: GATES.map((g) => p[`W_${g}`]!), U: GATES.map((g) => p[`U_${g}`]!), b: GATES.map((g) => p[`b_${g}`]) };
  }

  override allocate(arena: Arena, be: Backend): void {
    super.allocate(arena, be);
    const { B, rows, H } = this;
    this.gates = arena.take(rows * 4 * H);
    // Backward reads step t's gates once, just before writing its dGates in the same places: they share memory.
    this.dGates = this.gates;
    this.cs = arena.take((B + rows) * H);
    this.tanhC = arena.take(rows * H);
    this.dh = arena.take(B * H);
    this.dc = arena.take(B * H);
  }

  forward(be: Backend, input: LayerInput, initial: readonly Float32Array[] | null, steps?: LayerSteps): void {
    this.begin(steps);
    if (initial !== null) {
      be.f32.set(initial[0]!, this.hs);
      be.f32.set(initial[1]!, this.cs);
    }
    be.lstmForwardSteps(this.sequence(this.inputSide(be, input, this.gates)));
  }

  backward(be: Backend, input: LayerInput, dOut: number, dInput: number | readonly number[] | null, beta: 0 | 1 = 0): void {
    const { H } = this;
    be.lstmBackwardSteps(this.sequence(), dOut);
    be.gemm(H, 4 * H, this.steps.N, this.previousRows(be, dOut), this.dGates, this.dWh, true, false, 0);
    this.inputGrads(be, input, this.dGates, dInput, beta);
  }

  /** The time loop's buffers; `side` says where the input side comes from (backward does not read it). */
  private sequence(side = { ids: -1, Wx: this.Wx, bias: this.bias }): LSTMSequence {
    const { gates, hs, cs, tanhC, WhPacked, WhTPacked, dGates, dh, dc } = this;
    return { ...this.walk(), gates, hs, cs, tanhC, WhPacked, WhTPacked, dGates, dh, dc, ...side };
  }

  override carryState(m: Float32Array): void {
    super.carryState(m);
    const bh = this.B * this.H;
    m.copyWithin(this.cs, this.cs + this.T * bh, this.cs + (this.T + 1) * bh);
  }

  override clearState(m: Float32Array): void {
    super.clearState(m);
    m.fill(0, this.cs, this.cs + this.B * this.H);
  }

  finalState(m: Float32Array): Float32Array[] {
    const bh = this.B * this.H;
    const last = this.T * bh;
    return [m.slice(this.hs + last, this.hs + last + bh), m.slice(this.cs + last, this.cs + last + bh)];
  }
}
