// Four-lane transcendental functions for the cell kernels: exp by Cephes' range reduction (x = n·ln2 + r, n
// rounded by the 1.5·2^23 trick, e^r by a degree-6 polynomial, 2^n written into the exponent bits), and σ and
// tanh from it: σ(x) = 1 / (1 + e^-x), tanh(x) = 2σ(2x) - 1. Relative error of exp about 2e-7; tanh's absolute error about 1e-7.

/** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer n held in the low mantissa bits. */
const ROUND_MAGIC: f32 = 12582912.0;

@inline export function expv(v: v128): v128 {
  // pmax/pmin are single instructions (f32x4.max/min add NaN and -0 fix-ups); a NaN input stays NaN either way.
  let x = f32x4.pmin(f32x4.pmax(v, f32x4.splat(-87.3)), f32x4.splat(88.3));
  // n = round(x log2 e) without floor or float-to-int conversion: t = x log2 e + 1.5·2^23 has bits 0x4B400000 + n.
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(ROUND_MAGIC));
  const fx = f32x4.sub(t, f32x4.splat(ROUND_MAGIC));
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
  // 2^n = (n + 127) << 23; shifting (bits(t) + 127) left by 23 drops the magic's own bits (all at 9 and above).
  const pow2n = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
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
