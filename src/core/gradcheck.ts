// gradcheck: compares the analytic gradients of backward() with central finite differences,
// ∂L/∂x_k ≈ (L(x + ε e_k) - L(x - ε e_k)) / 2ε, computed in float64 so the difference is not lost to rounding.
// The inputs' buffers are swapped for float64 copies while it runs (ops promote to float64) and restored after.
// A non-scalar output y is reduced to L = Σ y ⊙ w with fixed random weights w, so every output element counts.
import { Tensor, noGrad, type Data } from './tensor.js';
import { Random } from './random.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Allowed |analytic - numeric| <= atol + rtol·|numeric|. */
  atol?: number;
  rtol?: number;
  /** Seed of the projection weights w. */
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Elements compared. */
  checked: number;
  /** Largest |analytic - numeric| seen. */
  maxError: number;
  /** Where the first disagreement is, when there is one. */
  failure?: string;
}

/**
 * `fn` recomputes the output from the tensors in `inputs` (which must be what it reads, not copies);
 * it is called once for the analytic gradient and twice per input element for the numeric one.
 */
export function gradcheck(fn: () => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-6, atol = 1e-7, rtol = 1e-5, seed = 0 } = options;
  const saved = inputs.map((t) => ({ data: t.data, requiresGrad: t.requiresGrad }));
  try {
    for (const t of inputs) {
      t.data = Float64Array.from(t.data);
      t.requiresGrad = true;
      t.grad = null;
    }
    const first = fn();
    const random = new Random(seed);
    const w = Float64Array.from({ length: first.size }, () => random.normal());
    const loss = (y: Tensor): number => {
      let total = 0;
      for (let k = 0; k < y.size; k++) total += y.data[k]! * w[k]!;
      return total;
    };
    if (!first.requiresGrad) throw new Error('gradcheck: the output does not depend on any input');
    first.backward(w);
    const analytic = inputs.map((t) => (t.grad === null ? new Float64Array(t.size) : Float64Array.from(t.grad)));

    let checked = 0;
    let maxError = 0;
    let failure: string | undefined;
    noGrad(() => {
      inputs.forEach((t, which) => {
        const x: Data = t.data;
        for (let k = 0; k < x.length; k++) {
          const original = x[k]!;
          x[k] = original + eps;
          const plus = loss(fn());
          x[k] = original - eps;
          const minus = loss(fn());
          x[k] = original;
          const numeric = (plus - minus) / (2 * eps);
          const error = Math.abs(analytic[which]![k]! - numeric);
          maxError = Math.max(maxError, error);
          checked++;
          if (failure === undefined && !(error <= atol + rtol * Math.abs(numeric))) {
            failure = `input ${which} ${t.toString()} element ${k}: analytic ${analytic[which]![k]} vs numeric ${numeric}`;
          }
        }
      });
    });
    return failure === undefined ? { ok: true, checked, maxError } : { ok: false, checked, maxError, failure };
  } finally {
    inputs.forEach((t, k) => {
      t.data = saved[k]!.data;
      t.requiresGrad = saved[k]!.requiresGrad;
      t.grad = null;
    });
  }
}
