// One epoch of independent examples (windows, labelled sequences) as a PyTorch loop over a seeded permutation has
// it: the order drawn from `random` when the epoch is made (so an interrupted epoch is drawn again from the same
// generator state and the batches already done are skipped), `batchSize` at a time, the last batch keeping the rest.
import type { Random } from '../core/random.js';
import type { TaskEpoch } from './task.js';

/** `take(rows)` builds the batch of the examples at `rows`, in that order. */
export function shuffledEpoch<B>(count: number, random: Random, batchSize: number, take: (rows: number[]) => B): TaskEpoch<B> {
  const order = random.shuffle(Array.from({ length: count }, (_, n) => n));
  const numBatches = Math.ceil(count / batchSize);
  function* generate(): Generator<B> {
    for (let i = 0; i < numBatches; i++) yield take(order.slice(i * batchSize, (i + 1) * batchSize));
  }
  return Object.assign(generate(), { numBatches });
}
