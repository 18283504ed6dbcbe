import { screenshot, useServer } from '@presently/testing';
import { useBrowser } from './support/browser';
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
