// The fused GRU layer. Input side xg = x W + [b_r, b_z, b_n] for all steps at once; per step the hidden side
// hg = h U + [0, 0, b_hn] is a separate product, because the reset gate multiplies its n part after the product.
// Backward through time as for the LSTM, with dh_{t-1} = dh_t ⊙ z + dhg_t Uᵀ. Packed gate order [r | z | n].
// Shapes: xg, hg, dxg, dhg (N, 3H) packed by step; hidden bias (3H) = [0, 0, b_hn]; dh (B, H).
import type { Tensor } from '../core/tensor.js';
import type { Backend, GRUSequence } from '../kernels/backend.js';
import type { Arena } from './arena.js';
import { FusedLayer, type LayerInput, type LayerShape, type LayerSteps } from './layer.js';
import { addPackedGrads, packColumns } from './pack.js';

const GATES = ['r', 'z', 'n'] as const;

export class FusedGRULayer extends FusedLayer {
  readonly G = 3;
  private xg = 0;
  private hg = 0;
  private dxg = 0;
  private dhg = 0;
  private dh = 0;
  private hiddenBias = 0;
  private dHiddenBias = 0;

  constructor(shape: LayerShape, private readonly params: Record<string, Tensor>) {
    super(shape);
  }

  protected gateParams(): { W: Tensor[]; U: Tensor[]; b: Array<Tensor | undefined> } {
    const p = this.params;
    return { W: GATES.map((g) => p[`W_${g}`]!), U: GATES.map((g) => p[`U_${g}`]!), b: GATES.map((g) => p[`b_${g}`]) };
  }

  private hiddenBiases(): Array<Tensor | undefined> {
    return [undefined, undefined, this.params.b_hn];
  }

  override allocate(arena: Arena, be: Backend): void {
    super.allocate(arena, be);
    const { B, rows, H } = this;
    this.xg = arena.take(rows * 3 * H);
    this.hg = arena.take(rows * 3 * H);
    // Backward reads step t's xg and hg once, just before writing dxg and dhg in the same places: they share memory.
    this.dxg = this.xg;
    this.dhg = this.hg;
    this.dh = arena.take(B * H);
    this.hiddenBias = arena.take(3 * H);
    this.dHiddenBias = arena.take(3 * H);
  }

  override pack(be: Backend): void {
    super.pack(be);
    packColumns(be, this.hiddenBias, this.hiddenBiases(), 1, this.H);
    be.f32.fill(0, this.dHiddenBias, this.dHiddenBias + 3 * this.H);
  }

  override unpackGrads(be: Backend): void {
    super.unpackGrads(be);
    addPackedGrads(be, this.dHiddenBias, this.hiddenBiases(), 1, this.H, this.gradScratch);
  }

  forward(be: Backend, input: LayerInput, initial: readonly Float32Array[] | null, steps?: LayerSteps): void {
    this.begin(steps);
    if (initial !== null) be.f32.set(initial[0]!, this.hs);
    be.gruForwardSteps(this.sequence(this.inputSide(be, input, this.xg)));
  }

  backward(be: Backend, input: LayerInput, dOut: number, dInput: number | readonly number[] | null, beta: 0 | 1 = 0): void {
    const { H } = this;
    const { N } = this.steps;
    be.gruBackwardSteps(this.sequence(), dOut);
    be.gemm(H, 3 * H, N, this.previousRows(be, dOut), this.dhg, this.dWh, true, false, 0);
    be.addColumnSums(N, 3 * H, this.dhg, this.dHiddenBias);
    this.inputGrads(be, input, this.dxg, dInput, beta);
  }

  /** The time loop's buffers; `side` says where the input side comes from (backward does not read it). */
  private sequence(side = { ids: -1, Wx: this.Wx, bias: this.bias }): GRUSequence {
    const { xg, hg, hiddenBias, hs, WhPacked, WhTPacked, dxg, dhg, dh } = this;
    return { ...this.walk(), xg, hg, hiddenBias, hs, WhPacked, WhTPacked, dxg, dhg, dh, ...side };
  }

  finalState(m: Float32Array): Float32Array[] {
    const bh = this.B * this.H;
    const last = this.hs + this.T * bh;
    return [m.slice(last, last + bh)];
  }
}
