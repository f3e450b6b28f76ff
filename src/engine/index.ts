// Choosing the training path: the fused engine wherever it applies (built-in cells, unidirectional, no output
// projection), the autograd tape otherwise. One engine is kept per model so its workspace is reused across steps.
import type { RNNModel } from '../nn/rnn-model.js';
import type { Backend } from '../kernels/backend.js';
import { createEngineBackend } from '../kernels/index.js';
import { FusedLanguageModel, fusedUnsupported } from './language-model.js';
import { FusedGenerator } from './generator.js';

export type EnginePreference = 'auto' | 'fused' | 'autograd';

let preference: EnginePreference = 'auto';
/** By default the runtime's choice (src/kernels/runtime.ts: `init`), made at first use, not at import. */
let backendFactory: () => Backend = createEngineBackend;
const engines = new WeakMap<RNNModel, FusedLanguageModel>();
const generators = new WeakMap<RNNModel, FusedGenerator>();

/** 'auto' (default) uses the fused engine where it applies; 'autograd' forces the tape; 'fused' insists. */
export function useEngine(choice: EnginePreference): void {
  preference = choice;
}

/** Internal (tests): the backend new fused engines run on, instead of the runtime's (see `init`). */
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
