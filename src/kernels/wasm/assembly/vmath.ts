// Four-lane transcendental functions for the cell kernels: exp by Cephes' range reduction
// (x = n·ln2 + r, e^r by a degree-6 polynomial, 2^n written into the exponent bits), and σ and tanh from it:
// σ(x) = 1 / (1 + e^-x), tanh(x) = 2σ(2x) - 1. Relative error of exp about 2e-7; tanh's absolute error about 1e-7.

@inline export function expv(v: v128): v128 {
  let x = f32x4.min(f32x4.max(v, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2n);
}

@inline export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

@inline export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.sub(f32x4.mul(f32x4.splat(2), sigmoidv(f32x4.add(x, x))), one);
}
