import { screenshot, useServer } from '@presently/testing';
import { useBrowser } from './support/browser';
import { member, pickName } from './support/chat';
import { setTabHidden } from './support/visibility';
import { shown } from './support/wait';

describe('demo: chat, activity', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200', DEMO_TOKENS: '1' });
  const browser = useBrowser();

  it('marks a member whose tab is hidden "away" for the others, and catches the hidden tab up when it is shown', async () => {
    const ada = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(ada.page, 'Ada');
    const grace = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(grace.page, 'Grace');
    const adaInGrace = member(grace.page, 'Ada');
    await shown(adaInGrace.and(grace.page.locator('[data-activity="active"]')), 'Ada active in Grace\'s list');

    await setTabHidden(ada.page, true);
    await shown(adaInGrace.and(grace.page.locator('[data-activity="hidden"]')), 'Ada hidden in Grace\'s list');
    await expect(adaInGrace.locator('.presently-online-list__activity').textContent()).resolves.toBe('away');
    await screenshot(grace.page, 'demo-chat', 'member-away');

    // Meanwhile Grace changes status (a passive tab is sent no room event): the tab
    // that comes back is caught up, and Grace sees Ada back.
    await grace.page.getByTestId('status-busy').check();
    await shown(member(grace.page, 'Grace').and(grace.page.locator('[data-status="busy"]')), 'Grace busy in her own list');
    await setTabHidden(ada.page, false);
    await shown(adaInGrace.and(grace.page.locator('[data-activity="active"]')), 'Ada active again in Grace\'s list');
    await expect(adaInGrace.locator('.presently-online-list__activity').count()).resolves.toBe(0);
    await shown(member(ada.page, 'Grace').and(ada.page.locator('[data-status="busy"]')), 'Grace busy in Ada\'s list once shown');
  });
});
