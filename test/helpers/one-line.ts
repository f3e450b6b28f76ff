// Assertions for the data readers' errors: the call fails with a message that matches and is one line (the CLI
// prints it after `lstm: error:`, so a message with a line break would spill over).
import assert from 'node:assert/strict';

function check(pattern: RegExp): (err: Error) => boolean {
  return (err) => {
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return true;
  };
}

export function throwsOneLine(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, check(pattern));
}

export async function rejectsOneLine(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, check(pattern));
}
