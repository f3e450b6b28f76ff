// Labelled text from one folder per class (as Keras' text_dataset_from_directory and scikit-learn's load_files):
// root/<label>/<any file> holds one example each, the file's whole text. Node only; hidden entries are skipped.

import { readFileChecked, type ReadOptions } from '../io/files.js';
import { memoryBudget } from '../io/memory.js';
import { requireNode } from '../platform/node.js';
import type { LabelledExample } from './labelled.js';

/**
 * Reads root/<label>/<file> examples, classes and files in sorted order; problems are one-line errors naming the
 * path. All the files together may hold at most `options.maxBytes` bytes (default: the memory budget).
 */
export async function readLabelledFolder(root: string, options: ReadOptions = {}): Promise<LabelledExample[]> {
  const { readdirSync, statSync } = requireNode('node:fs', 'readLabelledFolder');
  let remaining = options.maxBytes ?? memoryBudget().bytes;
  const { join } = requireNode('node:path', 'readLabelledFolder');
  let entries: string[];
  try {
    entries = readdirSync(root).filter((name) => !name.startsWith('.')).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `data folder not found: ${root}` : code === 'ENOTDIR' ? `not a folder: ${root}` : `cannot read ${root}: ${(err as Error).message}`);
  }
  const classes = entries.filter((name) => statSync(join(root, name)).isDirectory());
  if (classes.length === 0) throw new Error(`${root} has no sub-folders: expected one folder per class, each holding one text file per example`);
  const examples: LabelledExample[] = [];
  for (const label of classes) {
    const folder = join(root, label);
    const files = readdirSync(folder).filter((name) => !name.startsWith('.') && statSync(join(folder, name)).isFile()).sort();
    if (files.length === 0) throw new Error(`class folder ${folder} holds no file`);
    for (const name of files) {
      const path = join(folder, name);
      // Every file is read as a regular file within what is left of the folder's byte budget.
      const bytes = await readFileChecked(path, 'data file', { ...options, maxBytes: remaining });
      remaining -= bytes.length;
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new Error(`${path} is not valid UTF-8 text`);
      }
      if (text.trim() === '') throw new Error(`${path}: the text is empty`);
      examples.push({ text: text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'), label });
    }
  }
  return examples;
}
