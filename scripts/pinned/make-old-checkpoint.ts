// Writes test/fixtures/checkpoints/lm-before-task-field.safetensors: a language-model checkpoint as lstm-ts wrote
// them before checkpoints recorded their task (no "task" field), stopped mid-epoch with sequential sampling so it
// also holds the carried state, plus lm-before-task-field.json with what it must still give: a greedy sample and
// the weights' digest after resuming to the end. It was run once on main at fcb2823; rerunning it on a later
// commit would no longer write the old format, which is the point of keeping the file.
//   node --import tsx scripts/pinned/make-old-checkpoint.ts
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, resumeTraining, trainOnText } from '../../src/train/index.js';
import { OLD_CHECKPOINT_RUN, weightsDigest } from '../../test/helpers/old-checkpoint.js';

const dir = await mkdtemp(join(tmpdir(), 'lstm-old-'));
try {
  const path = join(dir, 'old.safetensors');
  const controller = new AbortController();
  const { text, options, stopAt, prefix, length } = OLD_CHECKPOINT_RUN;
  const first = await trainOnText(text, {
    ...options, checkpointPath: path,
    controls: { signal: controller.signal, onBatch: (b) => b.epoch === stopAt.epoch && b.batch === stopAt.batch && controller.abort() },
  });
  const sample = generate(first.model, first.vocab, first.text, prefix, { length });
  const fixtures = new URL('../../test/fixtures/checkpoints/', import.meta.url);
  await copyFile(path, new URL('lm-before-task-field.safetensors', fixtures));
  const resumed = await resumeTraining(path, text);
  const expected = {
    commit: execSync('git rev-parse HEAD').toString().trim(),
    stoppedAt: { epoch: first.trainer.epoch, batch: first.trainer.batch },
    sample,
    resumedWeights: weightsDigest(resumed.model),
    resumedHistory: resumed.trainer.history.map((h) => [h.loss, h.perplexity]),
  };
  await writeFile(new URL('lm-before-task-field.json', fixtures), `${JSON.stringify(expected, null, 1)}\n`);
  process.stderr.write(`wrote ${fixtures.pathname}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
