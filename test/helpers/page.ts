// Small waits for the browser tests, written so the test files need no DOM types: the page is read through
// playwright locators and string expressions, and conditions are polled from Node with a time limit that
// names what was awaited when it runs out.
import type { Page } from 'playwright-core';

/** The text of the element with this data-testid ('' when it has none). */
export async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? '';
}

/** Polls `probe` until `ok` holds; throws after `timeoutMs` with the last value seen. */
export async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the element's text matches `pattern`, and returns the text. */
export function untilText(page: Page, testId: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return until(() => textOf(page, testId), (t) => pattern.test(t), `${testId} to match ${pattern}`, timeoutMs);
}

/** Two animation frames: whatever the last message changed has been laid out and painted. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
}
