// Rebuilding the forecast and classify tasks from a checkpoint's metadata: every field the task relies on checked
// for type and range (a checkpoint may come from anyone), the parts checked against each other (the scaler's
// columns against the model's inputs, the labels against its classes, the vocabulary against its input), each
// problem one line naming the field. What is checked here is all the model and its tensors are built from.
import { Scaler } from '../data/series-windows.js';
import { LabelSet } from '../data/labelled.js';
import { Vocab } from '../data/vocab.js';
import { ClassifyTask, type ClassifySettings } from './classify-task.js';
import { ForecastTask, type DataInfo, type ForecastSettings } from './forecast-task.js';
import {
  buildClassifier, buildForecaster, shortTaskModelName, validateClassifierConfig, validateForecasterConfig,
  type ClassifierConfig, type ForecasterConfig,
} from './sequence-config.js';
import { REGRESSION_LOSSES } from './sequence-step.js';
import type { TaskLoader } from './task.js';
import { userMessage } from './checkpoint-load.js';
import { assertTaskModelFits, classifierTensors, forecasterTensors } from './sequence-spec.js';

type Fail = (why: string) => never;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
const isFraction = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x < 1;

function section(meta: Record<string, unknown>, key: string, fail: Fail): Record<string, unknown> {
  const value = meta[key];
  if (!isRecord(value)) return fail(`the checkpoint has no "${key}" settings object`);
  return value;
}

function field<T>(raw: Record<string, unknown>, where: string, key: string, ok: (x: unknown) => x is T, expected: string, fail: Fail): T {
  const v = raw[key];
  if (!ok(v)) return fail(`${where}.${key} must be ${expected}, got ${JSON.stringify(v)}`);
  return v;
}

/** The data a run saw (its source, size and checksum), or null when the checkpoint does not say. */
export function parseDataInfo(value: unknown, fail: Fail): DataInfo | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) return fail('"data" must be an object or null');
  const source = field(value, 'data', 'source', (x): x is string => typeof x === 'string', 'a string', fail);
  const count = field(value, 'data', 'count', (x): x is number => isCount(x), 'a non-negative integer', fail);
  const checksum = field(value, 'data', 'checksum', (x): x is string => typeof x === 'string' && /^[0-9a-f]{8}$/.test(x), '8 hex digits', fail);
  return { source, count, checksum };
}

function parseForecastSettings(raw: Record<string, unknown>, config: ForecasterConfig, fail: Fail): ForecastSettings {
  const w = 'forecast';
  const str = (x: unknown): x is string => typeof x === 'string';
  const settings: ForecastSettings = {
    window: field(raw, w, 'window', (x): x is number => isCount(x, 1), 'a positive integer', fail),
    horizon: field(raw, w, 'horizon', (x): x is number => isCount(x, 1), 'a positive integer', fail),
    loss: field(raw, w, 'loss', (x): x is ForecastSettings['loss'] => (REGRESSION_LOSSES as readonly unknown[]).includes(x), `one of ${REGRESSION_LOSSES.join(', ')}`, fail),
    validFraction: field(raw, w, 'validFraction', isFraction, 'a number in [0, 1)', fail),
    testFraction: field(raw, w, 'testFraction', isFraction, 'a number in [0, 1)', fail),
    season: field(raw, w, 'season', (x): x is number => isCount(x, 1), 'a positive integer', fail),
    seasonSource: field(raw, w, 'seasonSource', (x): x is ForecastSettings['seasonSource'] => ['given', 'date step', 'autocorrelation', 'none'].includes(x as string), 'given, date step, autocorrelation or none', fail),
    columns: field(raw, w, 'columns', (x): x is string[] => Array.isArray(x) && x.length > 0 && x.every(str), 'a non-empty array of names', fail),
    targetCount: field(raw, w, 'targetCount', (x): x is number => isCount(x, 1), 'a positive integer', fail),
    dateColumn: field(raw, w, 'dateColumn', (x): x is string | null => x === null || str(x), 'a name or null', fail),
    dateStep: field(raw, w, 'dateStep', (x): x is ForecastSettings['dateStep'] => x === null || (isRecord(x) && (x.unit === 'month' || x.unit === 'ms') && isCount(x.count, 1)), "null or {unit: 'month'|'ms', count}", fail),
    fill: field(raw, w, 'fill', (x): x is ForecastSettings['fill'] => x === 'error' || x === 'previous' || x === 'linear', 'error, previous or linear', fail),
    maseScale: field(raw, w, 'maseScale', (x): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0), 'an array of positive numbers', fail),
  };
  if (new Set(settings.columns).size !== settings.columns.length) fail('forecast.columns names a column twice');
  const expect = (what: string, have: number, want: number): void => {
    if (have !== want) fail(`${what} is ${have} but the model config says ${want}`);
  };
  expect('the number of forecast.columns', settings.columns.length, config.inputSize);
  expect('forecast.targetCount', settings.targetCount, config.targets);
  expect('forecast.horizon', settings.horizon, config.horizon);
  expect('the number of forecast.maseScale values', settings.maseScale.length, config.targets);
  if (settings.validFraction + settings.testFraction >= 1) fail('forecast.validFraction + testFraction must be below 1');
  return settings;
}

/** The forecaster's part of a checkpoint: model config, series settings, scaler (and the data it saw). */
export const FORECAST_LOADER: TaskLoader<ForecastTask> = {
  kind: 'forecast',
  plan(meta, _source, fail) {
    let config: ForecasterConfig;
    try {
      config = validateForecasterConfig(meta.model, 'model config');
    } catch (err) {
      return fail(userMessage(err));
    }
    const settings = parseForecastSettings(section(meta, 'forecast', fail), config, fail);
    let scaler: Scaler;
    try {
      scaler = Scaler.fromJSON(meta.scaler);
    } catch (err) {
      return fail(`bad scaler (${userMessage(err)})`);
    }
    if (scaler.columns.length !== settings.columns.length || scaler.columns.some((c, k) => c !== settings.columns[k])) {
      fail(`the scaler's columns (${scaler.columns.join(', ')}) are not forecast.columns (${settings.columns.join(', ')})`);
    }
    const data = parseDataInfo(meta.data, fail);
    return {
      says: `checkpoint says a forecaster ${shortTaskModelName(config)} over ${config.inputSize} feature(s)`,
      weights: () => forecasterTensors(config),
      assertFits: (o) => assertTaskModelFits(config, settings.window, o),
      carried: () => [],
      mostBatches: (o) => {
        if (data === null) return null;
        // Training windows: those whose targets lie inside the training rows (series-windows.ts).
        const trainEnd = data.count - Math.floor(data.count * settings.testFraction) - Math.floor(data.count * settings.validFraction);
        return Math.ceil(Math.max(0, trainEnd - settings.horizon - settings.window + 1) / o.batchSize);
      },
      metrics: ['valLoss', 'valMae', 'valMase', 'windowsPerSec'],
      build: () => new ForecastTask(buildForecaster(config), { config, settings, scaler, data }),
    };
  },
};

function parseClassifySettings(raw: Record<string, unknown>, config: ClassifierConfig, fail: Fail): ClassifySettings {
  const w = 'classify';
  const settings: ClassifySettings = {
    tokens: field(raw, w, 'tokens', (x): x is ClassifySettings['tokens'] => x === 'char' || x === 'word', "'char' or 'word'", fail),
    lowercase: field(raw, w, 'lowercase', (x): x is boolean => typeof x === 'boolean', 'true or false', fail),
    maxLength: field(raw, w, 'maxLength', (x): x is number => isCount(x, 1), 'a positive integer', fail),
    validFraction: field(raw, w, 'validFraction', isFraction, 'a number in [0, 1)', fail),
    testFraction: field(raw, w, 'testFraction', isFraction, 'a number in [0, 1)', fail),
    splitSeed: field(raw, w, 'splitSeed', (x): x is number => isCount(x) && x <= 0xffffffff, 'an integer in [0, 2^32)', fail),
    classWeights: field(
      raw, w, 'classWeights', (x): x is number[] | null => x === null || (Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)),
      'null or an array of finite numbers >= 0', fail,
    ),
    classCounts: field(raw, w, 'classCounts', (x): x is number[] => Array.isArray(x) && x.every((v) => isCount(v)), 'an array of non-negative integers', fail),
    labelColumn: field(raw, w, 'labelColumn', (x): x is string | null => x === null || typeof x === 'string', 'a name or null', fail),
    textColumn: field(raw, w, 'textColumn', (x): x is string | null => x === null || typeof x === 'string', 'a name or null', fail),
  };
  if (settings.classCounts.length !== config.numClasses) fail(`classify.classCounts has ${settings.classCounts.length} values but the model has ${config.numClasses} classes`);
  if (settings.classWeights !== null && settings.classWeights.length !== config.numClasses) {
    fail(`classify.classWeights has ${settings.classWeights.length} values but the model has ${config.numClasses} classes`);
  }
  if (settings.validFraction + settings.testFraction >= 1) fail('classify.validFraction + testFraction must be below 1');
  return settings;
}

/** The classifier's part of a checkpoint: model config, text settings, labels, vocabulary (and the data it saw). */
export const CLASSIFY_LOADER: TaskLoader<ClassifyTask> = {
  kind: 'classify',
  plan(meta, _source, fail) {
    let config: ClassifierConfig;
    try {
      config = validateClassifierConfig(meta.model, 'model config');
    } catch (err) {
      return fail(userMessage(err));
    }
    const settings = parseClassifySettings(section(meta, 'classify', fail), config, fail);
    let labels: LabelSet;
    let vocab: Vocab;
    try {
      labels = LabelSet.fromJSON(meta.labels);
    } catch (err) {
      return fail(`bad labels (${userMessage(err)})`);
    }
    try {
      vocab = Vocab.fromJSON(meta.vocab);
    } catch (err) {
      return fail(`bad vocabulary (${userMessage(err)})`);
    }
    if (labels.size !== config.numClasses) fail(`the checkpoint has ${labels.size} labels but the model config says numClasses ${config.numClasses}`);
    if (vocab.size !== config.vocabSize) fail(`the vocabulary has ${vocab.size} tokens but the model config says vocabSize ${config.vocabSize}`);
    const data = parseDataInfo(meta.data, fail);
    const trainCount = settings.classCounts.reduce((a, b) => a + b, 0);
    return {
      says: `checkpoint says a classifier ${shortTaskModelName(config)} of ${config.numClasses} classes`,
      weights: () => classifierTensors(config),
      assertFits: (o) => assertTaskModelFits(config, settings.maxLength, o),
      carried: () => [],
      mostBatches: (o) => Math.ceil(trainCount / o.batchSize),
      metrics: ['valLoss', 'valAccuracy', 'valMacroF1', 'sequencesPerSec'],
      build: () => new ClassifyTask(buildClassifier(config), { config, settings, labels, vocab, data }),
    };
  },
};
