// The time loops' calls by name. Their one table of arguments is the AssemblyScript signatures in
// assembly/steps.ts, read by scripts/build-wasm.mjs into STEP_KERNELS (exports.generated.ts); from it come the
// named arguments a caller must give (StepArgs: a missing, extra or renamed one does not type-check), the flat
// list a kernel takes (stepArgList) and the thread pool's op codes (STEP_KERNEL_NAMES). A new time loop is
// written once, in steps.ts, and called by name. Shapes: as in assembly/steps.ts.
import { STEP_KERNELS } from './exports.generated.js';

export { STEP_KERNELS };
export type StepKernel = keyof typeof STEP_KERNELS;
type Params<K extends StepKernel> = (typeof STEP_KERNELS)[K][number];

/**
 * A time loop's arguments by parameter name: usize parameters are heap offsets (a negative offset stands for
 * none, passed as the null pointer), i32 ones sizes or flags (a boolean flag passes as 0/1).
 */
export type StepArgs<K extends StepKernel> = {
  readonly [P in Params<K> as P[0]]: P[1] extends 'usize' ? number : number | boolean;
};

/** The time loops in op-code order (their index is what the thread pool writes into its control block). */
export const STEP_KERNEL_NAMES = Object.keys(STEP_KERNELS) as StepKernel[];

/** The kernel's arguments in its parameter order, each usize offset turned into a byte pointer by `pointer`. */
export function stepArgList<K extends StepKernel>(kernel: K, args: StepArgs<K>, pointer: (offset: number) => number): number[] {
  const named = args as unknown as Record<string, number | boolean>;
  return (STEP_KERNELS[kernel] as readonly (readonly [string, string])[]).map(([name, type]) => {
    const value = named[name]!;
    if (type !== 'usize') return Number(value);
    return (value as number) < 0 ? 0 : pointer(value as number);
  });
}
