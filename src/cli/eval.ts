// `lstm eval`: loss and perplexity of a saved model on a text, tokenized with the checkpoint's own settings and
// vocabulary (tokens it never saw count as '<unk>', and the output says how many). Window and batch default to
// the ones the model was trained with; the state is carried across windows, as in training.
import { TRAIN_DEFAULTS, describeModel, evaluateLoss, loadCheckpoint, prepareCorpus } from '../train/index.js';
import type { EvalFlags } from './args.js';
import { loadText } from './data.js';
import { CliError } from './errors.js';
import { formatCount, formatPerplexity } from './format.js';
import { init } from '../kernels/runtime.js';
import { checkpointKindOf } from './task-files.js';

export async function evalAction(flags: EvalFlags): Promise<number> {
  const kind = await checkpointKindOf(flags.model);
  if (kind !== 'language-model') return (await import('./task-eval.js')).taskEvalAction(flags, kind);
  for (const [key, flag] of [['part', '--part'], ['label', '--label'], ['text', '--text']] as const) {
    if (flags[key] !== undefined) throw new CliError(`${flag} applies to a forecast or classify checkpoint; ${flags.model} is a language model`);
  }
  const ckpt = await loadCheckpoint(flags.model);
  const corpus = await loadText(flags.data, flags.maxDataSize);
  const prepared = prepareCorpus(corpus.text, ckpt.text, { vocab: ckpt.vocab, maxTokens: flags.maxTokens });
  if (prepared.tokenCount < 2) {
    throw new CliError(`${corpus.source} has ${prepared.tokenCount} token(s) under the checkpoint's settings; evaluation needs at least 2 (one to read, one to predict)`);
  }
  await init({ backend: flags.backend, threads: flags.threads ?? 'auto' });
  const trained = ckpt.training?.progress.options;
  const batchSize = flags.batch ?? trained?.batchSize ?? TRAIN_DEFAULTS.batchSize;
  const numSteps = flags.steps ?? trained?.numSteps ?? TRAIN_DEFAULTS.numSteps;
  const result = evaluateLoss(ckpt.model, prepared.ids, { batchSize, numSteps });
  if (prepared.unknownCount > 0) {
    process.stderr.write(`lstm: warning: ${formatCount(prepared.unknownCount)} of ${formatCount(prepared.tokenCount)} tokens are not in the model's vocabulary and count as '<unk>'\n`);
  }
  if (flags.json === true) {
    const summary = {
      loss: result.loss, perplexity: result.perplexity, tokens: prepared.tokenCount, predicted: result.tokens,
      unknownTokens: prepared.unknownCount, checkpoint: flags.model, data: corpus.source, batch: batchSize, steps: numSteps,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  const settings = `${ckpt.text.tokens}, preprocess ${ckpt.text.preprocess}`;
  const lines = [
    `data: ${corpus.source}${corpus.builtin ? ' (no --data given)' : ''}: ${formatCount(prepared.tokenCount)} tokens (${settings})`,
    `model: ${describeModel(ckpt.config)}`,
    `loss ${result.loss.toFixed(4)}  perplexity ${formatPerplexity(result.perplexity)}  (${formatCount(result.tokens)} predictions, batch ${batchSize} x ${numSteps} steps)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
