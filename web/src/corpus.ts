// The text to learn from: the built-in corpus (the opening chapters of Moby Dick, baked into the page at build
// time by corpus-plugin.ts), pasted text, or an uploaded .txt file read in the browser. Uploaded files get the
// CLI's checks (files.ts): within the size limit, UTF-8, no NUL bytes, line endings normalised to '\n'.
import * as builtin from 'virtual:builtin-corpus';
import { byId, formatCount, setText } from './dom.js';
import { readTextFile } from './files.js';

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
    try {
      this.uploaded = { name: file.name, text: await readTextFile(file) };
    } catch (err) {
      return setText(this.info, (err as Error).message, 'error');
    }
    this.describe();
  }
}
