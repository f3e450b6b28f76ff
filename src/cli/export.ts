// `lstm export`: a checkpoint as a PyTorch state dict (safetensors, nn.LSTM/nn.GRU/nn.RNN + nn.Linear names and
// layout) or as an ONNX model of standard operators, each with a JSON sidecar (vocabulary, text settings, model and
// training config) beside it. The library loads only once the command runs, so `lstm --help` stays instant.
import { Option, type Command } from 'commander';
import { checkCommandFiles } from './outputs.js';

export interface ExportFlags {
  model: string;
  format: 'torch' | 'onnx';
  out: string;
  force?: boolean;
}

const EXAMPLES = `
The sidecar is written beside --out under its name plus .json: book.onnx -> book.onnx.json.

  torch  safetensors named exactly as PyTorch's state dict of an RNNModel holding nn.LSTM/GRU/RNN
         as .rnn, an optional nn.Embedding as .embedding and nn.Linear(hidden, vocab) as .linear
         (rnn.weight_ih_l0, ..., linear.weight, linear.bias[, embedding.weight]); an LSTM's bias_hh is 0
         and its bias_ih carries the (summed) bias. The sidecar's "torch" entry gives the module's sizes.
         Load it with model.load_state_dict(safetensors.torch.load_file(...)), train it further, save a
         state dict the same way, and bring it back with lstm import.
  onnx   opset 17: OneHot (or Gather), the ONNX LSTM/GRU/RNN operator per layer, Gemm. Inputs tokens
         (B, T) int64 and h0 [c0] (layers, B, hidden); outputs logits (T·B, V) time-major and hn [cn].

A forecaster or a classifier (lstm train --task) exports its head too: torch as the state dict of a module
holding .rnn, .head = nn.Linear(D·hidden, outputs) (and .embedding); onnx with inputs x (B, T, F) in the data's
units and output forecast (B, horizon, targets), the scaler inside the graph, or inputs tokens (B, T) int64 and
lengths (B,) int32 (ONNX's sequence_lens) and outputs logits and probabilities (B, classes).

Examples:
  lstm export --model book.safetensors --format torch --out book.torch.safetensors
  lstm export --model book.safetensors --format onnx --out book.onnx
`;

export function defineExport(program: Command): Command {
  return program
    .command('export')
    .description('write a checkpoint as a PyTorch state dict (safetensors + JSON sidecar) or as an ONNX model')
    .requiredOption('--model <file>', 'checkpoint written by lstm train')
    .addOption(new Option('--format <kind>', 'torch (safetensors state dict) or onnx').choices(['torch', 'onnx']).makeOptionMandatory())
    .requiredOption('--out <file>', 'file to write; the JSON sidecar goes beside it')
    .option('--force', 'replace --out and its sidecar if they exist')
    .addHelpText('after', EXAMPLES);
}

export async function exportAction(flags: ExportFlags): Promise<number> {
  const kind = await (await import('./task-files.js')).checkpointKindOf(flags.model);
  if (kind !== 'language-model') return (await import('./task-export.js')).exportTaskAction(flags, kind);
  const { exportOnnx, makeSidecar, sidecarPathFor, torchTensors, describeTorchModel, ONNX_OPSET } = await import('../export/index.js');
  const { writeFilesTogether } = await import('../io/files.js');
  const { encodeSafetensors } = await import('../io/safetensors.js');
  const { loadCheckpoint } = await import('../train/checkpoint.js');
  const { cellKind } = await import('../nn/cell-kinds.js');
  const sidecarPath = sidecarPathFor(flags.out);
  const force = flags.force === true;
  checkCommandFiles({ inputs: [{ flag: '--model', path: flags.model }], outputs: [{ flag: '--out', path: flags.out }, { flag: 'sidecar', path: sidecarPath }], force });
  const ckpt = await loadCheckpoint(flags.model);
  const what = describeTorchModel(ckpt.config);
  const sidecar = makeSidecar(ckpt, flags.format, { exportedFrom: flags.model });
  let summary: string;
  let bytes: Uint8Array;
  if (flags.format === 'torch') {
    const tensors = torchTensors(ckpt.model);
    // "format: pt" is what safetensors.torch writes; readers that check it then take the file as PyTorch's.
    bytes = encodeSafetensors(tensors, { format: 'pt' });
    summary = `PyTorch state dict of ${Object.keys(tensors).length} tensors for RNNModel(nn.${cellKind(ckpt.config.cell).name}) (${what})`;
  } else {
    bytes = exportOnnx(ckpt.model, {
      metadata: { 'lstm-ts': JSON.stringify({ model: sidecar.model, text: sidecar.text, vocab: sidecar.vocab }) },
      docString: `${what}; tokens (B, T) int64 -> logits (T·B, V), row t·B + b`,
    });
    const [L, H, V] = [ckpt.config.numLayers, ckpt.config.hiddenSize, ckpt.config.vocabSize];
    const { name, stateNames } = cellKind(ckpt.config.cell);
    const [ins, outs] = [stateNames.map((s) => `${s}0`).join(', '), stateNames.map((s) => `${s}n`).join(', ')];
    summary = `ONNX opset ${ONNX_OPSET} with the ${name} operator (${what}); inputs tokens (B, T) int64, ${ins} (${L}, B, ${H}); outputs logits (T·B, ${V}), ${outs}`;
  }
  // Both files or neither: a full disk while writing the sidecar leaves no half of the pair behind.
  await writeFilesTogether([[flags.out, bytes], [sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`]]);
  process.stdout.write(`wrote ${flags.out}: ${summary}\nwrote ${sidecarPath}: vocabulary (${ckpt.vocab.size} tokens), text settings, model and training config\n`);
  return 0;
}
