import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { desktopUserAgent, launchBrowser, openPage, pageCount, screenshot, startServer, useServer } from '@presently/testing';

/**
 * The badge as a blogger uses it: a plain HTML page served from another
 * origin, with one script tag pointing at Presently, seen in real Chromium
 * by several readers (each browser context is its own browser, with its own
 * clientId).
 */

const POST = '/post/1';

/** The text of the first badge on the page, read through its (open) shadow root. */
const BADGE_TEXT = (selector: string) =>
  `document.querySelector(${JSON.stringify(selector)})?.shadowRoot?.querySelector('[aria-live]')?.textContent ?? null`;

describe('badge.js in Chromium, embedded in a page of another origin', () => {
  const presently = useServer({ GRACE_MS: '500' });
  let blog: Server;
  let blogUrl: string;
  let browser: Browser;
  let userAgent: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The blog: another origin (another host name and port) serving plain HTML.
    blog = createServer((request, response) => {
      // `?server=` points the badges (not the script) at another Presently; `?every=` sets the script tag's data-every.
      const query = new URL(request.url ?? '/', 'http://blog').searchParams;
      const server = query.get('server');
      const every = query.get('every');
      const attribute = (name: string) => (server ? ` ${name}="${server}"` : '');
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Post 1</title></head>
<body style="font-family: sans-serif; margin: 2rem">
  <h1>Post 1</h1>
  <p>Reading now: <script src="${presently.url}/badge.js" data-page="${POST}"${attribute('data-server')}${every ? ` data-every="${every}"` : ''} async></script></p>
  <p>The same page as an element: <presently-badge page="${POST}" label="{n} here"${attribute('server')}></presently-badge></p>
  <p>A label that would reorder the text around it: <presently-badge id="bidi" page="${POST}" label="&#x202e;{n} here"${attribute('server')}></presently-badge></p>
</body></html>`);
    });
    await new Promise<void>((resolve) => blog.listen(0, '127.0.0.1', resolve));
    blogUrl = `http://localhost:${(blog.address() as AddressInfo).port}${POST}`;
    browser = await launchBrowser();
    userAgent = desktopUserAgent(browser.version());
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => blog?.close(resolve));
  });

  async function reader(options: { userAgent?: string; url?: string } = {}): Promise<Page> {
    const { context, page } = await openPage(browser, options.url ?? blogUrl, { userAgent: options.userAgent ?? userAgent });
    contexts.push(context);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  const badgeSays = (page: Page, text: string, selector = 'presently-badge') =>
    page.waitForFunction(`(${BADGE_TEXT(selector)}) === ${JSON.stringify(text)}`, undefined, { timeout: 15_000 });

  // Each step may wait for the end of the badge's 5 s window (data-every's default): a longer timeout.
  it('shows the live count, rising and falling as readers open and close the post', async () => {
    const first = await reader();
    await badgeSays(first, '1 reading now');
    expect(new URL(presently.url).origin).not.toBe(new URL(first.url()).origin);

    const second = await reader();
    await badgeSays(second, '2 reading now');
    const third = await reader();
    await badgeSays(third, '3 reading now');
    await badgeSays(first, '3 reading now');
    // The element on the same page shares the script tag's stream: still 3.
    await badgeSays(first, '3 here', 'presently-badge[label]');
    // A label with a bidi control is not shown (the server refuses it too): the default label is.
    await badgeSays(first, '3 reading now', '#bidi');
    expect(await pageCount(presently.url, POST)).toEqual({ page: POST, viewers: 3, connections: 3, active: 3 });
    await screenshot(first, 'badge', 'three-readers');

    await third.context().close();
    await badgeSays(first, '2 reading now');
    await second.context().close();
    await badgeSays(first, '1 reading now');
    await screenshot(first, 'badge', 'one-reader');

    // The badge: a shadow root, announced politely, with its state for styling.
    const badge = await first.evaluate(() => {
      const element = document.querySelector('presently-badge')!;
      const text = element.shadowRoot!.querySelector('[aria-live]')!;
      return { state: element.getAttribute('state'), live: text.getAttribute('aria-live'), next: element.previousElementSibling?.tagName };
    });
    expect(badge).toEqual({ state: 'live', live: 'polite', next: 'SCRIPT' });
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('asks for one count per 5 s by default, and at the rate data-every names', async () => {
    /** A reader whose stream requests are noted from the start, and the rates they asked for. */
    const watchedReader = async (url: string) => {
      const context = await browser.newContext({ userAgent });
      contexts.push(context);
      const page = await context.newPage();
      const rates: Array<string | null> = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/pages/live')) rates.push(new URL(request.url()).searchParams.get('every'));
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(url);
      return { page, rates };
    };
    const first = await watchedReader(blogUrl);
    await badgeSays(first.page, '1 reading now');
    // Every badge of the post at the default rate: one stream.
    expect(first.rates).toEqual(['5000']);

    const fast = await watchedReader(`${blogUrl}?every=1000`);
    await badgeSays(fast.page, '2 reading now');
    // The script tag's badge at 1 s, the elements at the default: two streams of one browser.
    expect([...fast.rates].sort()).toEqual(['1000', '5000']);
    await badgeSays(fast.page, '2 here', 'presently-badge[label]');
    expect(await pageCount(presently.url, POST)).toEqual({ page: POST, viewers: 2, connections: 3, active: 2 });
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('does not count a headless browser, which announces itself as HeadlessChrome', async () => {
    const person = await reader();
    await badgeSays(person, '1 reading now');
    const robot = await reader({ userAgent: userAgent.replace('Chrome/', 'HeadlessChrome/') });
    // The robot is served the count, without itself.
    await badgeSays(robot, '1 reading now');
    expect(await pageCount(presently.url, POST)).toEqual({ page: POST, viewers: 1, connections: 1, active: 1 });
  });

  it('shows a neutral state and throws nothing into the page while Presently is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));

    const page = await reader({ url: `${blogUrl}?server=${encodeURIComponent(deadUrl)}` });
    await page.waitForFunction(`document.querySelector('presently-badge')?.getAttribute('state') === 'offline'`, undefined, { timeout: 15_000 });
    await badgeSays(page, '– reading now');
    await badgeSays(page, '– here', 'presently-badge[label]');
    await screenshot(page, 'badge', 'offline');
    expect(pageErrors).toEqual([]);
  });

  it('reconnects with backoff once Presently is back, and counts again', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as AddressInfo).port;
    await new Promise((resolve) => free.close(resolve));

    const page = await reader({ url: `${blogUrl}?server=${encodeURIComponent(`http://127.0.0.1:${port}`)}` });
    await badgeSays(page, '– reading now');
    const later = await startServer({ PORT: String(port) });
    try {
      await badgeSays(page, '1 reading now');
      expect(await pageCount(later.url, POST)).toEqual({ page: POST, viewers: 1, connections: 1, active: 1 });
    } finally {
      await later.stop();
    }
    expect(pageErrors).toEqual([]);
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
});
