// The data layer's public surface: text preprocessing and tokenizers, the vocabulary,
// minibatch iterators over token ids, the built-in default corpus and the files of built-in datasets.

export { preprocessLetters, flattenLines, tokenize, detokenize } from './text.js';
export { CorpusFile, DEFAULT_MAX_CORPUS_BYTES, readCorpusFile, type CorpusFileOptions } from './read-corpus.js';
export { headOf, piecesOf, type TextPieces, type TextSource } from './text-source.js';
export type { TokenKind } from './text.js';
export { Vocab, UNKNOWN_TOKEN } from './vocab.js';
export type { VocabOptions, VocabJSON } from './vocab.js';
export {
  randomBatches,
  sequentialBatches,
  makeBatches,
  numRandomBatches,
  numSequentialBatches,
  splitCorpus,
} from './batches.js';
export type { Batch, BatchEpoch, BatchMode } from './batches.js';
export { loadDefaultCorpus, DEFAULT_CORPUS_NAME } from './default-corpus.js';
export { DATASET_PACKAGES, datasetCacheDir, datasetDir, readDatasetFile, type DatasetFileOptions, type DatasetPackage } from './dataset-files.js';
