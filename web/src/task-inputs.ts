// The model and training inputs the forecast and classify views share (cell, hidden units, epochs, learning rate,
// named by the view's prefix), read and checked in one place, each problem one line naming the field as labelled.
import type { CellKind } from '../../src/train/index.js';
import { byId } from './dom.js';
import type { ModelChoice } from './task-protocol.js';

const labelOf = (id: string): string => document.querySelector(`label[for="${id}"]`)?.textContent?.trim() ?? id;

/** A whole number in [min, max] from the input `id`, or the sentence saying it is not one. */
function wholeNumber(id: string, min: number, max: number): number | string {
  const x = Number(byId<HTMLInputElement>(id).value);
  return Number.isInteger(x) && x >= min && x <= max ? x : `${labelOf(id)} must be a whole number from ${min} to ${max}.`;
}

/** The shared inputs and the view's whole-number ones (`extra`: name -> [min, max]), or what is wrong with them. */
export function readChoices<K extends string>(prefix: string, extra: Record<K, [number, number]>): (ModelChoice & Record<K, number>) | string {
  const id = (name: string): string => `${prefix}-${name}`;
  const numbers: Record<string, number> = {};
  for (const [name, [min, max]] of Object.entries<[number, number]>({ epochs: [1, 1000], ...extra })) {
    const x = wholeNumber(id(name), min, max);
    if (typeof x === 'string') return x;
    numbers[name] = x;
  }
  const lr = Number(byId<HTMLInputElement>(id('lr')).value);
  if (!(Number.isFinite(lr) && lr > 0 && lr <= 10)) return `${labelOf(id('lr'))} must be a number above 0 (and at most 10).`;
  const cell = byId<HTMLSelectElement>(id('cell')).value as CellKind;
  const hiddenSize = Number(byId<HTMLSelectElement>(id('hidden')).value);
  return { ...(numbers as Record<K, number>), cell, hiddenSize, epochs: numbers.epochs!, lr };
}
