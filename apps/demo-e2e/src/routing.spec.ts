import { ANONYMOUS_ID, screenshot, useServer } from '@presently/testing';
import { useBrowser } from './support/browser';
import { shown } from './support/wait';

describe('demo: routing and layout', () => {
  const server = useServer({ POLLS: 'demo:red-or-blue' });
  const browser = useBrowser();

  it.each([
    ['/', '/', 'home-page', 'Presently demo'],
    ['/blog', '/blog', 'blog-index-page', 'Blog · Presently demo'],
    ['/blog/counting-tabs', '/blog/counting-tabs', 'blog-post-page', 'Counting tabs, not clicks · Presently demo'],
    ['/chat', '/chat/lobby', 'chat-page', 'Chat · Presently demo'],
    ['/dashboard', '/dashboard', 'dashboard-page', 'Dashboard · Presently demo'],
    ['/poll', '/poll', 'poll-page', 'Live poll · Presently demo'],
    ['/no/such/page', '/no/such/page', 'not-found-page', 'Not found · Presently demo'],
  ])('renders %s when loaded directly, with the header and a live connection', async (path, landing, testId, title) => {
    // visit() itself waits for the header's connection indicator to say "Live".
    const { page } = await browser.visit(`${server.url}${path}`);
    await shown(page.getByTestId(testId), testId);
    expect(new URL(page.url()).pathname).toBe(landing);
    expect(await page.title()).toBe(title);
    await shown(page.getByRole('navigation', { name: 'Demo pages' }), 'the navigation');
    await expect(page.getByTestId('connection-status').textContent()).resolves.toContain('Live');
    await screenshot(page, 'demo-routing', `direct-${testId}`);
  });

  it('moves between pages through the navigation without reloading, marking the current one', async () => {
    const { page } = await browser.visit(`${server.url}/`);
    const visitorId = await page.getByTestId('visitor-id').textContent();
    // The public id (what member lists show), not the clientId kept in the tab's storage.
    expect(visitorId).toMatch(ANONYMOUS_ID);
    const stored = await page.evaluate(() => sessionStorage.getItem('presently.clientId'));
    expect(stored).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(visitorId).not.toBe(stored);
    for (const [link, testId] of [
      ['nav-blog', 'blog-index-page'],
      ['nav-chat', 'chat-page'],
      ['nav-dashboard', 'dashboard-page'],
      ['nav-poll', 'poll-page'],
      ['nav-home', 'home-page'],
    ]) {
      await page.getByTestId(link).click();
      await shown(page.getByTestId(testId), testId);
      await expect(page.getByTestId(link).getAttribute('aria-current')).resolves.toBe('page');
    }
    // Same document, same socket, same visitor all along.
    await expect(page.getByTestId('visitor-id').textContent()).resolves.toBe(visitorId);
  });

  it('answers an unknown /api path with a JSON 404, even to a browser', async () => {
    const { page } = await browser.visit(`${server.url}/`);
    const response = await page.goto(`${server.url}/api/no-such-thing`);
    expect(response?.status()).toBe(404);
    expect(response?.headers()['content-type']).toMatch(/^application\/json/);
    expect(await response?.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    await screenshot(page, 'demo-routing', 'api-404');
  });

  it('fits a phone screen on every page', async () => {
    const { page } = await browser.visit(`${server.url}/`, { viewport: { width: 375, height: 740 } });
    for (const path of ['/', '/blog', '/blog/grace-period', '/chat/lobby', '/dashboard', '/poll']) {
      await page.goto(`${server.url}${path}`);
      await shown(page.locator('[data-testid="connection-status"][data-state="connected"]'), `${path} live`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
      await screenshot(page, 'demo-routing', path === '/' ? 'phone-home' : `phone${path.replace(/\//g, '-')}`);
    }
  });
});
