// The classify task's part of `lstm train` (see task-train.ts): its flags to the library's trainClassifier, its header
// (classes, split, tokens, how many texts --max-length cut) and epoch lines, and the test accuracy, macro F1 and
// confusion matrix beside the majority-class baseline.
import type { ClassifyPrepared, ClassifyReport, ClassifyRun } from '../train/classify-session.js';
import { examplesChecksum, resumeClassifier, trainClassifier } from '../train/classify-session.js';
import type { ClassifyTask } from '../train/classify-task.js';
import { CLASSIFY_DEFAULTS } from '../train/defaults.js';
import { describeTaskModel } from '../train/sequence-config.js';
import { CLASSIFY_LOADER } from '../train/task-loaders.js';
import { CliError } from './errors.js';
import { formatCount, formatRate } from './format.js';
import { parseClassWeights, type TaskFlags } from './task-args.js';
import { commonConflicts, describeTaskTraining, type TaskCommand } from './task-train.js';
import { formatPercent, table, type EpochView } from './task-output.js';
import { loadExamples, type ExamplesInput } from './task-data.js';

type ClassifyEpoch = { epoch: number; loss: number; valLoss: number | null; valAccuracy: number | null; valMacroF1: number | null; sequencesPerSec: number };

export const CLASSIFY_VIEW: EpochView = {
  unit: 'seq',
  line(stats, total) {
    const s = stats as unknown as ClassifyEpoch;
    const val = s.valAccuracy === null ? '' : `  val loss ${s.valLoss!.toFixed(4)}  val acc ${formatPercent(s.valAccuracy)}  val F1 ${s.valMacroF1!.toFixed(3)}`;
    return `epoch ${s.epoch}/${total}  loss ${s.loss.toFixed(4)}${val}  ${formatRate(s.sequencesPerSec)} seq/s`;
  },
  json(stats) {
    const { epoch, loss, valLoss, valAccuracy, valMacroF1, sequencesPerSec } = stats as unknown as ClassifyEpoch;
    return { epoch, loss, valLoss, valAccuracy, valMacroF1, sequencesPerSec };
  },
};

/** Accuracy and macro F1 beside the majority class, and the confusion matrix. */
export function classifyReportLines(report: ClassifyReport, what: string): string[] {
  const { majority } = report;
  const lines = [
    `${what} (${formatCount(report.count)} examples of the ${report.part} part): accuracy ${formatPercent(report.accuracy)}, macro F1 ${report.macroF1.toFixed(3)}, loss ${report.loss.toFixed(4)}`,
    `  majority class '${majority.label}': accuracy ${formatPercent(majority.accuracy)}, macro F1 ${majority.macroF1.toFixed(3)}`,
    '  confusion (rows: true label, columns: predicted):',
  ];
  const shown = report.labels.length <= 20;
  if (shown) lines.push(...table([['', ...report.labels], ...report.labels.map((l, i) => [l, ...report.confusion[i]!.map((n) => formatCount(n))])], '    '));
  else lines.push('    (more than 20 classes: see --json)');
  return lines;
}

/** The settings the library takes from the flags (a task default where a flag was not given). */
export function classifierSettings(flags: TaskFlags & { tokens: 'char' | 'word'; embedding?: number }) {
  return {
    tokens: flags.tokens, lowercase: flags.lowercase ?? CLASSIFY_DEFAULTS.lowercase, maxLength: flags.maxLength ?? CLASSIFY_DEFAULTS.maxLength,
    splitSeed: flags.splitSeed ?? 0, classWeights: parseClassWeights(flags.classWeights),
    embeddingDim: flags.embedding === undefined ? CLASSIFY_DEFAULTS.embeddingDim : flags.embedding === 0 ? null : flags.embedding,
  };
}

function describeData(input: ExamplesInput, task: ClassifyTask, counts: { train: number; valid: number }, truncated: number, unknown: number): string {
  const { labels, settings, vocab } = task.info;
  const byLabel = new Map<string, number>();
  for (const e of input.examples) byLabel.set(e.label, (byLabel.get(e.label) ?? 0) + 1);
  const classes = labels.labels.length <= 8 ? ` (${labels.labels.map((l) => `${l} ${formatCount(byLabel.get(l) ?? 0)}`).join(', ')})` : '';
  const test = input.examples.length - counts.train - counts.valid;
  const cut = `${formatCount(truncated)} text${truncated === 1 ? '' : 's'} longer than --max-length ${settings.maxLength} cut`;
  const unk = unknown > 0 ? `, ${formatCount(unknown)} tokens outside the training vocabulary read as <unk>` : '';
  return `data: ${input.source}${input.builtin ? ' (no --data given)' : ''}: ${formatCount(input.examples.length)} examples, ${labels.size} classes${classes}; ` +
    `${formatCount(counts.train)} train, ${formatCount(counts.valid)} validation, ${formatCount(test)} test (stratified); ` +
    `${settings.tokens} tokens${settings.lowercase ? ', lower-cased' : ''}, vocabulary ${formatCount(vocab.size)}; ${cut}${unk}`;
}

export const CLASSIFY_COMMAND: TaskCommand<ClassifyTask, ExamplesInput, ClassifyRun, ClassifyPrepared> = {
  loader: CLASSIFY_LOADER,
  view: CLASSIFY_VIEW,
  extraOutputs: () => [],
  load: (flags) => loadExamples(flags.data, flags),
  conflicts(flags, given, task, options) {
    const { config: c, settings: s } = task.info;
    const mine = classifierSettings(flags);
    const embedding = c.embeddingDim ?? 0;
    const conflicts = commonConflicts(flags, given, [
      ['cell', '--cell', c.cell], ['hidden', '--hidden', c.hiddenSize], ['layers', '--layers', c.numLayers], ['dropout', '--dropout', c.dropout],
      ['seed', '--seed', c.seed], ['bidirectional', '--bidirectional', c.bidirectional], ['pool', '--pool', c.pool], ['embedding', '--embedding', embedding],
      ['tokens', '--tokens', s.tokens], ['lowercase', '--lowercase', s.lowercase], ['maxLength', '--max-length', s.maxLength], ['test', '--test', s.testFraction],
      ['splitSeed', '--split-seed', s.splitSeed],
    ], options);
    if (given('classWeights') && JSON.stringify(mine.classWeights) !== JSON.stringify(s.classWeights) && mine.classWeights !== 'balanced') {
      conflicts.push(`--class-weights ${flags.classWeights} (checkpoint: ${s.classWeights === null ? 'none' : s.classWeights.join(',')})`);
    }
    return conflicts;
  },
  checkSameData(task, input, out) {
    const saved = task.info.data;
    if (saved !== null && saved.checksum !== examplesChecksum(input.examples)) {
      throw new CliError(`--resume: ${input.source} is not the data ${out} was trained on (${saved.source}); give the same --data to continue`);
    }
  },
  train(input, flags, training, paths, controls) {
    const s = classifierSettings(flags);
    return trainClassifier(input.examples, {
      source: input.source, labelColumn: input.columns?.label ?? null, textColumn: input.columns?.text ?? null, tokens: s.tokens, lowercase: s.lowercase, maxLength: s.maxLength, splitSeed: s.splitSeed, classWeights: s.classWeights,
      validFraction: flags.valid, testFraction: flags.test,
      model: {
        cell: flags.cell, hiddenSize: flags.hidden, numLayers: flags.layers, dropout: flags.dropout, bidirectional: flags.bidirectional, seed: flags.seed,
        pool: flags.pool, embeddingDim: s.embeddingDim,
      },
      training, ...paths, controls,
    });
  },
  resume: (out, input, options) => resumeClassifier(out, input.examples, options),
  header(start, input, runtime) {
    const { task, data } = start;
    const { settings } = task.info;
    return [
      describeData(input, task, { train: start.trainCount, valid: start.validCount }, data.truncated, data.unknownTokens),
      `model: ${describeTaskModel(task.info.config)}`,
      `training: ${describeTaskTraining(start.trainer.options)}${settings.classWeights === null ? '' : `, class weights ${settings.classWeights.map((w) => +w.toPrecision(4)).join(', ')}`}, ${runtime}`,
    ];
  },
  async finish(run, input) {
    const lines: string[] = [];
    const summary: Record<string, unknown> = { data: input.source, parameters: run.task.model.parameters().reduce((n, p) => n + p.size, 0), truncated: run.data.truncated };
    if (run.test !== null) {
      const which = run.keptEpoch === null ? '' : run.keptEpoch === run.trainer.epoch ? `, epoch ${run.keptEpoch}` : `, the best epoch's weights (epoch ${run.keptEpoch})`;
      lines.push(...classifyReportLines(run.test, `test metrics${which}`));
      summary.test = run.test;
    }
    return { lines, summary };
  },
};
