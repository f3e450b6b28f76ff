// Choosing the training path: the fused engine wherever it applies (built-in cells, unidirectional, no output
// projection), the autograd tape otherwise. One engine is kept per model so its workspace is reused across steps.
import type { RNNModel } from '../nn/rnn-model.js';
import { createRefBackend, type Backend } from '../kernels/backend.js';
import { createWasmBackend } from '../kernels/wasm/engine-backend.js';
import { probeWasm } from '../kernels/wasm/probe.js';
import { FusedLanguageModel, fusedUnsupported } from './language-model.js';
import { FusedGenerator } from './generator.js';

export type EnginePreference = 'auto' | 'fused' | 'autograd';

let preference: EnginePreference = 'auto';
/** WebAssembly SIMD where the probe finds it, else plain TypeScript; decided at first use, not at import. */
function defaultBackend(): Backend {
  return probeWasm().simd ? createWasmBackend() : createRefBackend();
}

let backendFactory: () => Backend = defaultBackend;
const engines = new WeakMap<RNNModel, FusedLanguageModel>();
const generators = new WeakMap<RNNModel, FusedGenerator>();

/** 'auto' (default) uses the fused engine where it applies; 'autograd' forces the tape; 'fused' insists. */
export function useEngine(choice: EnginePreference): void {
  preference = choice;
}

/** The backend new fused engines run on (by default WebAssembly SIMD where available, else plain TypeScript). */
export function setEngineBackend(factory: () => Backend): void {
  backendFactory = factory;
}

function fusedApplies(model: RNNModel): boolean {
  if (preference === 'autograd') return false;
  const reason = fusedUnsupported(model);
  if (reason !== null && preference === 'fused') throw new Error(`the fused engine was requested but ${reason}`);
  return reason === null;
}

/**
 * A one-token-at-a-time generator for this model with its current weights packed and a zero state, or null when
 * the autograd path should run. It is reused between calls, so generation allocates nothing per token.
 */
export function fusedGeneratorFor(model: RNNModel): FusedGenerator | null {
  if (!fusedApplies(model)) return null;
  let generator = generators.get(model);
  if (generator === undefined) {
    generator = new FusedGenerator(model, backendFactory());
    generators.set(model, generator);
  } else generator.refresh();
  return generator;
}

/** The fused engine for this model, or null when the autograd path should run. */
export function fusedEngineFor(model: RNNModel): FusedLanguageModel | null {
  if (!fusedApplies(model)) return null;
  let engine = engines.get(model);
  if (engine === undefined) {
    engine = new FusedLanguageModel(model, backendFactory());
    engines.set(model, engine);
  }
  return engine;
}

export { FusedLanguageModel, FusedGenerator, fusedUnsupported };
