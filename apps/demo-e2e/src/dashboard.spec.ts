import { screenshot, useServer } from '@presently/testing';
import { useBrowser } from './support/browser';
import { readValue, waitForAttribute } from './support/wait';

describe('demo: dashboard', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200' });
  const browser = useBrowser();

  it('follows visitors arriving and leaving: connections, visitors and top pages', async () => {
    const dashboard = await browser.visit(`${server.url}/dashboard`);
    // Only the dashboard's own tab is online.
    expect(await readValue(dashboard.page, 'online-visitors')).toBe(1);
    expect(await readValue(dashboard.page, 'online-connections')).toBe(1);

    const readers = await Promise.all([1, 2].map(() => browser.visit(`${server.url}/blog/coalescing`)));
    await waitForAttribute(dashboard.page, 'online-visitors', 'data-value', 3);
    await waitForAttribute(dashboard.page, 'online-connections', 'data-value', 3);
    const topPost = dashboard.page.locator('[data-testid="top-pages"] li[data-page="/blog/coalescing"]');
    await topPost.and(dashboard.page.locator('[data-viewers="2"]')).waitFor();
    await expect(topPost.textContent()).resolves.toContain('Coalescing, or how to stay calm under load');
    await screenshot(dashboard.page, 'demo-dashboard', 'three-online');

    await readers[1].close();
    await waitForAttribute(dashboard.page, 'online-visitors', 'data-value', 2);
    await waitForAttribute(dashboard.page, 'online-connections', 'data-value', 2);
    await topPost.and(dashboard.page.locator('[data-viewers="1"]')).waitFor();

    await readers[0].close();
    await waitForAttribute(dashboard.page, 'online-visitors', 'data-value', 1);
    await topPost.waitFor({ state: 'detached' });
    // The sparkline has a reading for each figure seen (and more as time passes).
    const samples = Number(await dashboard.page.getByTestId('sparkline').getAttribute('data-samples'));
    expect(samples).toBeGreaterThanOrEqual(3);
    await screenshot(dashboard.page, 'demo-dashboard', 'back-to-one');
  });
});
