import { screenshot, useServer } from '@presently/testing';
import type { Page } from 'playwright-core';
import { useBrowser } from './support/browser';
import { feedLine, member, pickName } from './support/chat';
import { gone, shown } from './support/wait';

/** An entry of the page's "Recently here" list, by the name it shows. */
const recent = (page: Page, name: string) => page.locator('[data-testid="recent-list"] li[data-user]').filter({ hasText: name });

describe('demo: chat, who was recently here', () => {
  // A short grace: a closed tab leaves soon after.
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200', DEMO_TOKENS: '1' });
  const browser = useBrowser();

  it('lists a member who closed their tab once the grace period ran out, for those there and those who come later', async () => {
    const ada = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(ada.page, 'Ada');
    await shown(ada.page.locator('[data-testid="recent-list"] .presently-recent-list__empty'), '"Nobody left recently." in Ada\'s page');
    const lin = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(lin.page, 'Lin');
    await shown(member(ada.page, 'Lin'), 'Lin in Ada\'s list');

    await lin.close();
    await shown(feedLine(ada.page, 'Lin left (connection closed)'), 'Lin\'s leave in Ada\'s feed');
    await shown(recent(ada.page, 'Lin'), 'Lin recently here in Ada\'s page');
    await expect(recent(ada.page, 'Lin').textContent()).resolves.toMatch(/^\s*Lin, just now, stayed under a minute\s*$/);
    await expect(recent(ada.page, 'Lin').locator('time').first().getAttribute('datetime')).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(recent(ada.page, 'Lin').locator('time').last().getAttribute('datetime')).resolves.toMatch(/^PT\d+S$/);
    await screenshot(ada.page, 'demo-chat', 'recently-here');

    // Someone who comes later is told too (the server remembers).
    const grace = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(grace.page, 'Grace');
    await shown(recent(grace.page, 'Lin'), 'Lin recently here in Grace\'s page');
    await expect(recent(grace.page, 'Ada').count()).resolves.toBe(0);
  });

  it('drops a member from the list when they come back', async () => {
    const ada = await browser.visit(`${server.url}/chat/design`);
    await pickName(ada.page, 'Ada');
    const lin = await browser.visit(`${server.url}/chat/design`);
    await pickName(lin.page, 'Lin');
    await shown(member(ada.page, 'Lin'), 'Lin in Ada\'s list');

    // Lin goes to another room (an explicit leave) and comes back.
    await lin.page.getByTestId('room-random').click();
    await shown(recent(ada.page, 'Lin'), 'Lin recently here in Ada\'s page');
    await lin.page.getByTestId('room-design').click();
    await shown(member(ada.page, 'Lin'), 'Lin back in Ada\'s list');
    await gone(recent(ada.page, 'Lin'), 'Lin in Ada\'s recently here');
  });
});
