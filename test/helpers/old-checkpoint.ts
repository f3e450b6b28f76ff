// The run behind test/fixtures/checkpoints/lm-before-task-field.* (written by scripts/pinned/make-old-checkpoint.ts
// before checkpoints recorded their task): a tiny character LSTM on a repeated sentence, stopped mid-epoch.
import { createHash } from 'node:crypto';
import type { Module } from '../../src/nn/module.js';
import type { TrainTextOptions } from '../../src/train/index.js';

export const OLD_CHECKPOINT_RUN = {
  text: 'the quick brown fox jumps over the lazy dog. '.repeat(12),
  options: {
    model: { cell: 'lstm', hiddenSize: 16, numLayers: 1, dropout: 0, seed: 11 },
    text: { tokens: 'char', preprocess: 'none' },
    training: { batchSize: 3, numSteps: 8, epochs: 6, lr: 0.05, sampling: 'sequential', validFraction: 0.1, seed: 4 },
  } satisfies TrainTextOptions,
  stopAt: { epoch: 5, batch: 3 },
  prefix: 'the q',
  length: 20,
} as const;

/** SHA-256 of the parameters' float32 bytes in namedParameters order. */
export function weightsDigest(model: Module): string {
  const hash = createHash('sha256');
  for (const [name, p] of model.namedParameters()) hash.update(name).update(new Uint8Array(Float32Array.from(p.data).buffer));
  return hash.digest('hex');
}
