// The one kernel dispatcher: an explicit, type-checked table of kernels per backend, and the backend in use.
// Ops call `kernels().gemm(...)`; nothing registers itself on import. The plain TypeScript table (`ref`) is
// always present; faster backends are added to `backends` and chosen with `useBackend`.
import { gemm, type GemmArgs } from './ref/gemm.js';

export interface Kernels {
  readonly name: string;
  gemm(args: GemmArgs): void;
}

export const refKernels: Kernels = { name: 'ref', gemm };

const backends: Record<string, Kernels> = { ref: refKernels };
let active: Kernels = refKernels;

export function kernels(): Kernels {
  return active;
}

export function availableBackends(): string[] {
  return Object.keys(backends);
}

export function useBackend(name: string): void {
  const chosen = backends[name];
  if (chosen === undefined) throw new Error(`useBackend: unknown backend "${name}"; available: ${availableBackends().join(', ')}`);
  active = chosen;
}

export type { GemmArgs };
