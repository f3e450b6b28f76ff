#!/usr/bin/env node
// Does memory stay flat over a long run? Trains `lstm train` for N epochs (default 20) and samples the process's
// resident memory (VmRSS from /proc, Linux) once a second, then prints the RSS at the end of each epoch and the
// growth from the first epoch to the last, and writes a JSON record into bench/records/ (--records '' for none), from
// which bench/tables.mjs writes the README's table. Usage (after `npx tsc -p tsconfig.build.json`):
//   node bench/memory-flat.mjs [--epochs 20] [--hidden 256] [--max-tokens 30000] [--data ../shared/data/timemachine.txt]
//     [--records bench/records] [--note text]
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECORDS_DIR, loadNow, writeRecord } from './records.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const epochs = Number(args.epochs ?? 20);
const hidden = Number(args.hidden ?? 256);
const maxTokens = Number(args['max-tokens'] ?? 30000);
const loads = [loadNow('start')];
const out = join(mkdtempSync(join(tmpdir(), 'lstm-memory-')), 'model.safetensors');
const data = args.data ?? join(root, '..', 'shared', 'data', 'timemachine.txt');
const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'train', '--data', data, '--json', '--epochs', String(epochs),
  '--hidden', String(hidden), '--max-tokens', String(maxTokens), '--out', out, '--sample-length', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });

const rssMiB = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
let peak = 0;
const timer = setInterval(() => { try { peak = Math.max(peak, rssMiB()); } catch { /* exited */ } }, 1000);
const perEpoch = [];
let buffer = '';
child.stdout.setEncoding('utf8').on('data', (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    try {
      const row = JSON.parse(line);
      if (row.epoch !== undefined) perEpoch.push({ epoch: row.epoch, rss: rssMiB(), perplexity: row.perplexity });
    } catch { /* not JSON */ }
  }
});
child.on('close', (code) => {
  clearInterval(timer);
  for (const r of perEpoch) console.log(`epoch ${String(r.epoch).padStart(3)}  rss ${r.rss.toFixed(1)} MiB  perplexity ${r.perplexity.toFixed(3)}`);
  const first = perEpoch[0]?.rss ?? NaN;
  const last = perEpoch.at(-1)?.rss ?? NaN;
  console.log(`epochs ${perEpoch.length}, rss after epoch 1: ${first.toFixed(1)} MiB, after the last: ${last.toFixed(1)} MiB (growth ${(last - first).toFixed(1)} MiB), peak ${peak.toFixed(1)} MiB, exit ${code}`);
  const records = args.records ?? RECORDS_DIR;
  if (code === 0 && records !== '') {
    loads.push(loadNow('end'));
    const later = perEpoch.slice(1).map((r) => r.rss);
    const file = writeRecord('memory-flat', {
      settings: { epochs, hidden, maxTokens, data: data.replace(root + '/', '') }, loads, perEpoch, epochs: perEpoch.length, hidden, first, last, peak,
      fromEpoch2: later.length === 0 ? null : { min: Math.min(...later), max: Math.max(...later) },
    }, { dir: records, note: args.note ?? null });
    console.log(`record: ${file.replace(root + '/', '')}`);
  }
  process.exit(code ?? 1);
});
