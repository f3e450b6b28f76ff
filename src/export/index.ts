// Moving models out of lstm-ts and back: ONNX graphs of standard operators for any ONNX runtime, and PyTorch
// state dicts (safetensors) with a JSON sidecar for training elsewhere (examples/torch: DistributedDataParallel
// under torchrun), imported back into a checkpoint that generate, eval and train --resume accept.
export { exportOnnx, ONNX_OPSET, type OnnxExportOptions } from './onnx.js';
export { decodeModel as decodeOnnxModel, encodeModel as encodeOnnxModel, type ModelMsg as OnnxModel } from './onnx-schema.js';
export { checkTorchHeader, describeTorchModel, importTorch, torchTensorSpecs, torchTensors, type TorchImportSources } from './torch.js';
export {
  SIDECAR_FORMAT, SIDECAR_VERSION, legacySidecarPathFor, makeSidecar, parseSidecar, sidecarPathFor, torchSpec,
  type Sidecar, type SidecarProgress, type TorchModelSpec,
} from './sidecar.js';
export { exportClassifierOnnx, exportForecasterOnnx } from './onnx-sequence.js';
export { checkTaskTorchHeader, importTaskTorch, makeTaskSidecar, parseTaskSidecar, taskTorchTensors, torchSequenceSpec, type SequenceTask, type TorchSequenceSpec } from './task-export.js';
