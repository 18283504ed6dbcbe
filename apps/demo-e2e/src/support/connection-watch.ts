import type { Page } from 'playwright-core';

/** What a page's connection did while it was watched. */
export interface ConnectionWatch {
  /** WebSocket connections the page opened since the watch began (a reconnection opens one). */
  socketsOpened(): number;
  /** Every state the header's connection status showed since the watch began, in order (`connected` first). */
  states(): Promise<string[]>;
}

/**
 * Watches `page`'s connection from now on: the WebSockets it opens (seen by
 * the browser, so a reconnection cannot hide) and every state its header's
 * connection status takes (recorded in the page by a MutationObserver, so a
 * short "Reconnecting…" is not missed).
 */
export async function watchConnection(page: Page): Promise<ConnectionWatch> {
  let opened = 0;
  page.on('websocket', () => opened++);
  await page.evaluate(() => {
    const status = document.querySelector('[data-testid="connection-status"]');
    if (!status) throw new Error('no connection status in the page');
    const seen = [status.getAttribute('data-state') ?? ''];
    (window as unknown as { __connectionStates: string[] }).__connectionStates = seen;
    new MutationObserver(() => seen.push(status.getAttribute('data-state') ?? '')).observe(status, { attributes: true, attributeFilter: ['data-state'] });
  });
  return {
    socketsOpened: () => opened,
    states: () => page.evaluate(() => (window as unknown as { __connectionStates: string[] }).__connectionStates),
  };
}
