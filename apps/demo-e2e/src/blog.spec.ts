import { screenshot, useServer } from '@presently/testing';
import { useBrowser } from './support/browser';
import { setTabHidden } from './support/visibility';
import { waitForAttribute } from './support/wait';

describe('demo: blog', () => {
  // A short grace so a closed tab stops counting soon after.
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200' });
  const browser = useBrowser();

  it('shows 3 in the badge of a post three visitors read, and 2 once one of them closes it', async () => {
    const url = `${server.url}/blog/grace-period`;
    const readers = await Promise.all([1, 2, 3].map(() => browser.visit(url)));
    for (const { page } of readers) await waitForAttribute(page, 'post-readers', 'data-viewers', 3);
    await screenshot(readers[0].page, 'demo-blog', 'post-three-readers');

    await readers[2].close();
    for (const { page } of readers.slice(0, 2)) await waitForAttribute(page, 'post-readers', 'data-viewers', 2);
    await screenshot(readers[0].page, 'demo-blog', 'post-two-readers');
  });

  it('says how many of a post\'s readers are active: a reader whose tab is hidden still reads, and is not active', async () => {
    const url = `${server.url}/blog/coalescing`;
    const [ada, lin] = await Promise.all([browser.visit(url), browser.visit(url)]);
    for (const { page } of [ada, lin]) {
      await waitForAttribute(page, 'post-readers', 'data-viewers', 2);
      await waitForAttribute(page, 'post-active', 'data-active', 2);
    }
    await expect(ada.page.getByTestId('post-readers').textContent()).resolves.toMatch(/^\s*2\s+reading now\s*$/);
    await expect(ada.page.getByTestId('post-active').textContent()).resolves.toMatch(/^\s*·\s+2\s+active\s*$/);

    await setTabHidden(lin.page, true);
    await waitForAttribute(ada.page, 'post-active', 'data-active', 1);
    await expect(ada.page.getByTestId('post-readers').getAttribute('data-viewers')).resolves.toBe('2');
    await screenshot(ada.page, 'demo-blog', 'post-one-reader-hidden');

    // A third reader arrives while Lin's tab is hidden (a passive tab is sent no count)...
    const grace = await browser.visit(url);
    await waitForAttribute(ada.page, 'post-readers', 'data-viewers', 3);
    await waitForAttribute(ada.page, 'post-active', 'data-active', 2);
    // ...and Lin's tab, back in front, shows the figures of now at once.
    await setTabHidden(lin.page, false);
    for (const { page } of [ada, lin, grace]) {
      await waitForAttribute(page, 'post-readers', 'data-viewers', 3);
      await waitForAttribute(page, 'post-active', 'data-active', 3);
    }
    // Screen readers hear both figures in one sentence (politely: at most every 10 s, the last value always).
    await ada.page
      .locator('[data-testid="post-readers-now"] presently-announce')
      .filter({ hasText: /^\s*3 reading now, 3 active\s*$/ })
      .waitFor({ state: 'attached', timeout: 20_000 });
  }, 45_000);

  it('shows beside each post how many read it, without counting the reader of the index', async () => {
    const index = await browser.visit(`${server.url}/blog`);
    await waitForAttribute(index.page, 'readers-hello-presence', 'data-viewers', 0);

    const reader = await browser.visit(`${server.url}/blog/hello-presence`);
    await waitForAttribute(index.page, 'readers-hello-presence', 'data-viewers', 1);
    await waitForAttribute(reader.page, 'post-readers', 'data-viewers', 1);
    await waitForAttribute(index.page, 'readers-counting-tabs', 'data-viewers', 0);
    await screenshot(index.page, 'demo-blog', 'index-one-reader');

    // Navigating away inside the app leaves the post at once (no grace).
    await reader.page.getByRole('link', { name: 'All posts' }).click();
    await waitForAttribute(index.page, 'readers-hello-presence', 'data-viewers', 0);
    await waitForAttribute(reader.page, 'readers-hello-presence', 'data-viewers', 0);
  });

  it('says so when a post does not exist', async () => {
    const visitor = await browser.visit(`${server.url}/blog/no-such-post`);
    await visitor.page.getByTestId('post-not-found').waitFor();
    expect(await visitor.page.title()).toBe('Post not found · Presently demo');
  });
});
