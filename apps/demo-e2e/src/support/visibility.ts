import type { Page } from 'playwright-core';

/**
 * Puts the tab in the background (`hidden`) or in front again, as the Page
 * Visibility API reports it: headless Chromium keeps every page visible, so
 * the document's `visibilityState` and `hidden` are overridden and a
 * `visibilitychange` is dispatched, which is all a page (and the client's
 * activity tracking) can observe of a tab switch.
 */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hide) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hide ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hide });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
