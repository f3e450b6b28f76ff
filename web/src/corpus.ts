// The text to learn from: the built-in corpus (the opening chapters of Moby Dick, baked into the page at build
// time by corpus-plugin.ts), pasted text, or an uploaded .txt file read in the browser. Uploaded files get the
// CLI's checks: UTF-8, no NUL bytes, line endings normalised to '\n'.
import * as builtin from 'virtual:builtin-corpus';
import { DEFAULT_MAX_CORPUS_BYTES } from '../../src/data/text-source.js';
import { byId, formatCount, setText } from './dom.js';

export interface ChosenText {
  name: string;
  text: string;
}

export class CorpusPicker {
  private readonly select = byId<HTMLSelectElement>('corpus');
  private readonly paste = byId<HTMLTextAreaElement>('paste');
  private readonly upload = byId<HTMLInputElement>('upload');
  private readonly info = byId('corpus-info');
  private uploaded: ChosenText | null = null;

  constructor() {
    const option = byId<HTMLOptionElement>('builtin-option');
    option.textContent = `Built-in: ${builtin.name}`;
    this.select.addEventListener('change', () => this.refresh());
    this.paste.addEventListener('input', () => this.describe());
    this.upload.addEventListener('change', () => void this.readUpload());
    this.refresh();
  }

  set disabled(value: boolean) {
    for (const el of [this.select, this.paste, this.upload]) el.disabled = value;
  }

  /** The chosen text, or an error message saying what is missing. */
  current(): ChosenText | string {
    switch (this.select.value) {
      case 'paste':
        return this.paste.value.trim().length > 0 ? { name: 'pasted text', text: this.paste.value.replace(/\r\n?/g, '\n') } : 'Paste some text first.';
      case 'upload':
        return this.uploaded ?? 'Choose a .txt file first.';
      default:
        return { name: builtin.name, text: builtin.text };
    }
  }

  private refresh(): void {
    this.paste.hidden = this.select.value !== 'paste';
    this.upload.hidden = this.select.value !== 'upload';
    this.describe();
  }

  private describe(): void {
    const chosen = this.current();
    if (typeof chosen === 'string') return setText(this.info, chosen);
    const chars = Array.from(chosen.text);
    const distinct = new Set(chars).size;
    const source = this.select.value === 'builtin' ? ` · the CLI's built-in corpus is all of it (${builtin.source.replace(/ \(.*/, '')})` : '';
    setText(this.info, `${formatCount(chars.length)} characters, ${distinct} distinct${source}`);
  }

  private async readUpload(): Promise<void> {
    const file = this.upload.files?.[0];
    this.uploaded = null;
    if (file === undefined) return this.describe();
    if (file.size > DEFAULT_MAX_CORPUS_BYTES) {
      return setText(this.info, `Cannot use ${file.name}: it is ${(file.size / 2 ** 20).toFixed(1)} MiB, more than the ${DEFAULT_MAX_CORPUS_BYTES / 2 ** 20} MiB a text may have here.`, 'error');
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    let text: string;
    try {
      if (bytes.includes(0)) throw new Error('it looks binary (it has NUL bytes)');
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
      if (text.trim().length === 0) throw new Error('it is empty');
    } catch (err) {
      const why = err instanceof TypeError ? 'it is not UTF-8 text' : (err as Error).message;
      return setText(this.info, `Cannot use ${file.name}: ${why}.`, 'error');
    }
    this.uploaded = { name: file.name, text };
    this.describe();
  }
}
