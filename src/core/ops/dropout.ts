// Inverted dropout: in training each element is zeroed with probability p and the survivors scaled by 1/(1-p),
// so evaluation needs no rescaling; backward applies the same mask, dx += mask ⊙ dy. Shapes: any.
// The mask comes from the caller's seeded generator, so a seed replays it.
import { Tensor, allocLike } from '../tensor.js';
import type { Random } from '../random.js';

export function dropout(x: Tensor, p: number, random: Random, training = true): Tensor {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout: probability must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const n = x.size;
  const keep = 1 / (1 - p);
  const mask = allocLike(n, x);
  for (let k = 0; k < n; k++) mask[k] = random.next() < p ? 0 : keep;
  const X = x.data;
  const y = allocLike(n, x);
  for (let k = 0; k < n; k++) y[k] = X[k]! * mask[k]!;
  return Tensor.fromOp(y, x.shape, [x], (out) => {
    const dy = out.grad!;
    const dx = x.gradBuffer();
    for (let k = 0; k < n; k++) dx[k]! += dy[k]! * mask[k]!;
  });
}
