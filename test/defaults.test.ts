// One table of defaults (src/train/defaults.ts) for the library and the CLI: every `lstm train` flag a user can
// leave out defaults to what the library fills in when the matching option is left out, and the library's
// entry points accept options with those fields left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';

import { defineTrain } from '../src/cli/args.js';
import { buildModel, prepareCorpus, resolveTrainOptions, validateTextSettings, withModelDefaults } from '../src/train/index.js';

/** Flag (commander's camelCase attribute) -> where the library keeps the same default. */
const FLAG_TO_LIBRARY: Record<string, (lib: Library) => unknown> = {
  tokens: (l) => l.text.tokens,
  preprocess: (l) => l.text.preprocess,
  cell: (l) => l.model.cell,
  hidden: (l) => l.model.hiddenSize,
  layers: (l) => l.model.numLayers,
  dropout: (l) => l.model.dropout,
  batch: (l) => l.training.batchSize,
  steps: (l) => l.training.numSteps,
  epochs: (l) => l.training.epochs,
  clip: (l) => l.training.clip,
  optimizer: (l) => l.training.optimizer,
  weightDecay: (l) => l.training.weightDecay,
  sampling: (l) => l.training.sampling,
  valid: (l) => l.training.validFraction,
  lrSchedule: (l) => l.training.lrSchedule,
  minLr: (l) => l.training.minLr,
  lrGamma: (l) => l.training.lrGamma,
  seed: (l) => l.training.seed,
};

interface Library {
  model: ReturnType<typeof withModelDefaults>;
  text: ReturnType<typeof validateTextSettings>;
  training: ReturnType<typeof resolveTrainOptions>;
}

test('every defaulted `lstm train` flag has the library default of its option', () => {
  const library: Library = { model: withModelDefaults({ vocabSize: 5 }), text: validateTextSettings({}), training: resolveTrainOptions({}) };
  const train = defineTrain(new Command());
  let compared = 0;
  for (const option of train.options) {
    const key = option.attributeName();
    if (option.defaultValue === undefined || !(key in FLAG_TO_LIBRARY)) continue;
    assert.deepEqual(option.defaultValue, FLAG_TO_LIBRARY[key]!(library), `--${option.long?.slice(2)}`);
    compared++;
  }
  assert.equal(compared, Object.keys(FLAG_TO_LIBRARY).length, 'every mapped flag has a default');
  // The learning rate depends on the optimizer, in both.
  assert.equal(library.training.lr, 0.002);
  assert.equal(resolveTrainOptions({ optimizer: 'sgd' }).lr, 1);
  assert.equal(library.training.validFraction, 0.1, "the CLI's --valid 0.1 is the library's validFraction too");
});

test('options a user can leave out are optional: buildModel, TextSettings, prepareCorpus', () => {
  const model = buildModel({ cell: 'lstm', hiddenSize: 64, vocabSize: 10 });
  assert.equal(model.parameters().length > 0, true);
  const gru = buildModel({ cell: 'gru', vocabSize: 7 });
  assert.deepEqual(withModelDefaults({ cell: 'gru', vocabSize: 7 }), { cell: 'gru', hiddenSize: 256, numLayers: 1, dropout: 0, seed: 0, vocabSize: 7 });
  assert.ok(gru.parameters().length > 0);
  assert.deepEqual(prepareCorpus('abca', { tokens: 'char' }).vocab.size, prepareCorpus('abca').vocab.size);
  assert.deepEqual(validateTextSettings({ tokens: 'word' }), { tokens: 'word', preprocess: 'none' });
  assert.throws(() => validateTextSettings({ tokens: 'bytes' }), /tokens must be 'char' or 'word', got "bytes"/);
});
