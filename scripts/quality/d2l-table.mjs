// The markdown of a d2l-compare run (its JSON, as scripts/quality/last-run.json holds it): the curve table, the
// whole-corpus table, wall times and the machine. d2l-compare.mjs prints it; readme-table.mjs puts it in the README.

export const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '-');
export const fRatio = (x) => (Number.isFinite(x) ? x.toFixed(3) : '-');
export const fSec = (s) => (Number.isFinite(s) ? (s < 120 ? `${s.toFixed(1)} s` : `${s.toFixed(0)} s (${(s / 60).toFixed(1)} min)`) : '-');
export const fRate = (r) => (Number.isFinite(r) ? Math.round(r).toLocaleString('en-US') : '-');
export const pad = (s, n) => String(s).padStart(n);

export function markdown(result) {
  const { settings: s, d2l, whole } = result;
  const lines = [];
  lines.push(`Training perplexity, d2l setting (The Time Machine, first 10,000 chars, LSTM 256, SGD lr 1, clip 1, batch 32 x 35, seed ${s.seed}).`);
  lines.push(`Values at each checkpoint are medians over epochs within +-${s.window}; "final" is the median of the last ${s.last} epochs.`);
  lines.push('');
  lines.push('| epoch | lstm-ts | PyTorch nn.LSTM | ratio |');
  lines.push('|---:|---:|---:|---:|');
  for (const r of d2l.rows) lines.push(`| ${r.epoch} | ${f3(r.lstm)} | ${f3(r.torch)} | ${fRatio(r.ratio)} |`);
  lines.push(`| final (median of last ${s.last}) | ${f3(d2l.finalLstm)} | ${f3(d2l.finalTorch)} | ${fRatio(d2l.finalLstm / d2l.finalTorch)} |`);
  lines.push('');
  if (whole) {
    lines.push(`Whole corpus (${whole.tokens ?? 'all'} chars), ${s.wholeEpochs} epochs, per epoch:`);
    lines.push('');
    lines.push('| epoch | lstm-ts | PyTorch nn.LSTM | ratio |');
    lines.push('|---:|---:|---:|---:|');
    for (const r of whole.rows) lines.push(`| ${r.epoch} | ${f3(r.lstm)} | ${f3(r.torch)} | ${fRatio(r.ratio)} |`);
    lines.push('');
  }
  lines.push('| run | wall time | training tokens/s |');
  lines.push('|---|---:|---:|');
  lines.push(`| lstm-ts, ${s.epochs} epochs x 10,000 chars | ${fSec(d2l.lstm.wallSeconds)} | ${fRate(d2l.lstm.tokensPerSec)} |`);
  lines.push(`| PyTorch ${result.environment.torch ?? ''} (${result.environment.torchThreads ?? 2} threads), ${s.epochs} epochs x 10,000 chars | ${fSec(d2l.torch.wallSeconds)} | ${fRate(d2l.torch.tokensPerSec)} |`);
  if (whole) {
    lines.push(`| lstm-ts, ${s.wholeEpochs} epochs x whole corpus | ${fSec(whole.lstm.wallSeconds)} | ${fRate(whole.lstm.tokensPerSec)} |`);
    lines.push(`| PyTorch, ${s.wholeEpochs} epochs x whole corpus | ${fSec(whole.torch.wallSeconds)} | ${fRate(whole.torch.tokensPerSec)} |`);
  }
  lines.push('');
  const load = result.environment.loadAverage;
  lines.push(`Machine: ${result.environment.cpu} (${result.environment.cpus} CPUs), Node ${result.environment.node}, load average up to ${load.max.toFixed(1)}${result.environment.busy ? ' (busy: timings may be skewed)' : ''}. Command: \`${result.command}\`.`);
  return lines.join('\n');
}
