// Classifying sequences from code, start to finish: `trainClassifier(examples, options)` encodes the texts (tokens,
// case, length limit), splits them stratified by class, trains a SequenceClassifier and reports the test metrics
// beside the majority-class baseline; `resumeClassifier` continues a saved run exactly; `classifyReport` measures
// a trained classifier on labelled examples; `classifyTexts` labels new texts with class probabilities. Nothing
// here needs Node unless a checkpoint path is given, so a page or a Web Worker can run it as it is.
import { Random } from '../core/random.js';
import { softmax } from '../core/ops/index.js';
import { Tensor } from '../core/tensor.js';
import { buildTextVocab, encodeTexts, padBatch, stratifiedSplit, type EncodeOptions, type IndexSplit } from '../data/labelled-encode.js';
import { classCounts, classWeights, LabelSet, type LabelledExample } from '../data/labelled.js';
import type { TokenKind } from '../data/text.js';
import { loadTaskCheckpoint, type TaskCheckpoint } from './checkpoint.js';
import { argmaxRow, classifyRows, ClassifyTask, type ClassifyData, type ClassifyMetricsByEpoch, type ClassifySettings } from './classify-task.js';
import { CLASSIFY_DEFAULTS, MODEL_DEFAULTS } from './defaults.js';
import { majorityBaseline } from './metrics.js';
import type { TrainOptions } from './options.js';
import { buildClassifier, validateClassifierConfig, type RecurrentConfig } from './sequence-config.js';
import { sequenceForward } from './sequence-step.js';
import { CLASSIFY_LOADER } from './task-loaders.js';
import { dataChecksum, resumedSnapshot, runTask, type TaskResumeOptions, type TaskRunControls, type TaskRunPaths } from './task-run.js';
import { Trainer, type FitResult } from './trainer.js';

export interface ClassifierOptions extends TaskRunPaths {
  /** Names the data in the checkpoint and in errors (a file name; default 'labelled examples'). */
  source?: string;
  /** The table columns the examples came from, kept so eval and predict read the same columns by default. */
  labelColumn?: string | null;
  textColumn?: string | null;
  /** Characters (default) or words. */
  tokens?: TokenKind;
  /** Fold case first (default true). */
  lowercase?: boolean;
  /** Tokens kept of each text; longer texts are cut and counted (default 500). */
  maxLength?: number;
  /** Fractions held out, stratified by class (default 0.1 each), and the seed of that split (default 0). */
  validFraction?: number;
  testFraction?: number;
  splitSeed?: number;
  /** 'balanced' (n / (C·n_c) from the training part, scikit-learn's), explicit weights, or none (default). */
  classWeights?: 'balanced' | readonly number[] | null;
  /** Anything left out takes CLASSIFY_DEFAULTS (embedding 32, bidirectional LSTM 64x1, pool 'last'); embeddingDim null: one-hot. */
  model?: Partial<RecurrentConfig> & { embeddingDim?: number | null; pool?: 'last' | 'mean' };
  /** Default: CLASSIFY_DEFAULTS (Adam 3e-3, cosine, 10 epochs, batch 32), then the library's defaults. */
  training?: Partial<TrainOptions>;
  controls?: TaskRunControls<ClassifyTask, ClassifyPrepared>;
}

/** The examples encoded and split as the task takes them. */
export interface ClassifyPrepared {
  examples: readonly LabelledExample[];
  all: ClassifyData;
  split: IndexSplit;
  train: ClassifyData;
  valid: ClassifyData;
  test: ClassifyData;
  /** Texts longer than maxLength, cut. */
  truncated: number;
  /** Tokens not in the vocabulary (read as '<unk>'). */
  unknownTokens: number;
}

export interface ClassifyReport {
  part: 'train' | 'valid' | 'test' | 'all';
  count: number;
  labels: readonly string[];
  loss: number;
  accuracy: number;
  macroF1: number;
  confusion: number[][];
  /** The most frequent training class, predicted for every example. */
  majority: { label: string; accuracy: number; macroF1: number };
}

export interface ClassifyRun {
  task: ClassifyTask;
  trainer: Trainer<ClassifyTask>;
  result: FitResult<ClassifyMetricsByEpoch>;
  data: ClassifyPrepared;
  keptEpoch: number | null;
  test: ClassifyReport | null;
}

function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The texts as the task's ids, with their classes; a label the task does not know is a one-line error. */
export function encodeExamples(task: ClassifyTask, examples: readonly LabelledExample[], where: (i: number) => string = (i) => `example ${i + 1}`): { data: ClassifyData; truncated: number; unknownTokens: number } {
  const { settings, vocab, labels } = task.info;
  const options: EncodeOptions = { tokens: settings.tokens, lowercase: settings.lowercase, maxLength: settings.maxLength };
  const encoded = encodeTexts(examples.map((e) => e.text), vocab, options, where);
  const classes = labels.encode(examples.map((e) => e.label), where);
  const unk = vocab.indexOf('<unk>');
  let unknownTokens = 0;
  for (const row of encoded.ids) for (const id of row) if (id === unk) unknownTokens++;
  return { data: { ids: encoded.ids, lengths: encoded.lengths, classes }, truncated: encoded.truncated, unknownTokens };
}

function prepared(examples: readonly LabelledExample[], split: IndexSplit, encoded: ReturnType<typeof encodeExamples>): ClassifyPrepared {
  const { data } = encoded;
  return {
    examples, all: data, split, train: classifyRows(data, split.train), valid: classifyRows(data, split.valid), test: classifyRows(data, split.test),
    truncated: encoded.truncated, unknownTokens: encoded.unknownTokens,
  };
}

/** The split of a run: stratified by class, seeded by the settings' splitSeed. */
function splitOf(classes: Int32Array, numClasses: number, settings: ClassifySettings): IndexSplit {
  return stratifiedSplit(classes, numClasses, { valid: settings.validFraction, test: settings.testFraction }, new Random(settings.splitSeed));
}

/** Trains a classifier on labelled texts (parseLabelled or readLabelledFolder give them). */
export async function trainClassifier(examples: readonly LabelledExample[], options: ClassifierOptions = {}): Promise<ClassifyRun> {
  const d = CLASSIFY_DEFAULTS;
  const settings: ClassifySettings = {
    tokens: options.tokens ?? d.tokens, lowercase: options.lowercase ?? d.lowercase, maxLength: options.maxLength ?? d.maxLength,
    validFraction: options.validFraction ?? d.validFraction, testFraction: options.testFraction ?? d.testFraction, splitSeed: options.splitSeed ?? 0, classWeights: null,
    classCounts: [], labelColumn: options.labelColumn ?? null, textColumn: options.textColumn ?? null,
  };
  if (examples.length === 0) throw new Error('no labelled examples to train on');
  const labels = new LabelSet(examples.map((e) => e.label), options.source ?? 'the training data');
  const classes = labels.encode(examples.map((e) => e.label));
  const split = splitOf(classes, labels.size, settings);
  const trainClasses = Int32Array.from(split.train, (i) => classes[i]!);
  settings.classCounts = Array.from(classCounts(trainClasses, labels.size));
  const absent = labels.labels.filter((_, c) => settings.classCounts[c] === 0);
  if (absent.length > 0) throw new Error(`class${absent.length > 1 ? 'es' : ''} ${absent.map((l) => `'${l}'`).join(', ')} ha${absent.length > 1 ? 've' : 's'} no training example after the split`);
  const weights = options.classWeights ?? null;
  if (weights === 'balanced') settings.classWeights = Array.from(classWeights(trainClasses, labels.size));
  else if (weights !== null) {
    if (weights.length !== labels.size || weights.some((w) => !(Number.isFinite(w) && w >= 0))) {
      throw new Error(`classWeights must be ${labels.size} finite numbers >= 0 (one per class: ${labels.labels.join(', ')}), got ${weights.length}`);
    }
    settings.classWeights = [...weights];
  }
  const encodeOptions: EncodeOptions = { tokens: settings.tokens, lowercase: settings.lowercase, maxLength: settings.maxLength };
  const vocab = buildTextVocab(Array.from(split.train, (i) => examples[i]!.text), encodeOptions);
  const training = { ...classifyTraining(), ...definedOf(options.training ?? {}), validFraction: settings.validFraction };
  const model = definedOf(options.model ?? {});
  const embeddingDim = model.embeddingDim === null ? undefined : (model.embeddingDim ?? d.embeddingDim);
  const config = validateClassifierConfig({
    cell: d.cell, hiddenSize: d.hiddenSize, numLayers: d.numLayers, bidirectional: d.bidirectional, dropout: MODEL_DEFAULTS.dropout,
    pool: d.pool, seed: training.seed ?? 0, ...model, embeddingDim, vocabSize: vocab.size, numClasses: labels.size,
  });
  const source = { source: options.source ?? 'labelled examples', count: examples.length, checksum: examplesChecksum(examples) };
  const task = new ClassifyTask(buildClassifier(config), { config, settings, labels, vocab, data: source });
  const data = prepared(examples, split, encodeExamples(task, examples));
  return finishRun(task, new Trainer(task, training), data, options);
}

async function finishRun(task: ClassifyTask, trainer: Trainer<ClassifyTask>, data: ClassifyPrepared, options: TaskRunPaths & { controls?: TaskRunControls<ClassifyTask, ClassifyPrepared> }): Promise<ClassifyRun> {
  const valid = data.valid.classes.length > 0 ? data.valid : null;
  const counts = { train: data.train.classes.length, valid: data.valid.classes.length };
  const { result, keptEpoch } = await runTask(trainer, data, data.train, valid, counts, options, options.controls);
  const finished = result.stopReason === 'completed' || result.stopReason === 'earlyStopped';
  const test = finished && data.test.classes.length > 0 ? classifyReport(task, data.test, 'test') : null;
  return { task, trainer, result, data, keptEpoch, test };
}

/** The training options a classifier starts from: CLASSIFY_DEFAULTS' batch, epochs, rate and schedule. */
export function classifyTraining(): Partial<TrainOptions> {
  const { batchSize, epochs, lr, lrSchedule, validFraction } = CLASSIFY_DEFAULTS;
  return { batchSize, epochs, lr, lrSchedule, validFraction };
}

/** Fingerprint of the examples (texts and labels, in order). */
export function examplesChecksum(examples: readonly LabelledExample[]): string {
  return dataChecksum(examples.flatMap((e) => [e.label, e.text]));
}

/** The examples encoded and split as the checkpoint's run split its own (same seed, fractions, vocabulary). */
export function classifyDataFor(task: ClassifyTask, examples: readonly LabelledExample[], where?: (i: number) => string): ClassifyPrepared {
  const encoded = encodeExamples(task, examples, where);
  return prepared(examples, splitOf(encoded.data.classes, task.info.labels.size, task.info.settings), encoded);
}

/** The classifier on labelled data, beside the majority class of its training part. */
export function classifyReport(task: ClassifyTask, data: ClassifyData, part: ClassifyReport['part']): ClassifyReport {
  const evaluation = task.evaluate(data);
  const { labels, settings } = task.info;
  // The most frequent training class (the first of equals), as majorityBaseline picks it from the training classes.
  const most = settings.classCounts.indexOf(Math.max(...settings.classCounts));
  const majority = majorityBaseline([most], data.classes, labels.size);
  return {
    part, count: data.classes.length, labels: labels.labels, loss: evaluation.loss, accuracy: evaluation.accuracy, macroF1: evaluation.macroF1,
    confusion: evaluation.confusion, majority: { label: labels.labelAt(majority.label), accuracy: majority.accuracy, macroF1: majority.macroF1 },
  };
}

export interface Classification {
  text: string;
  label: string;
  /** Each class's probability, by label. */
  probabilities: Record<string, number>;
}

/** Labels texts (empty ones are an error; tokens never seen in training read as '<unk>'). */
export function classifyTexts(task: ClassifyTask, texts: readonly string[], where: (i: number) => string = (i) => `text ${i + 1}`): Classification[] {
  const { settings, vocab, labels } = task.info;
  texts.forEach((text, i) => {
    if (text.trim() === '') throw new Error(`${where(i)} is empty: there is nothing to classify`);
  });
  const encoded = encodeTexts(texts, vocab, { tokens: settings.tokens, lowercase: settings.lowercase, maxLength: settings.maxLength }, where);
  const C = labels.size;
  const out: Classification[] = [];
  const wasTraining = task.model.training;
  task.model.eval();
  try {
    for (let start = 0; start < texts.length; start += 256) {
      const rows = Array.from({ length: Math.min(256, texts.length - start) }, (_, k) => start + k);
      const batch = padBatch(encoded, new Int32Array(texts.length), rows);
      const logits = sequenceForward(task.model, new Tensor(Float32Array.from(batch.ids), [batch.batchSize, batch.numSteps]), batch.lengths);
      const p = softmax(logits).data;
      rows.forEach((i, b) => {
        const probabilities = Object.fromEntries(labels.labels.map((label, c) => [label, p[b * C + c]!]));
        out.push({ text: texts[i]!, label: labels.labelAt(argmaxRow(p, b * C, C)), probabilities });
      });
    }
  } finally {
    task.model.train(wasTraining);
  }
  return out;
}

/** A classifier's checkpoint (Node: a path); one of another task is refused in one line naming both. */
export function loadClassifier(path: string): Promise<TaskCheckpoint<ClassifyTask>> {
  return loadTaskCheckpoint(path, CLASSIFY_LOADER);
}

/** Continues the run saved at `path` on `examples`, which must be the examples it was trained on. */
export async function resumeClassifier(path: string, examples: readonly LabelledExample[], options: TaskResumeOptions<ClassifyTask, ClassifyPrepared> = {}): Promise<ClassifyRun> {
  const { task, training } = await loadClassifier(path);
  const snapshot = resumedSnapshot(path, training, options.overrides);
  const saved = task.info.data;
  if (saved !== null && saved.checksum !== examplesChecksum(examples)) throw new Error(`these examples are not the ones ${path} was trained on (${saved.source})`);
  const trainer = new Trainer(task, {}, snapshot);
  return finishRun(task, trainer, classifyDataFor(task, examples), { checkpointPath: options.checkpointPath ?? path, bestCheckpointPath: options.bestCheckpointPath, controls: options.controls });
}
