import { launchBrowser, openPage } from '@presently/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** One visitor: a fresh browser context (its own storage, so its own clientId) showing one page. */
export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions the page threw. */
  errors: string[];
  /** Closes the context, as a visitor closing their browser would. */
  close(): Promise<void>;
}

/**
 * One Chromium for the enclosing `describe`. Visitors are closed after each
 * test (a test that closes one itself is fine); a page that threw an
 * uncaught exception fails its test.
 */
export function useBrowser(): { visit(url: string, options?: { viewport?: { width: number; height: number } }): Promise<Visitor> } {
  let browser: Browser | undefined;
  const open = new Set<Visitor>();

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    const visitors = [...open];
    await Promise.all(visitors.map((visitor) => visitor.close()));
    const errors = visitors.flatMap((visitor) => visitor.errors);
    if (errors.length) throw new Error(`the demo threw in the browser:\n${errors.join('\n')}`);
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    async visit(url, options = {}) {
      if (!browser) throw new Error('the browser is not running: visit inside a test');
      let context: BrowserContext;
      let page: Page;
      const errors: string[] = [];
      if (options.viewport) {
        context = await browser.newContext({ viewport: options.viewport });
        page = await context.newPage();
        page.on('pageerror', (error) => errors.push(String(error)));
        await page.goto(url);
      } else {
        ({ context, page } = await openPage(browser, url));
        page.on('pageerror', (error) => errors.push(String(error)));
      }
      const visitor: Visitor = {
        context,
        page,
        errors,
        close: async () => {
          if (!open.delete(visitor)) return;
          await context.close();
        },
      };
      open.add(visitor);
      await live(page);
      return visitor;
    },
  };
}

/** Waits until the app's header says the connection is live. */
export async function live(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-status"][data-state="connected"]').waitFor({ timeout: 10_000 });
}
