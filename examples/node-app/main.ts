import { generate, init, loadCheckpoint, runtimeInfo, saveCheckpoint, trainOnText } from 'lstm-ts';

await init(); // optional: WebAssembly SIMD kernels on every core (the first use would choose the same)
const { backend, threads } = runtimeInfo();
console.log(`kernels: ${backend} on ${threads} thread(s)`);

const text = 'the quick brown fox jumps over the lazy dog. '.repeat(100);
const run = await trainOnText(text, { model: { cell: 'lstm', hiddenSize: 64 }, training: { epochs: 6, batchSize: 8, numSteps: 20, lr: 0.02 } });
console.log(`perplexity after ${run.trainer.epoch} epochs: ${run.trainer.history.at(-1)!.perplexity.toFixed(2)}`);

await saveCheckpoint('fox.lstm.safetensors', run);
const model = await loadCheckpoint('fox.lstm.safetensors');
console.log(generate(model.model, model.vocab, model.text, 'the qu', { length: 40 }));
