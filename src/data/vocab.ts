// The token <-> index mapping, built exactly as d2l's `Vocab`: index 0 is '<unk>', then reserved
// tokens, then tokens by descending frequency with ties in first-appearance order (Python's stable
// sort over a Counter). Serialises to JSON so a checkpoint can carry its vocabulary.

export const UNKNOWN_TOKEN = '<unk>';

export interface VocabOptions {
  /** Tokens seen fewer than this many times map to '<unk>' (d2l's `min_freq`). */
  minFreq?: number;
  /** Tokens given indices right after '<unk>' whether or not they occur (e.g. '<pad>', '<bos>'). */
  reserved?: readonly string[];
}

export interface VocabJSON {
  format: 'lstm-ts/vocab';
  version: 1;
  /** Every token in index order; tokens[0] is always '<unk>'. */
  tokens: string[];
}

export class Vocab {
  /** Index returned for tokens outside the vocabulary. */
  readonly unknownIndex = 0;
  private readonly idxToToken: string[];
  private readonly tokenToIdx: Map<string, number>;

  constructor(tokens: Iterable<string>, options: VocabOptions = {}) {
    const minFreq = options.minFreq ?? 0;
    const reserved = options.reserved ?? [];
    if (!Number.isFinite(minFreq)) throw new Error(`Vocab: minFreq must be a finite number, got ${minFreq}`);
    this.idxToToken = [UNKNOWN_TOKEN];
    this.tokenToIdx = new Map([[UNKNOWN_TOKEN, 0]]);
    for (const token of reserved) {
      // d2l would silently append a duplicate; here it is always a caller mistake.
      if (typeof token !== 'string') throw new Error('Vocab: reserved tokens must be strings');
      if (this.tokenToIdx.has(token)) throw new Error(`Vocab: reserved token ${JSON.stringify(token)} appears twice or is '<unk>'`);
      this.add(token);
    }
    // A Map iterates in insertion order, i.e. first appearance, like Python's Counter.
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    this.addByFrequency(counts, minFreq);
  }

  /** The vocabulary of a text given as token counts in first-appearance order, e.g. counted piece by piece. */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabOptions = {}): Vocab {
    const vocab = new Vocab([], options);
    vocab.addByFrequency(counts, options.minFreq ?? 0);
    return vocab;
  }

  private addByFrequency(counts: ReadonlyMap<string, number>, minFreq: number): void {
    // Array.prototype.sort is stable (ES2019), so ties keep first-appearance order.
    const byFreq = [...counts].sort((a, b) => b[1] - a[1]);
    for (const [token, freq] of byFreq) {
      if (freq < minFreq) break;
      if (!this.tokenToIdx.has(token)) this.add(token);
    }
  }

  private add(token: string): void {
    this.tokenToIdx.set(token, this.idxToToken.length);
    this.idxToToken.push(token);
  }

  /** Number of tokens, '<unk>' and reserved tokens included. */
  get size(): number {
    return this.idxToToken.length;
  }

  /** All tokens in index order (a copy). */
  get tokens(): string[] {
    return this.idxToToken.slice();
  }

  has(token: string): boolean {
    return this.tokenToIdx.has(token);
  }

  /** The token's index, or `unknownIndex` when the token is not in the vocabulary. */
  indexOf(token: string): number {
    return this.tokenToIdx.get(token) ?? this.unknownIndex;
  }

  tokenAt(index: number): string {
    const token = Number.isInteger(index) ? this.idxToToken[index] : undefined;
    if (token === undefined) throw new Error(`Vocab.tokenAt: index ${index} is out of range [0, ${this.size})`);
    return token;
  }

  encode(tokens: Iterable<string>): Int32Array {
    const out: number[] = [];
    for (const token of tokens) out.push(this.indexOf(token));
    return Int32Array.from(out);
  }

  decode(indices: ArrayLike<number>): string[] {
    const out = new Array<string>(indices.length);
    for (let k = 0; k < indices.length; k++) out[k] = this.tokenAt(indices[k]!);
    return out;
  }

  toJSON(): VocabJSON {
    return { format: 'lstm-ts/vocab', version: 1, tokens: this.idxToToken.slice() };
  }

  /** Rebuilds a vocabulary saved by `toJSON`, keeping every index; rejects malformed input. */
  static fromJSON(json: unknown): Vocab {
    const fail = (why: string): never => {
      throw new Error(`Vocab.fromJSON: ${why}`);
    };
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('expected an object');
    const obj = json as Record<string, unknown>;
    if (obj.format !== 'lstm-ts/vocab') fail(`expected format 'lstm-ts/vocab', got ${JSON.stringify(obj.format)}`);
    if (obj.version !== 1) fail(`unsupported version ${JSON.stringify(obj.version)} (expected 1)`);
    const tokens = obj.tokens;
    if (!Array.isArray(tokens)) fail('"tokens" must be an array of strings');
    const list = tokens as unknown[];
    if (list[0] !== UNKNOWN_TOKEN) fail(`tokens[0] must be '${UNKNOWN_TOKEN}', got ${JSON.stringify(list[0])}`);
    const seen = new Set<string>();
    list.forEach((token, k) => {
      if (typeof token !== 'string') fail(`tokens[${k}] is not a string`);
      if (seen.has(token as string)) fail(`tokens[${k}] ${JSON.stringify(token)} is a duplicate`);
      seen.add(token as string);
    });
    // Rebuild through the constructor's reserved path, which preserves the given order exactly.
    return new Vocab([], { reserved: (list as string[]).slice(1) });
  }
}
