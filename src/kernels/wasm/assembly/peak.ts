// Machine yardstick: the 128-bit SIMD peak of separate f32x4.mul + f32x4.add, measured with 12 independent
// chains a = a * m + x (the mul depends on the chain, so neither binaryen nor V8 can hoist it out of the loop).
// 12 chains cover the mul + add latency; each iteration does 12 mul + 12 add on 4 lanes = 96 flop.
// `clockLoop` is a chain of 16 dependent 1-cycle integer ops per iteration, to estimate the clock in GHz.
// Shapes: none; both return a value that depends on every chain, so the loops are not removed.

export function simdPeak(iters: i32, seed: f32): f32 {
  const x = f32x4.splat(seed);
  const m = f32x4.splat(0.999);
  let a0 = x, a1 = f32x4.add(x, x), a2 = f32x4.mul(x, x), a3 = f32x4.sub(x, m);
  let a4 = f32x4.add(a1, m), a5 = f32x4.add(a2, m), a6 = f32x4.add(a3, m), a7 = f32x4.add(a0, m);
  let a8 = f32x4.sub(a1, m), a9 = f32x4.sub(a2, m), a10 = f32x4.sub(a3, x), a11 = f32x4.sub(a0, a1);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), x);
    a1 = f32x4.add(f32x4.mul(a1, m), x);
    a2 = f32x4.add(f32x4.mul(a2, m), x);
    a3 = f32x4.add(f32x4.mul(a3, m), x);
    a4 = f32x4.add(f32x4.mul(a4, m), x);
    a5 = f32x4.add(f32x4.mul(a5, m), x);
    a6 = f32x4.add(f32x4.mul(a6, m), x);
    a7 = f32x4.add(f32x4.mul(a7, m), x);
    a8 = f32x4.add(f32x4.mul(a8, m), x);
    a9 = f32x4.add(f32x4.mul(a9, m), x);
    a10 = f32x4.add(f32x4.mul(a10, m), x);
    a11 = f32x4.add(f32x4.mul(a11, m), x);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)),
    f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

export function clockLoop(iters: i32, y: i32, z: i32): i32 {
  let x = iters;
  for (let i = 0; i < iters; i++) {
    x = ((((x + y) ^ z) + y) ^ z) + y;
    x = ((((x ^ z) + y) ^ z) + y) ^ z;
    x = ((((x + y) ^ z) + y) ^ z) + y;
    x = x ^ z;
  }
  return x;
}
