import type { Locator, Page } from 'playwright-core';

const TIMEOUT_MS = 10_000;

/**
 * Waits until the element with `testId` has `attribute` = `value` (live
 * figures carry their number in an attribute), failing with the value it had.
 */
export async function waitForAttribute(page: Page, testId: string, attribute: string, value: string | number, timeout = TIMEOUT_MS): Promise<void> {
  try {
    await page.locator(`[data-testid="${testId}"][${attribute}="${value}"]`).first().waitFor({ state: 'attached', timeout });
  } catch {
    const actual = await page.getByTestId(testId).first().getAttribute(attribute, { timeout: 1_000 }).catch(() => '(no such element)');
    throw new Error(`${testId} never had ${attribute}="${value}" (it has "${actual}")`);
  }
}

/** Waits until the element with `testId` shows a number in `data-value`, and returns it. */
export async function readValue(page: Page, testId: string, timeout = TIMEOUT_MS): Promise<number> {
  const element = page.locator(`[data-testid="${testId}"][data-value]`).first();
  await element.waitFor({ state: 'attached', timeout });
  return Number(await element.getAttribute('data-value'));
}

/** Waits until `locator` is shown, failing with `what`. */
export async function shown(locator: Locator, what: string, timeout = TIMEOUT_MS): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`never shown: ${what}`);
  }
}

/** Waits until no element matches `locator`, failing with `what`. */
export async function gone(locator: Locator, what: string, timeout = TIMEOUT_MS): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'detached', timeout });
  } catch {
    throw new Error(`never went away: ${what}`);
  }
}
