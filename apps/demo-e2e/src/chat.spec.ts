import { screenshot, useServer } from '@presently/testing';
import type { Page } from 'playwright-core';
import { useBrowser } from './support/browser';
import { gone, shown, waitForAttribute } from './support/wait';

const member = (page: Page, name: string) => page.locator('[data-testid="member-list"] li[data-user]').filter({ hasText: name });
const activity = (page: Page, text: string) => page.getByTestId('activity-item').filter({ hasText: text });

async function pickName(page: Page, name: string): Promise<void> {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('name-submit').click();
  await shown(member(page, name), `${name} in their own member list`);
}

describe('demo: chat', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200' });
  const browser = useBrowser();

  it('shows two visitors to each other, and a status change in the list and the activity feed', async () => {
    const ada = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(ada.page, 'Ada');
    const grace = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(grace.page, 'Grace');

    for (const { page } of [ada, grace]) {
      await shown(member(page, 'Ada'), 'Ada in the list');
      await shown(member(page, 'Grace'), 'Grace in the list');
      await waitForAttribute(page, 'member-count', 'data-value', 2);
    }
    await shown(activity(ada.page, 'Grace joined'), '"Grace joined" in Ada\'s feed');
    // Each sees its own entry marked, found by the public id the footer shows.
    for (const [{ page }, self, other] of [
      [ada, 'Ada', 'Grace'],
      [grace, 'Grace', 'Ada'],
    ] as const) {
      const visitorId = await page.getByTestId('visitor-id').textContent();
      await expect(member(page, self).getAttribute('data-user')).resolves.toBe(visitorId);
      await expect(member(page, self).getAttribute('data-self')).resolves.toBe('');
      await expect(member(page, other).getAttribute('data-self')).resolves.toBeNull();
    }

    await grace.page.getByTestId('status-busy').check();
    await shown(member(ada.page, 'Grace').and(ada.page.locator('[data-status="busy"]')), 'Grace busy in Ada\'s list');
    await shown(activity(ada.page, 'Grace is now busy'), '"Grace is now busy" in Ada\'s feed');
    // The newest line comes first.
    await expect(ada.page.getByTestId('activity-item').first().textContent()).resolves.toContain('Grace is now busy');
    await screenshot(ada.page, 'demo-chat', 'two-members-status-change');
    await screenshot(grace.page, 'demo-chat', 'busy-member');
  });

  it('tells the room who left, by name, and keeps a renamed member in the feed', async () => {
    const ada = await browser.visit(`${server.url}/chat/design`);
    await pickName(ada.page, 'Ada');
    const lin = await browser.visit(`${server.url}/chat/design`);
    await pickName(lin.page, 'Lin');
    await shown(member(ada.page, 'Lin'), 'Lin in Ada\'s list');

    await lin.page.getByTestId('change-name').click();
    await lin.page.getByTestId('name-input').fill('Lin Chen');
    await lin.page.getByTestId('name-submit').click();
    await shown(activity(ada.page, 'Lin is now called Lin Chen'), 'the rename in Ada\'s feed');
    await shown(member(ada.page, 'Lin Chen'), 'the new name in Ada\'s list');

    await lin.close();
    await shown(activity(ada.page, 'Lin Chen left'), '"Lin Chen left" in Ada\'s feed');
    await gone(member(ada.page, 'Lin Chen'), 'Lin Chen in Ada\'s list');
    await waitForAttribute(ada.page, 'member-count', 'data-value', 1);
    await screenshot(ada.page, 'demo-chat', 'member-left');
  });

  it('keeps the chosen name in the browser across a reload', async () => {
    const visitor = await browser.visit(`${server.url}/chat/random`);
    await pickName(visitor.page, 'Sam');
    await visitor.page.reload();
    await shown(visitor.page.getByTestId('self-name').filter({ hasText: 'Sam' }), 'the name after a reload');
    await shown(member(visitor.page, 'Sam'), 'Sam in the list after a reload');
    await screenshot(visitor.page, 'demo-chat', 'after-reload');
  });
});
