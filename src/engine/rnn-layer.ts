// The fused Elman RNN layer: pre = x W + b for all steps at once, then per step pre_t += h_{t-1} U and
// h_t = φ(pre_t); backward dpre_t = dh_t ⊙ φ'(·), dh_{t-1} = dpre_t Uᵀ, and dU = Σ_t h_{t-1}ᵀ dpre_t in one product.
// Shapes: pre, dPre (N, H) packed by step; dh (B, H).
import type { Tensor } from '../core/tensor.js';
import type { Backend, RNNSequence } from '../kernels/backend.js';
import type { Arena } from './arena.js';
import { FusedLayer, type LayerInput, type LayerShape, type LayerSteps } from './layer.js';

export class FusedRNNLayer extends FusedLayer {
  readonly G = 1;
  private pre = 0;
  private dPre = 0;
  private dh = 0;

  constructor(shape: LayerShape, private readonly params: Record<string, Tensor>, private readonly relu: boolean) {
    super(shape);
  }

  protected gateParams(): { W: Tensor[]; U: Tensor[]; b: Array<Tensor | undefined> } {
    return { W: [this.params.W!], U: [this.params.U!], b: [this.params.b] };
  }

  override allocate(arena: Arena, be: Backend): void {
    super.allocate(arena, be);
    this.pre = arena.take(this.rows * this.H);
    this.dPre = this.pre; // backward never reads pre (φ' comes from h), so dPre takes its place
    this.dh = arena.take(this.B * this.H);
  }

  forward(be: Backend, input: LayerInput, initial: readonly Float32Array[] | null, steps?: LayerSteps): void {
    this.begin(steps);
    if (initial !== null) be.f32.set(initial[0]!, this.hs);
    be.rnnForwardSteps(this.sequence(this.inputSide(be, input, this.pre)));
  }

  backward(be: Backend, input: LayerInput, dOut: number, dInput: number | readonly number[] | null, beta: 0 | 1 = 0): void {
    const { H } = this;
    be.rnnBackwardSteps(this.sequence(), dOut);
    be.gemm(H, H, this.steps.N, this.previousRows(be, dOut), this.dPre, this.dWh, true, false, 0);
    this.inputGrads(be, input, this.dPre, dInput, beta);
  }

  /** The time loop's buffers; `side` says where the input side comes from (backward does not read it). */
  private sequence(side = { ids: -1, Wx: this.Wx, bias: this.bias }): RNNSequence {
    const { relu, pre, hs, WhPacked, WhTPacked, dPre, dh } = this;
    return { ...this.walk(), relu, pre, hs, WhPacked, WhTPacked, dPre, dh, ...side };
  }

  finalState(m: Float32Array): Float32Array[] {
    const bh = this.B * this.H;
    const last = this.hs + this.T * bh;
    return [m.slice(last, last + bh)];
  }
}
