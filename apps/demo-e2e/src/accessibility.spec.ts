import AxeBuilder from '@axe-core/playwright';
import { launchBrowser, useServer, WORKSPACE_ROOT } from '@presently/testing';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { useBrowser } from './support/browser';
import { feedLine, member, pickName } from './support/chat';
import { shown, waitForAttribute } from './support/wait';

/** The widths every route is checked at: a desktop and a phone. */
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

/** axe-core's serious and critical violations on `page` (WCAG 2.1 A and AA), one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${node.target.join(' ')}: ${node.failureSummary?.split('\n').join(' ')}`));
}

describe('demo: accessibility (axe-core, no serious or critical violation)', () => {
  const server = useServer({ POLLS: 'demo:red-or-blue' });
  const browser = useBrowser();

  const routes = ['/', '/blog', '/blog/counting-tabs', '/chat/lobby', '/dashboard', '/poll', '/no/such/page'];
  it.each(VIEWPORTS.flatMap(({ name, viewport }) => routes.map((route) => [route, name, viewport] as const)))('%s at %s width', async (route, _name, viewport) => {
    const { page } = await browser.visit(`${server.url}${route}`, { viewport });
    expect(await seriousViolations(page)).toEqual([]);
  });
});

describe('demo: the chat once joined, accessibility (axe-core, no serious or critical violation)', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200', DEMO_TOKENS: '1' });
  const browser = useBrowser();

  it.each(VIEWPORTS.map(({ name, viewport }) => [name, viewport] as const))(
    'at %s width: members, who is typing, who was recently here, the conversation, the sign-in form',
    async (_name, viewport) => {
      const room = `${server.url}/chat/${viewport.width > 600 ? 'lobby' : 'design'}`;
      const ada = await browser.visit(room, { viewport });
      await pickName(ada.page, 'Ada');
      const lin = await browser.visit(room);
      await pickName(lin.page, 'Lin');
      const grace = await browser.visit(room);
      await pickName(grace.page, 'Grace');
      await grace.page.getByTestId('message-input').fill('Hello, Ada');
      await grace.page.getByTestId('message-send').click();
      await grace.page.getByTestId('message-input').pressSequentially('And');
      await lin.close();
      await shown(feedLine(ada.page, 'Grace: Hello, Ada'), 'Grace\'s message in Ada\'s feed');
      await shown(feedLine(ada.page, 'Lin left'), 'Lin\'s leave in Ada\'s feed');
      await shown(ada.page.getByTestId('typing-line').filter({ hasText: 'Grace is typing…' }), '"Grace is typing…" in Ada\'s page');
      await shown(ada.page.locator('[data-testid="recent-list"] li[data-user]').filter({ hasText: 'Lin' }), 'Lin recently here');
      await shown(member(ada.page, 'Grace'), 'Grace in Ada\'s list');
      expect(await seriousViolations(ada.page)).toEqual([]);

      await waitForAttribute(ada.page, 'self-card', 'data-sign-in-offered', 'true');
      await ada.page.getByTestId('sign-in').click();
      await ada.page.getByTestId('sign-in-name').waitFor();
      expect(await seriousViolations(ada.page)).toEqual([]);
    },
    60_000,
  );
});

describe('badge example page: accessibility (axe-core, no serious or critical violation)', () => {
  // The example page as a site would publish it, with the server's /badge.js.
  const server = useServer({ WEB_ROOT: join(WORKSPACE_ROOT, 'libs/badge/example') });
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser.close());

  it.each(VIEWPORTS.map(({ name, viewport }) => [name, viewport] as const))('at %s width', async (_name, viewport) => {
    const context = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/`);
      // Both badges show a count once they are live.
      await page.locator('presently-badge[state="live"]').first().waitFor({ timeout: 10_000 });
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('demo: live figures are announced politely', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200' });
  const browser = useBrowser();

  it('has one polite status region per figure, which ends up saying the figure', async () => {
    const home = await browser.visit(`${server.url}/`);
    const region = home.page.locator('[data-testid="home-online"] presently-announce');
    await expect(region.getAttribute('role')).resolves.toBe('status');
    await expect(region.getAttribute('aria-live')).resolves.toBe('polite');
    // The figure on screen carries no live region of its own: only the throttled one speaks.
    await expect(home.page.locator('[data-testid="home-online"]').getAttribute('aria-live')).resolves.toBeNull();
    await region.filter({ hasText: /^\s*1 visitor online\s*$/ }).waitFor();
    // A second visitor: folded into the region's next announcement, at most 10 s after the last one.
    await browser.visit(`${server.url}/blog`);
    await region.filter({ hasText: /^\s*2 visitors online\s*$/ }).waitFor();
  });

  it('keeps the counts beside the posts of the blog index quiet', async () => {
    const index = await browser.visit(`${server.url}/blog`);
    await index.page.locator('[data-testid^="readers-"]').first().waitFor();
    await expect(index.page.locator('[data-testid^="readers-"] presently-announce').count()).resolves.toBe(0);
    await expect(index.page.locator('[data-testid^="readers-"][aria-live]').count()).resolves.toBe(0);
  });
});
