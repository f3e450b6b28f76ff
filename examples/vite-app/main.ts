import { Random, Trainer, buildModel, generate, init, prepareCorpus } from 'lstm-ts';

const out = document.querySelector('#out')!;
const info = await init(); // compiles the WebAssembly kernels; threads only where the page is cross-origin isolated
const text = 'the quick brown fox jumps over the lazy dog. '.repeat(50);
const { ids, vocab } = prepareCorpus(text);
const model = buildModel({ cell: 'lstm', hiddenSize: 32, vocabSize: vocab.size });
const trainer = new Trainer(model, { batchSize: 4, numSteps: 16, epochs: 3, lr: 0.02 });
await trainer.fit(ids);
const sample = generate(model, vocab, { tokens: 'char' }, 'the ', { length: 30, strategy: 'top-k', topK: 3, random: new Random(0) });
out.textContent = [
  `${info.backend} kernels, ${info.threads} thread(s): ${info.threadsReason}`,
  `perplexity ${trainer.history.map((s) => s.perplexity.toFixed(2)).join(' → ')}`,
  `sample: ${sample}`,
].join('\n');
