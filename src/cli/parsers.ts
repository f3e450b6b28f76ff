// Value parsers for numeric flags (commander argParsers). Each rejects with InvalidArgumentError, which
// commander turns into one line naming the flag and the value: "option '--steps <n>' argument '0' is invalid.
// must be a positive integer". Strict on purpose: "10x", "1e3" or "" for a size is a typo, not a number.
import { InvalidArgumentError } from 'commander';

const INTEGER = /^[+]?\d+$/;

function integer(text: string, min: number, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const trimmed = text.trim();
  const value = INTEGER.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new InvalidArgumentError(`must be ${what}.`);
  return value;
}

function finite(text: string, what: string, ok: (v: number) => boolean): number {
  const trimmed = text.trim();
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (!Number.isFinite(value) || !ok(value)) throw new InvalidArgumentError(`must be ${what}.`);
  return value;
}

/** 1, 2, 3, ...: sizes, counts of epochs, layers. */
export function positiveInt(text: string): number {
  return integer(text, 1, 'a positive integer');
}

/** 0, 1, 2, ...: token limits where 0 means "all", lengths where 0 means "none". */
export function nonNegativeInt(text: string): number {
  return integer(text, 0, 'an integer >= 0');
}

/** Seeds are 32-bit, as the library's Random takes them. */
export function seed(text: string): number {
  return integer(text, 0, 'an integer in [0, 4294967295]', 0xffffffff);
}

/** Learning rates and temperatures. */
export function positiveNumber(text: string): number {
  return finite(text, 'a finite number > 0', (v) => v > 0);
}

/** Clip norms (0 = off), weight decay, minimum learning rates. */
export function nonNegativeNumber(text: string): number {
  return finite(text, 'a finite number >= 0', (v) => v >= 0);
}

/** Dropout and the validation fraction: at least 0, below 1. */
export function fraction(text: string): number {
  return finite(text, 'a number in [0, 1)', (v) => v >= 0 && v < 1);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i;

/** A size in bytes: "1048576", "512K", "64M", "1.5G" (binary units: K = 1024). */
export function byteSize(text: string): number {
  const m = SIZE.exec(text.trim());
  const scale = m === null ? NaN : 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  const value = m === null ? NaN : Math.floor(Number(m[1]) * scale);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError('must be a size such as 1048576, 512K, 64M or 2G.');
  return value;
}
