// Writes the prepared data of the built-in forecasting and classification sets, made by the library's own data
// code, to a safetensors file that scripts/tasks/{forecast,classify}_torch.py read, so PyTorch trains on exactly
// the windows / splits / scaling / token ids that lstm-ts uses. The baselines (seasonal-naive, majority class)
// are computed here too, with src/train/metrics.ts, and go into the metadata.
//
//   npx tsx scripts/tasks/prepare.ts forecast --window 28 --horizon 7 --out /tmp/lstm-ts-tasks/births.safetensors
//   npx tsx scripts/tasks/prepare.ts classify --tokens char --seed 0 --out /tmp/lstm-ts-tasks/names.safetensors

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from '../../src/core/random.js';
import { Tensor } from '../../src/core/tensor.js';
import { buildTextVocab, encodeTexts, stratifiedSplit } from '../../src/data/labelled-encode.js';
import { classWeights, LabelSet } from '../../src/data/labelled.js';
import { loadNames, NAMES_NAME } from '../../src/data/labelled-names.js';
import { BIRTHS_NAME, loadBirths } from '../../src/data/series-births.js';
import { prepareForecastData } from '../../src/data/series-prepare.js';
import { seriesColumn } from '../../src/data/series.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { baselineForecasts, forecastMetrics, majorityBaseline, seasonalNaiveScale, windowTruth } from '../../src/train/metrics.js';

const { positionals, values: args } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    window: { type: 'string', default: '28' },
    horizon: { type: 'string', default: '7' },
    covariates: { type: 'string', default: '' },
    valid: { type: 'string', default: '0.1' },
    test: { type: 'string', default: '0.1' },
    tokens: { type: 'string', default: 'char' },
    lowercase: { type: 'boolean', default: false },
    'max-length': { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
});

const task = positionals[0];
const out = args.out ?? `/tmp/lstm-ts-tasks/${task === 'forecast' ? 'births' : 'names'}.safetensors`;
const f64 = (xs: ArrayLike<number>, shape: number[]): Tensor => new Tensor(Float64Array.from(xs), shape);
const f32 = (xs: Float32Array, shape: number[]): Tensor => new Tensor(xs, shape);

async function forecast(): Promise<void> {
  const covariates = args.covariates === '' ? [] : args.covariates!.split(',');
  const series = await loadBirths(covariates);
  const window = Number(args.window);
  const horizon = Number(args.horizon);
  const data = prepareForecastData(series, { window, horizon, valid: Number(args.valid), test: Number(args.test) });
  const target = seriesColumn(series, 0);
  const scale = seasonalNaiveScale(target.subarray(0, data.split.trainEnd), data.season);
  const tensors: Record<string, Tensor> = {};
  const baselines: Record<string, unknown> = {};
  for (const part of ['train', 'valid', 'test'] as const) {
    const w = data[part];
    tensors[`${part}_x`] = f32(w.x, [w.count, window, w.features]);
    tensors[`${part}_y`] = f32(w.y, [w.count, horizon * w.targets]);
    tensors[`${part}_origins`] = f64(w.origins, [w.count]);
    const truth = windowTruth(target, w.origins, horizon);
    tensors[`${part}_truth`] = f64(truth, [w.count, horizon]);
    baselines[part] = {
      naive: forecastMetrics(truth, baselineForecasts(target, w.origins, horizon, 1), scale),
      seasonalNaive: forecastMetrics(truth, baselineForecasts(target, w.origins, horizon, data.season), scale),
    };
  }
  const meta = {
    task: 'forecast', dataset: BIRTHS_NAME, columns: series.columns, targets: series.targetCount, window, horizon,
    split: data.split, season: data.season, seasonSource: data.seasonSource, maseScale: scale, scaler: data.scaler.toJSON(), baselines,
    firstTestDate: series.dates![data.test.origins[0]!], lastDate: series.dates![series.length - 1],
  };
  await save(tensors, meta);
}

async function classify(): Promise<void> {
  const examples = await loadNames();
  const seed = Number(args.seed);
  const labels = new LabelSet(examples.map((e) => e.label));
  const classes = labels.encode(examples.map((e) => e.label));
  const split = stratifiedSplit(classes, labels.size, { valid: Number(args.valid), test: Number(args.test) }, new Random(seed));
  const options = { tokens: args.tokens as 'char' | 'word', lowercase: args.lowercase, maxLength: args['max-length'] === undefined ? undefined : Number(args['max-length']) };
  const vocab = buildTextVocab(Array.from(split.train, (i) => examples[i]!.text), options);
  const encoded = encodeTexts(examples.map((e) => e.text), vocab, options);
  const T = Math.max(...encoded.lengths);
  const ids = new Float64Array(examples.length * T);
  encoded.ids.forEach((row, i) => ids.set(row, i * T));
  const trainClasses = Int32Array.from(split.train, (i) => classes[i]!);
  const tensors = {
    ids: f64(ids, [examples.length, T]), lengths: f64(encoded.lengths, [examples.length]), classes: f64(classes, [examples.length]),
    train_idx: f64(split.train, [split.train.length]), valid_idx: f64(split.valid, [split.valid.length]), test_idx: f64(split.test, [split.test.length]),
  };
  const meta = {
    task: 'classify', dataset: NAMES_NAME, labels: labels.labels, vocabSize: vocab.size, tokens: options.tokens, lowercase: options.lowercase,
    truncated: encoded.truncated, seed, sizes: { train: split.train.length, valid: split.valid.length, test: split.test.length },
    classWeights: Array.from(classWeights(trainClasses, labels.size)),
    majority: {
      valid: majorityBaseline(trainClasses, Int32Array.from(split.valid, (i) => classes[i]!), labels.size),
      test: majorityBaseline(trainClasses, Int32Array.from(split.test, (i) => classes[i]!), labels.size),
    },
  };
  await save(tensors, meta);
}

async function save(tensors: Record<string, Tensor>, meta: object): Promise<void> {
  mkdirSync(dirname(out), { recursive: true });
  await writeSafetensors(out, tensors, { config: JSON.stringify(meta) });
  console.log(JSON.stringify({ out, ...meta }));
}

if (task === 'forecast') await forecast();
else if (task === 'classify') await classify();
else throw new Error(`usage: prepare.ts forecast|classify [--out FILE] [options]; got ${JSON.stringify(task)}`);
