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

  it('shows each top page’s last hour as a chart with its peak, from the server’s history', async () => {
    const dashboard = await browser.visit(`${server.url}/dashboard`);
    const readers = await Promise.all([1, 2].map(() => browser.visit(`${server.url}/blog/grace-period`)));
    const row = dashboard.page.locator('[data-testid="top-pages"] li[data-page="/blog/grace-period"]');
    await row.and(dashboard.page.locator('[data-viewers="2"]')).waitFor();
    // Two readers at once this minute: the hour's peak is 2, said in words by the chart's label.
    const peak = row.getByTestId('hour-peak');
    await row.locator('[data-testid="hour-peak"][data-value="2"]').waitFor();
    await expect(peak.textContent()).resolves.toContain('peak 2');
    const chart = row.getByTestId('hour-chart');
    await expect(chart.getAttribute('role')).resolves.toBe('img');
    await expect(chart.getAttribute('aria-label')).resolves.toBe('The grace period: peak of 2 readers in the last hour');
    await expect(chart.locator('path').count()).resolves.toBe(2);
    await screenshot(dashboard.page, 'demo-dashboard', 'hour-charts');

    // One reader leaves: the page has 1 now, and its hour keeps the peak of 2.
    await readers[1].close();
    await row.and(dashboard.page.locator('[data-viewers="1"]')).waitFor();
    await expect(peak.getAttribute('data-value')).resolves.toBe('2');
  }, 120_000);
});
