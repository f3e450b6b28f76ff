// lstm-ts: gated recurrent networks in TypeScript. The public surface, room by room.
export { Tensor, noGrad, type Data, type DType, type TensorOptions } from './core/tensor.js';
export { Random, manualSeed, getRngState, setRngState } from './core/random.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './core/gradcheck.js';
export * as ops from './core/ops/index.js';
export * from './core/ops/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './data/index.js';
export * from './train/index.js';
export {
  useEngine, fusedEngineFor, fusedSequenceEngineFor, fusedUnsupported, fusedSequenceUnsupported, FusedLanguageModel,
  type EnginePreference, type FusedSequenceEngine, type SequenceBatch, type SequenceLossOptions, type SequenceStep, type RegressionLossKind,
} from './engine/index.js';
export {
  readSafetensors,
  readSafetensorsWithMetadata,
  writeSafetensors,
  encodeSafetensors,
  decodeSafetensors,
  type TensorDict,
  type SafetensorsContents,
} from './io/safetensors.js';
export { memoryBudget, setMemoryBudget, PAGE_MEMORY_BUDGET } from './io/memory.js';
export { MAX_STATE, MAX_WEIGHT } from './core/limits.js';
// The runtime face: one call chooses the kernels and threads for everything (see src/kernels/runtime.ts).
export { init, runtimeInfo, type BackendName, type RuntimeInfo, type RuntimeOptions } from './kernels/runtime.js';
export * from './export/index.js';
