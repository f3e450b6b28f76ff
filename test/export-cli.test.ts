// `lstm export` and `lstm import` as a user runs them: a checkpoint exported to torch and onnx (the ONNX file runs
// in onnxruntime-node with the checkpoint's logits), the torch export imported back (same logits, a checkpoint that
// train --resume continues); bad requests end in one `lstm: error:` line naming expected and found.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { Tensor, noGrad } from '../src/core/tensor.js';
import { loadDefaultCorpus } from '../src/data/default-corpus.js';
import { readSafetensors } from '../src/io/safetensors.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../src/train/checkpoint.js';
import { prepareCorpus } from '../src/train/corpus.js';
import { buildModel } from '../src/train/model-config.js';
import { Trainer } from '../src/train/trainer.js';
import { lstm, type Run } from './helpers/cli.js';

function assertOneLineError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code ${r.code}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^lstm: error: [^\n]*\n$/);
  assert.match(r.stderr, pattern);
}

let dir = '';
let ckptPath = '';
let data = '';
let original: Checkpoint;

function logits(ckpt: Checkpoint, ids: Float32Array, B: number, T: number): Float32Array | Float64Array {
  return noGrad(() => ckpt.model.forward(new Tensor(ids, [B, T]))[0].data);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lstm-export-'));
  const text = (await loadDefaultCorpus()).slice(0, 3000);
  data = join(dir, 'small.txt');
  await writeFile(data, text);
  // What `lstm train` saves after its first epoch, without spending an epoch on it.
  const settings = { tokens: 'char', preprocess: 'none' } as const;
  const { vocab } = prepareCorpus(text, settings);
  const config = { cell: 'lstm', hiddenSize: 8, numLayers: 2, dropout: 0, vocabSize: vocab.size, seed: 1 } as const;
  const model = buildModel(config);
  const trainer = new Trainer(model, { batchSize: 4, numSteps: 8, epochs: 1, validFraction: 0 });
  trainer.epoch = 1;
  ckptPath = join(dir, 'book.safetensors');
  await saveCheckpoint(ckptPath, { config, model, text: settings, vocab, trainer });
  original = await loadCheckpoint(ckptPath);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('export --format torch and onnx; the ONNX file gives the checkpoint logits; import brings the torch export back', async () => {
  const torchOut = join(dir, 'book.torch.safetensors');
  const onnxOut = join(dir, 'book.onnx');
  const [t, o] = await Promise.all([
    lstm(['export', '--model', ckptPath, '--format', 'torch', '--out', torchOut]),
    lstm(['export', '--model', ckptPath, '--format', 'onnx', '--out', onnxOut]),
  ]);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(o.code, 0, o.stderr);
  assert.match(t.stdout, /^wrote .*book\.torch\.safetensors: PyTorch state dict of 10 tensors for RNNModel\(nn\.LSTM\)/);
  assert.match(o.stdout, /wrote .*book\.onnx\.json: vocabulary \(\d+ tokens\)/);
  assert.match(t.stdout, /wrote .*book\.torch\.safetensors\.json: vocabulary/);
  const names = Object.keys(await readSafetensors(torchOut)).sort();
  assert.deepEqual(names.slice(0, 2), ['linear.bias', 'linear.weight']);
  const sidecar = JSON.parse(await readFile(join(dir, 'book.torch.safetensors.json'), 'utf8'));
  assert.equal(sidecar.torch.rnn, 'LSTM');
  assert.deepEqual(sidecar.vocab.tokens, original.vocab.tokens);

  const [B, T] = [2, 6];
  const ids = Float32Array.from({ length: B * T }, (_, k) => (k * 5) % original.vocab.size);
  const session = await ort.InferenceSession.create(onnxOut);
  const zeros = () => new ort.Tensor('float32', new Float32Array(2 * B * 8), [2, B, 8]);
  const out = await session.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]), h0: zeros(), c0: zeros() });
  const expected = logits(original, ids, B, T);
  (out.logits!.data as Float32Array).forEach((v, k) => assert.ok(Math.abs(v - expected[k]!) <= 1e-5, `ONNX logit ${k}`));

  const imported = join(dir, 'book.torch.lstm.safetensors');
  const i = await lstm(['import', '--from', torchOut, '--format', 'torch']);
  assert.equal(i.code, 0, i.stderr);
  assert.match(i.stdout, /resumes at epoch 1 of 1 with a fresh optimizer state/);
  const back = await loadCheckpoint(imported);
  assert.deepEqual(Array.from(logits(back, ids, B, T)), Array.from(expected));

  // generate and eval read checkpoints through loadCheckpoint, as above; train --resume also needs the training state.
  const r = await lstm(['train', '--resume', '--out', imported, '--data', data, '--epochs', '2', '--json', '--sample-length', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"epoch":2/);
});

test('bad requests: an existing --out, a missing sidecar, a vocabulary that is not the decoder size, an unknown format', async () => {
  const torchOut = join(dir, 'book.torch.safetensors'); // written by the test above
  const sidecar = JSON.parse(await readFile(join(dir, 'book.torch.safetensors.json'), 'utf8'));
  sidecar.vocab.tokens.push('☃');
  sidecar.model.vocabSize += 1;
  await writeFile(join(dir, 'grown.json'), JSON.stringify(sidecar));
  await writeFile(join(dir, 'lonely.safetensors'), await readFile(torchOut));
  const [exists, noSidecar, grown, format] = await Promise.all([
    lstm(['export', '--model', ckptPath, '--format', 'torch', '--out', torchOut]),
    lstm(['import', '--from', join(dir, 'lonely.safetensors'), '--format', 'torch']),
    lstm(['import', '--from', torchOut, '--format', 'torch', '--sidecar', join(dir, 'grown.json'), '--out', join(dir, 'y.safetensors')]),
    lstm(['import', '--from', torchOut, '--format', 'onnx']),
  ]);
  assertOneLineError(exists, /book\.torch\.safetensors already exists; pass --force to replace it/);
  assertOneLineError(noSidecar, /sidecar not found: .*lonely\.safetensors\.json \(the JSON that lstm export writes beside the weights; name another with --sidecar\)/);
  assertOneLineError(grown, /grown\.json has a vocabulary of \d+ tokens but the decoder linear\.weight in .*book\.torch\.safetensors is \(\d+, 8\), i\.e\. \d+ tokens/);
  assertOneLineError(format, /option '--format <kind>' argument 'onnx' is invalid\. Allowed choices are torch\./);
});

test('one stem, two formats: m.onnx and m.safetensors keep their own sidecars; import still reads the older name', async () => {
  const [onnx, torch] = [join(dir, 'm.onnx'), join(dir, 'm.safetensors')];
  const [o, t] = await Promise.all([
    lstm(['export', '--model', ckptPath, '--format', 'onnx', '--out', onnx]),
    lstm(['export', '--model', ckptPath, '--format', 'torch', '--out', torch]),
  ]);
  assert.equal(o.code, 0, o.stderr);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(JSON.parse(await readFile(`${onnx}.json`, 'utf8')).weights, 'onnx');
  assert.equal(JSON.parse(await readFile(`${torch}.json`, 'utf8')).weights, 'torch');
  // A sidecar from lstm-ts 0.1 sits under the older name (extension replaced): import finds it there.
  const old = join(dir, 'old.safetensors');
  await writeFile(old, await readFile(torch));
  await writeFile(join(dir, 'old.json'), await readFile(`${torch}.json`));
  const i = await lstm(['import', '--from', old, '--format', 'torch', '--out', join(dir, 'old.lstm.safetensors')]);
  assert.equal(i.code, 0, i.stderr);
  assert.match(i.stdout, /from .*old\.safetensors and .*old\.json\n/);
});
