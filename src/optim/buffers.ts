// The state buffers each optimizer keeps, by the names stateDict() gives them, known from the optimizer's kind and
// the parameter sizes alone: a checkpoint loader compares a file with this list before it allocates anything.
// Buffers are float32 for float32 parameters; Adam's per-parameter step counts are one float64 buffer.
// (test/fuzz-checkpoint.test.ts holds this list to what SGD and Adam really keep.)

export interface BufferLayout {
  name: string;
  length: number;
  dtype: 'F32' | 'F64';
  /** Whole numbers (step counts). */
  integer?: boolean;
}

/** Buffers of optimizer `kind` ('sgd', 'adam', 'adamw') over parameters of `sizes` elements; momentum is SGD's. */
export function optimizerBufferLayout(kind: string, momentum: number, sizes: readonly number[]): BufferLayout[] {
  if (kind === 'adam' || kind === 'adamw') {
    return [
      ...sizes.flatMap((n, k): BufferLayout[] => [
        { name: `exp_avg.${k}`, length: n, dtype: 'F32' },
        { name: `exp_avg_sq.${k}`, length: n, dtype: 'F32' },
      ]),
      { name: 'steps', length: sizes.length, dtype: 'F64', integer: true },
    ];
  }
  if (kind === 'sgd') return momentum === 0 ? [] : sizes.map((n, k) => ({ name: `momentum.${k}`, length: n, dtype: 'F32' }));
  throw new Error(`unknown optimizer kind ${JSON.stringify(kind)} (expected 'sgd', 'adam' or 'adamw')`);
}
