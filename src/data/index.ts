// The data layer's public surface: text preprocessing and tokenizers, the vocabulary, minibatch iterators over
// token ids, the built-in default corpus and the files of built-in datasets; tables (CSV / TSV / JSON lines),
// numeric series for forecasting (windows, chronological split, scaling, season) and labelled text for
// classification, with their built-in datasets.

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
export { parseTable, tableFormatOf, columnIndex } from './table.js';
export type { Table, TableFormat, TableOptions, TableCell } from './table.js';
export { parseSeries, seriesFromTable, seriesColumn, fillMissing } from './series.js';
export type { Series, SeriesOptions, FillMode } from './series.js';
export { parseDate, dateStep, seasonOfStep, futureDates } from './series-dates.js';
export type { DateStep } from './series-dates.js';
export { chronologicalSplit, windowOrigins, makeWindows, lastWindow, Scaler } from './series-windows.js';
export type { SplitFractions, SeriesSplit, SeriesPart, Windows, ScalerJSON } from './series-windows.js';
export { autocorrelation, seasonFromAutocorrelation, findSeason } from './series-season.js';
export type { SeasonSource } from './series-season.js';
export { prepareForecastData } from './series-prepare.js';
export type { ForecastData, ForecastDataOptions } from './series-prepare.js';
export { birthsTable, birthsSeries, loadBirths, BIRTHS_PACKAGE, BIRTHS_FILE, BIRTHS_NAME, BIRTHS_COLUMNS } from './series-births.js';
export { parseLabelled, labelledFromTable, LabelSet, classWeights, classCounts } from './labelled.js';
export type { LabelledExample, LabelledOptions, LabelSetJSON } from './labelled.js';
export { buildTextVocab, encodeTexts, stratifiedSplit, orderedSplit, padBatch, sequenceBatches } from './labelled-encode.js';
export type { EncodeOptions, EncodedTexts, IndexSplit, SequenceBatch } from './labelled-encode.js';
export { readLabelledFolder } from './labelled-folder.js';
export { namesExamples, loadNames, NAMES_PACKAGES, NAMES_FILE, NAMES_NAME } from './labelled-names.js';
