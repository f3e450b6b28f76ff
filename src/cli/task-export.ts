// `lstm export` and `lstm import` of a forecaster or a classifier (export.ts and import.ts hand them over once the
// checkpoint's or the sidecar's task is known): the PyTorch state dict or the ONNX graph with the head (and, for a
// forecaster, the scaler), each with its JSON sidecar; and back from a PyTorch state dict to a checkpoint.
import type { ExportFlags } from './export.js';
import type { ImportFlags } from './import.js';
import { checkCommandFiles } from './outputs.js';

export async function exportTaskAction(flags: ExportFlags, kind: 'forecast' | 'classify'): Promise<number> {
  const { sidecarPathFor } = await import('../export/sidecar.js');
  const { makeTaskSidecar, taskTorchTensors, torchSequenceSpec } = await import('../export/task-export.js');
  const { exportClassifierOnnx, exportForecasterOnnx } = await import('../export/onnx-sequence.js');
  const { ONNX_OPSET } = await import('../export/onnx.js');
  const { writeFilesTogether } = await import('../io/files.js');
  const { encodeSafetensors } = await import('../io/safetensors.js');
  const { loadTaskCheckpoint } = await import('../train/checkpoint.js');
  const { CLASSIFY_LOADER, FORECAST_LOADER } = await import('../train/task-loaders.js');
  const { describeTaskModel } = await import('../train/sequence-config.js');
  const sidecarPath = sidecarPathFor(flags.out);
  checkCommandFiles({ inputs: [{ flag: '--model', path: flags.model }], outputs: [{ flag: '--out', path: flags.out }, { flag: 'sidecar', path: sidecarPath }], force: flags.force === true });
  const { task, training } = kind === 'forecast' ? await loadTaskCheckpoint(flags.model, FORECAST_LOADER) : await loadTaskCheckpoint(flags.model, CLASSIFY_LOADER);
  const sidecar = makeTaskSidecar(task, training, flags.format, { exportedFrom: flags.model });
  const what = describeTaskModel(task.info.config);
  let bytes: Uint8Array;
  let summary: string;
  if (flags.format === 'torch') {
    const tensors = taskTorchTensors(task);
    bytes = encodeSafetensors(tensors, { format: 'pt' });
    summary = `PyTorch state dict of ${Object.keys(tensors).length} tensors for ${torchSequenceSpec(task).module} (${what})`;
  } else if (task.kind === 'forecast') {
    const { scaler, settings } = task.info;
    const metadata = { 'lstm-ts': JSON.stringify(sidecar) };
    bytes = exportForecasterOnnx(task.model, scaler, { metadata, docString: `${what}; x (B, T, ${settings.columns.length}) -> forecast (B, ${settings.horizon}, ${settings.targetCount}), in the data's units` });
    summary = `ONNX opset ${ONNX_OPSET} (${what}); input x (B, T, ${settings.columns.length}) in the data's units (${settings.columns.join(', ')}); output forecast (B, ${settings.horizon}, ${settings.targetCount}), the scaler inside`;
  } else {
    const metadata = { 'lstm-ts': JSON.stringify(sidecar) };
    bytes = exportClassifierOnnx(task.model, { metadata, docString: `${what}; tokens (B, T) int64, lengths (B,) int32 -> logits, probabilities (B, ${task.info.labels.size})` });
    summary = `ONNX opset ${ONNX_OPSET} (${what}); inputs tokens (B, T) int64 and lengths (B,) int32 (sequence_lens); outputs logits and probabilities (B, ${task.info.labels.size}) over ${task.info.labels.labels.join(', ')}`;
  }
  // Both files or neither: a full disk while writing the sidecar leaves no half of the pair behind.
  await writeFilesTogether([[flags.out, bytes], [sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`]]);
  const keeps = task.kind === 'forecast' ? 'the scaler, the series settings' : 'the labels, the vocabulary, the text settings';
  process.stdout.write(`wrote ${flags.out}: ${summary}\nwrote ${sidecarPath}: ${keeps}, the model and training config\n`);
  return 0;
}

/** `lstm import` of a sidecar whose task is forecast or classify; `raw` is its parsed JSON, `weights` the state dict's bytes. */
export async function importTaskAction(flags: ImportFlags, sidecarPath: string, raw: unknown, weights: Uint8Array, out: string): Promise<number> {
  const { checkTaskTorchHeader, importTaskTorch, parseTaskSidecar } = await import('../export/task-export.js');
  const { decodeSafetensors } = await import('../io/safetensors.js');
  const { parseSafetensorsHeader } = await import('../io/safetensors-header.js');
  const { saveTaskCheckpoint } = await import('../train/checkpoint.js');
  const { describeTaskModel } = await import('../train/sequence-config.js');
  const { CliError } = await import('./errors.js');
  // The header first (strictly), then the sidecar's task, then the header against it: no tensor is read before.
  const header = parseSafetensorsHeader(weights, flags.from);
  if (header.metadata['lstm-ts'] !== undefined) {
    throw new CliError(`${flags.from} is already an lstm-ts checkpoint (predict, eval and train --resume read it as it is); lstm import reads PyTorch state dicts`);
  }
  const parsed = parseTaskSidecar(raw, sidecarPath)!;
  const from = { weights: flags.from, sidecar: sidecarPath };
  checkTaskTorchHeader(header.entries, parsed.task, from);
  const { task, trainer } = importTaskTorch(decodeSafetensors(weights, flags.from).tensors, parsed, from);
  await saveTaskCheckpoint(out, task, trainer);
  process.stdout.write(
    `wrote ${out}: a ${task.kind} checkpoint of ${describeTaskModel(task.info.config)}, from ${flags.from} and ${sidecarPath}\n` +
      `it resumes at epoch ${trainer.epoch} of ${trainer.options.epochs} with a fresh optimizer state: lstm train --task ${task.kind} --resume --out ${out} [--data FILE] [--epochs N]\n`,
  );
  return 0;
}
