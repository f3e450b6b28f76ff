import { classifyTexts, loadNames, trainClassifier } from 'lstm-ts';

const names = await loadNames(); // 8,003 first names, female or male; your own data: parseLabelled(csvText, { label, text })
const run = await trainClassifier(names); // characters, embedding 32, bidirectional LSTM 64, 10 epochs of Adam
const { accuracy, majority } = run.test!;
console.log(`test accuracy ${(100 * accuracy).toFixed(1)}% (majority class '${majority.label}' ${(100 * majority.accuracy).toFixed(1)}%)`);
for (const r of classifyTexts(run.task, ['Emma', 'James', 'Olivia'])) console.log(r.label, r.probabilities[r.label]!.toFixed(3), r.text);
