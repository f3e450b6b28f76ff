// lstm-ts: gated recurrent networks in TypeScript. The public surface, room by room.
export { Tensor, noGrad, type Data, type DType, type TensorOptions } from './core/tensor.js';
export { Random, manualSeed } from './core/random.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './core/gradcheck.js';
export * as ops from './core/ops/index.js';
export * from './core/ops/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './data/index.js';
export * from './train/index.js';
export { useEngine, setEngineBackend, fusedEngineFor, fusedUnsupported, FusedLanguageModel, type EnginePreference } from './engine/index.js';
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
export { availableBackends, useBackend, enableWasm, probeBackends } from './kernels/index.js';
export { setThreads, threadCount, availableCores } from './kernels/wasm/threads.js';
export * from './export/index.js';
