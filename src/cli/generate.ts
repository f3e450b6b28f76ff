// `lstm generate`: continues a prefix with a saved model and prints the whole text (prefix included).
// Greedy by default; --temperature alone means sampling, --top-k alone means top-k sampling, and a flag that
// the chosen strategy would ignore is refused rather than silently dropped. Draws come from --seed (default 0).
import { Random } from '../core/random.js';
import { generate, loadCheckpoint, type SamplingStrategy } from '../train/index.js';
import type { GenerateFlags } from './args.js';
import { CliError } from './errors.js';

export function pickStrategy(flags: GenerateFlags): SamplingStrategy {
  const strategy = flags.strategy ?? (flags.topK !== undefined ? 'top-k' : flags.temperature !== undefined ? 'sample' : 'greedy');
  if (strategy === 'greedy' && flags.temperature !== undefined) throw new CliError('--temperature has no effect with --strategy greedy; use --strategy sample or top-k');
  if (strategy !== 'top-k' && flags.topK !== undefined) throw new CliError(`--top-k applies only to --strategy top-k, not ${strategy}`);
  if (strategy === 'top-k' && flags.topK === undefined) throw new CliError('--strategy top-k needs --top-k K (how many of the most likely tokens to sample among)');
  return strategy;
}

export async function generateAction(flags: GenerateFlags): Promise<number> {
  const strategy = pickStrategy(flags);
  if (flags.prefix.length === 0) throw new CliError('--prefix is empty; give at least one token to start from');
  const ckpt = await loadCheckpoint(flags.model);
  let text: string;
  try {
    text = generate(ckpt.model, ckpt.vocab, ckpt.text, flags.prefix, {
      length: flags.length,
      strategy,
      temperature: flags.temperature ?? 1,
      topK: flags.topK,
      random: new Random(flags.seed),
    });
  } catch (err) {
    // The library says "prefix has ..."; name the flag the user typed.
    const message = (err as Error).message;
    if (/^prefix /.test(message)) throw new CliError(`--${message}`);
    throw err;
  }
  process.stdout.write(`${text}\n`);
  return 0;
}
