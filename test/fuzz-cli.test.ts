// Hostile input through the `lstm` command: data files that are FIFOs, devices, directories, binary or over the size
// limit; flags that ask for absurd models; damaged checkpoints for generate, eval, export and train --resume;
// damaged PyTorch imports; outputs that are inputs, existing files, FIFOs or devices. Every case: one
// `lstm: error: ...` line naming the problem, exit 1, no stack trace, no file in the directory changed, created or
// removed, and the process's peak resident memory under 500 MiB (measured in the child: test/helpers/peak-rss.mjs).
// Runs the built CLI (dist/), as `npm test` builds it first.
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_WEIGHT } from '../src/core/limits.js';
import { makeSidecar, torchTensors } from '../src/export/index.js';
import { encodeSafetensors } from '../src/io/safetensors.js';
import { decodeCheckpoint, encodeCheckpoint } from '../src/train/index.js';
import { TEXT, assertRefused, editHeader, editMeta, hostileRun, joinFile, poke, snapshot, splitFile, tinyCheckpoint } from './helpers/hostile.js';

let dir = '';
const at = (name: string): string => join(dir, name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lstm-fuzz-cli-'));
  writeFileSync(at('small.txt'), TEXT);
  writeFileSync(at('binary.dat'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
  writeFileSync(at('latin1.txt'), Buffer.from('caf\xe9 au lait\n', 'latin1'));
  execFileSync('truncate', ['-s', '70M', at('sparse-70M.txt')]); // over the 64 MiB default, and all NUL
  execFileSync('mkfifo', [at('fifo')]);
  mkdirSync(at('a-directory'));

  const input = await tinyCheckpoint();
  const good = encodeCheckpoint(input);
  const files: Record<string, Uint8Array> = {
    'model.safetensors': good,
    'nan.safetensors': poke(good, 'rnn.l0.W_i', 3, NaN),
    'inf.safetensors': poke(good, 'decoder.bias', 1, Infinity),
    'huge.safetensors': poke(good, 'decoder.weight', 0, 3e38),
    'nan-optimizer.safetensors': poke(good, 'optimizer.exp_avg_sq.4', 0, NaN),
    'hidden30000.safetensors': editMeta(good, (m) => (m.model.hiddenSize = 30000)),
    'layers1e6.safetensors': editMeta(good, (m) => (m.model.numLayers = 1e6)),
    'embedding1e9.safetensors': editMeta(good, (m) => (m.model.embeddingDim = 1e9)),
    'batch1e6.safetensors': editMeta(good, (m) => (m.training.batch = 1e6)),
    'i32.safetensors': editHeader(good, (h) => (h['rnn.l1.U_i'].dtype = 'I32')),
    'shifted.safetensors': editHeader(good, (h) => (h['decoder.bias'].data_offsets = h['decoder.bias'].data_offsets.map((o: number) => o + 2))),
    'short.safetensors': good.subarray(0, good.length - 3),
  };
  const { header, data } = splitFile(good);
  const json = JSON.stringify(header).replace(/^\{/, `{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[${data.length},${data.length + 4}]},`);
  files['proto.safetensors'] = joinFile(json, new Uint8Array([...data, 0, 0, 0, 0]));

  // A PyTorch export of the same model and its sidecar, and damaged versions of both.
  const ckpt = decodeCheckpoint(good, 'model');
  const dict = torchTensors(ckpt.model);
  const torch = encodeSafetensors(dict, { format: 'pt' });
  const sidecar = makeSidecar(ckpt, 'torch');
  files['torch.safetensors'] = torch;
  files['torch-nan.safetensors'] = poke(torch, 'rnn.weight_hh_l1', 5, NaN);
  files['torch-huge.safetensors'] = poke(torch, 'linear.bias', 0, -4 * MAX_WEIGHT);
  files['torch-i32.safetensors'] = editHeader(torch, (h) => (h['rnn.weight_ih_l0'].dtype = 'I32'));
  const tj = splitFile(torch);
  files['torch-proto.safetensors'] = joinFile(JSON.stringify(tj.header).replace(/^\{/, `{"module.__proto__":{"dtype":"F32","shape":[1],"data_offsets":[${tj.data.length},${tj.data.length + 4}]},`), new Uint8Array([...tj.data, 0, 0, 0, 0]));
  files['torch-old.safetensors'] = torch;
  // Sidecars under the export's whole name (torch.safetensors.json), and one under the name of versions before 0.2.
  for (const name of ['torch', 'torch-nan', 'torch-huge', 'torch-i32', 'torch-proto']) writeFileSync(at(`${name}.safetensors.json`), JSON.stringify(sidecar));
  writeFileSync(at('torch-old.json'), JSON.stringify(sidecar));
  writeFileSync(at('wide.json'), JSON.stringify({ ...sidecar, model: { ...sidecar.model, hiddenSize: 100_000 } }));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(at(name), bytes);
  writeFileSync(at('exists.perplexity.svg'), '<svg/>');
  writeFileSync(at('taken.onnx.json'), '{}');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Case = [what: string, args: string[], message: RegExp];

const TRAIN = ['train', '--epochs', '1', '--hidden', '8', '--batch', '2', '--steps', '5', '--sample-length', '0', '--valid', '0'];
const CASES: Case[] = [
  // data files
  ['--data is a FIFO', [...TRAIN, '--data', '@fifo', '--out', '@new.safetensors'], /corpus file .*fifo is a FIFO \(named pipe\), not a regular file/],
  ['--data /dev/zero', [...TRAIN, '--data', '/dev/zero', '--out', '@new.safetensors'], /corpus file \/dev\/zero is a device, not a regular file/],
  ['--data /dev/urandom with --max-tokens', [...TRAIN, '--data', '/dev/urandom', '--max-tokens', '2000', '--out', '@new.safetensors'], /\/dev\/urandom is a device/],
  ['--data is a directory', [...TRAIN, '--data', '@a-directory', '--out', '@new.safetensors'], /corpus file .*a-directory is a directory, not a regular file/],
  ['--data over the size limit', [...TRAIN, '--data', '@sparse-70M.txt', '--out', '@new.safetensors'], /is 70\.0 MiB, over the limit of 64\.0 MiB; raise the limit with --max-data-size/],
  ['--data binary', [...TRAIN, '--data', '@binary.dat', '--out', '@new.safetensors'], /looks binary \(NUL byte at offset 4\)/],
  ['--data not UTF-8', [...TRAIN, '--data', '@latin1.txt', '--out', '@new.safetensors'], /not valid UTF-8 text/],
  ['--max-data-size garbage', [...TRAIN, '--data', '@small.txt', '--max-data-size', 'lots', '--out', '@new.safetensors'], /'--max-data-size <size>' argument 'lots' is invalid/],
  ['eval --data is a FIFO', ['eval', '--model', '@model.safetensors', '--data', '@fifo'], /is a FIFO/],
  // flags asking for absurd models
  ['--hidden 99999999999', [...TRAIN, '--data', '@small.txt', '--hidden', '99999999999', '--out', '@new.safetensors'], /--hidden 99999999999 .*(largest tensor would hold|needs about)/],
  ['--layers 100000', [...TRAIN, '--data', '@small.txt', '--hidden', '256', '--layers', '100000', '--out', '@new.safetensors'], /--layers 100000 .*needs about .* of memory/],
  ['--embedding 1000000000', [...TRAIN, '--data', '@small.txt', '--embedding', '1000000000', '--out', '@new.safetensors'], /--embedding 1000000000 .*(largest tensor|needs about)/],
  ['--batch and --steps in the millions', [...TRAIN, '--data', '@small.txt', '--batch', '1000000', '--steps', '100000', '--out', '@new.safetensors'], /--batch 1000000 --steps 100000: its largest tensor|needs about/],
  ['bench --hidden 99999999', ['bench', '--hidden', '99999999', '--seconds', '0.1'], /bench --cells lstm --hidden 99999999 .*(largest tensor|needs about)/],
  // damaged checkpoints
  ['generate: NaN weight', ['generate', '--model', '@nan.safetensors', '--prefix', 'the'], /nan\.safetensors: rnn\.l0\.W_i holds NaN at element 3$/],
  ['eval: Inf weight', ['eval', '--model', '@inf.safetensors', '--data', '@small.txt'], /inf\.safetensors: decoder\.bias holds Infinity at element 1$/],
  ['export: weight 3e38', ['export', '--model', '@huge.safetensors', '--format', 'torch', '--out', '@out.safetensors'], /decoder\.weight holds 3\.\d+e\+38 at element 0, beyond the bound 1000000/],
  ['resume: NaN in Adam state', [...TRAIN, '--data', '@small.txt', '--epochs', '2', '--resume', '--out', '@nan-optimizer.safetensors'], /optimizer\.exp_avg_sq\.4 holds NaN at element 0/],
  ['generate: hiddenSize 30000 in a small file', ['generate', '--model', '@hidden30000.safetensors', '--prefix', 'the'], /lstm 30000x2.*needs about .* of memory/],
  ['eval: numLayers 1e6 in a small file', ['eval', '--model', '@layers1e6.safetensors', '--data', '@small.txt'], /checkpoint says lstm 6x1000000 but has no tensor rnn\.l2\.W_i/],
  ['export: embeddingDim 1e9', ['export', '--model', '@embedding1e9.safetensors', '--format', 'onnx', '--out', '@out.onnx'], /embedding \d+x1000000000\): its largest tensor/],
  ['resume: training.batch 1e6', [...TRAIN, '--data', '@small.txt', '--epochs', '2', '--resume', '--out', '@batch1e6.safetensors'], /training\.batch 1000000 is (past the end|more than)/],
  ['generate: float weight stored as I32', ['generate', '--model', '@i32.safetensors', '--prefix', 'the'], /tensor rnn\.l1\.U_i is stored as I32, expected F32/],
  ['generate: offsets shifted by 2', ['generate', '--model', '@shifted.safetensors', '--prefix', 'the'], /not an lstm-ts checkpoint: not a safetensors file/],
  ['generate: three bytes short', ['generate', '--model', '@short.safetensors', '--prefix', 'the'], /not an lstm-ts checkpoint: not a safetensors file/],
  ['generate: a tensor named __proto__', ['generate', '--model', '@proto.safetensors', '--prefix', 'the'], /has unexpected tensor __proto__$/],
  ['generate: --model is a FIFO', ['generate', '--model', '@fifo', '--prefix', 'the'], /checkpoint .*fifo is a FIFO/],
  ['generate: --model /dev/zero', ['generate', '--model', '/dev/zero', '--prefix', 'the'], /checkpoint \/dev\/zero is a device/],
  // files the user did not name
  ['train --out is the --data file', [...TRAIN, '--data', '@small.txt', '--out', '@small.txt', '--force'], /--out .*small\.txt is also an input of this command \(--data\)/],
  ['train: the chart would replace --data', [...TRAIN, '--data', '@exists.perplexity.svg', '--out', '@exists.safetensors', '--force'], /the perplexity chart .*exists\.perplexity\.svg is also an input of this command \(--data\)/],
  ['train: the chart exists, no --force', [...TRAIN, '--data', '@small.txt', '--out', '@exists.safetensors'], /exists\.perplexity\.svg \(the perplexity chart of --out\) already exists; pass --force/],
  ['train --out is a FIFO', [...TRAIN, '--data', '@small.txt', '--out', '@fifo', '--force'], /--out .*fifo is a FIFO \(named pipe\); give the name of a regular file/],
  ['train --out /dev/null', [...TRAIN, '--data', '@small.txt', '--out', '/dev/null', '--force'], /--out \/dev\/null is a device/],
  ['train --out in a missing directory', [...TRAIN, '--data', '@small.txt', '--out', '@nowhere/m.safetensors'], /directory .*nowhere does not exist/],
  ['export --out is its --model', ['export', '--model', '@model.safetensors', '--format', 'torch', '--out', '@model.safetensors', '--force'], /--out .*model\.safetensors is also an input of this command \(--model\)/],
  ['export: the sidecar exists', ['export', '--model', '@model.safetensors', '--format', 'onnx', '--out', '@taken.onnx'], /taken\.onnx\.json already exists; pass --force/],
  ['import --out is its --from', ['import', '--from', '@torch.safetensors', '--format', 'torch', '--out', '@torch.safetensors', '--force'], /is also an input of this command \(--from\)/],
  ['import --out is its sidecar', ['import', '--from', '@torch.safetensors', '--format', 'torch', '--out', '@torch.safetensors.json', '--force'], /is also an input of this command \(--sidecar\)/],
  ['import --out is its sidecar of the old name', ['import', '--from', '@torch-old.safetensors', '--format', 'torch', '--out', '@torch-old.json', '--force'], /torch-old\.json is also an input of this command \(--sidecar\)/],
  // damaged PyTorch imports
  ['import: NaN', ['import', '--from', '@torch-nan.safetensors', '--format', 'torch', '--out', '@imported.safetensors'], /rnn\.weight_hh_l1 holds NaN at element 5; the weights diverged/],
  ['import: -4e6', ['import', '--from', '@torch-huge.safetensors', '--format', 'torch', '--out', '@imported.safetensors'], /linear\.bias holds -4000000 at element 0, beyond the bound/],
  ['import: stored as I32', ['import', '--from', '@torch-i32.safetensors', '--format', 'torch', '--out', '@imported.safetensors'], /rnn\.weight_ih_l0 is stored as I32, expected a float dtype/],
  ['import: module.__proto__', ['import', '--from', '@torch-proto.safetensors', '--format', 'torch', '--out', '@imported.safetensors'], /unexpected module\.__proto__|unexpected __proto__/],
  ['import: the sidecar claims hidden 100000', ['import', '--from', '@torch.safetensors', '--format', 'torch', '--sidecar', '@wide.json', '--out', '@imported.safetensors'], /(needs about|does not fit|is \(\d+, \d+\), expected)/],
  ['import: an lstm-ts checkpoint', ['import', '--from', '@model.safetensors', '--format', 'torch', '--sidecar', '@torch.safetensors.json', '--out', '@imported.safetensors'], /already an lstm-ts checkpoint/],
];

describe('hostile input to the CLI: one line, exit 1, no trace, no file changed, under 500 MiB', { concurrency: 4 }, () => {
  for (const [what, args, message] of CASES) {
    test(what, async () => {
      const before = snapshot(dir);
      const r = await hostileRun(args.map((a) => (a.startsWith('@') ? at(a.slice(1)) : a)));
      assertRefused(r, message, before, snapshot(dir), what);
    });
  }
});
