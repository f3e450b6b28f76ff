// `lstm train --task classify`, `predict`, `eval`, `export` and `import`, run as a user would: a CSV or a folder per
// class, the header naming classes, split and how many texts --max-length cut; accuracy, macro F1 and the confusion
// matrix beside the majority class; labels with class probabilities (aligned, JSON lines, CSV); export with the head
// and import back to the same predictions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors } from '../src/io/safetensors.js';
import { lstm } from './helpers/cli.js';
import { jsonLines } from './helpers/outputs.js';
import { labelledCsv, labelledWords } from './helpers/task-data.js';
import { withTempDir } from './helpers/temp-dir.js';

const TINY = ['--task', 'classify', '--hidden', '12', '--embedding', '8', '--batch', '16', '--lr', '0.01'];


test('train --task classify on a CSV: header, epochs, test metrics beside the majority class; predict and eval', async () => {
  await withTempDir('lstm-cli-classify-', async (dir) => {
    const data = join(dir, 'words.csv');
    await writeFile(data, labelledCsv(labelledWords(300)).replace('label,text', 'kind,word'));
    const out = join(dir, 'words.safetensors');
    const r = await lstm(['train', ...TINY, '--data', data, '--label', 'kind', '--text', 'word', '--max-length', '6', '--epochs', '3', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^data: .*words\.csv: 300 examples, 2 classes \(a-i \d+, k-u \d+\); 242 train, 29 validation, 29 test \(stratified\); char tokens, lower-cased, vocabulary \d+; \d+ texts longer than --max-length 6 cut$/m);
    assert.match(r.stdout, /^model: bidirectional LSTM, 1 layer x 12 hidden, 8-dim embedding of \d+ tokens, pool last, 2 classes/m);
    assert.match(r.stdout, /^epoch 1\/3  loss \d\.\d{4}  val loss \d\.\d{4}  val acc \d+\.\d\d%  val F1 \d\.\d{3}  [\d,]+ seq\/s$/m);
    assert.match(r.stdout, /^test metrics.*\(29 examples of the test part\): accuracy \d+\.\d\d%, macro F1 \d\.\d{3}/m);
    assert.match(r.stdout, /^ {2}majority class '(a-i|k-u)': accuracy \d+\.\d\d%/m);
    assert.match(r.stdout, /^ {4}\s+a-i\s+k-u$/m);

    const p = await lstm(['predict', '--model', out, '--input', 'bella', '--input', 'tomok']);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /^(a-i|k-u) +a-i 0\.\d{3} {2}k-u 0\.\d{3} {2}"bella"\n(a-i|k-u) +a-i 0\.\d{3} {2}k-u 0\.\d{3} {2}"tomok"\n$/);
    const j = jsonLines((await lstm(['predict', '--model', out, '--input', 'bella', '--json'])).stdout)[0]!;
    assert.deepEqual(Object.keys(j), ['text', 'label', 'probabilities']);
    assert.deepEqual(Object.keys(j.probabilities as object), ['a-i', 'k-u']);
    // A table's text column by the name the model was trained with; CSV out.
    const csv = join(dir, 'labels.csv');
    const w = await lstm(['predict', '--model', out, '--data', data, '--out', csv]);
    assert.equal(w.code, 0, w.stderr);
    const written = (await readFile(csv, 'utf8')).trim().split('\n');
    assert.equal(written[0], 'text,label,p_a-i,p_k-u');
    assert.equal(written.length, 301);

    const e = jsonLines((await lstm(['eval', '--model', out, '--data', data, '--json'])).stdout)[0]!;
    assert.equal(e.part, 'test');
    assert.equal(e.count, 29);
    assert.deepEqual((e.majority as Record<string, unknown>).label === 'a-i' || (e.majority as Record<string, unknown>).label === 'k-u', true);
    const summaryTest = (jsonLines((await lstm(['eval', '--model', out, '--data', data, '--part', 'all', '--json'])).stdout)[0]!);
    assert.equal(summaryTest.count, 300);
  });
});

test('a folder per class trains; export to torch and ONNX with the head, and import back to the same labels', async () => {
  await withTempDir('lstm-cli-classify-folder-', async (dir) => {
    const root = join(dir, 'words');
    const examples = labelledWords(160);
    for (const label of ['a-i', 'k-u']) await mkdir(join(root, label), { recursive: true });
    await Promise.all(examples.map((e, k) => writeFile(join(root, e.label, `${k}.txt`), e.text)));
    const out = join(dir, 'm.safetensors');
    const r = await lstm(['train', ...TINY, '--data', root, '--epochs', '2', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(Object.keys(lines[0]!), ['epoch', 'loss', 'valLoss', 'valAccuracy', 'valMacroF1', 'sequencesPerSec']);
    const summary = lines.at(-1)!.summary as { test: { accuracy: number; majority: { accuracy: number } } };
    assert.ok(summary.test.accuracy >= 0 && summary.test.majority.accuracy > 0);

    const torch = join(dir, 'm.torch.safetensors');
    assert.equal((await lstm(['export', '--model', out, '--format', 'torch', '--out', torch])).code, 0);
    const names = Object.keys(await readSafetensors(torch));
    for (const name of ['embedding.weight', 'rnn.weight_ih_l0', 'rnn.weight_ih_l0_reverse', 'head.weight', 'head.bias']) assert.ok(names.includes(name), name);
    const onnx = await lstm(['export', '--model', out, '--format', 'onnx', '--out', join(dir, 'm.onnx')]);
    assert.equal(onnx.code, 0, onnx.stderr);
    assert.match(onnx.stdout, /inputs tokens \(B, T\) int64 and lengths \(B,\) int32 \(sequence_lens\); outputs logits and probabilities \(B, 2\) over a-i, k-u/);
    const back = join(dir, 'back.safetensors');
    assert.equal((await lstm(['import', '--from', torch, '--format', 'torch', '--out', back])).code, 0);
    const args = ['--input', 'bella', '--input', 'tomok', '--json'];
    const [a, b] = await Promise.all([lstm(['predict', '--model', out, ...args]), lstm(['predict', '--model', back, ...args])]);
    assert.equal(b.stdout, a.stdout);
  });
});
