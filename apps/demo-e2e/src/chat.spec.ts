import { screenshot, useServer } from '@presently/testing';
import { useBrowser } from './support/browser';
import { feedLine as activity, member, pickName, visitorId } from './support/chat';
import { gone, shown, waitForAttribute } from './support/wait';

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
      const id = await visitorId(page);
      await expect(member(page, self).getAttribute('data-user')).resolves.toBe(id);
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

  it('carries a message to the others in the room, and shows it in the sender\'s own feed', async () => {
    const ada = await browser.visit(`${server.url}/chat/random`);
    await pickName(ada.page, 'Ada');
    const grace = await browser.visit(`${server.url}/chat/random`);
    await pickName(grace.page, 'Grace');
    await shown(member(ada.page, 'Grace'), 'Grace in Ada\'s list');

    await ada.page.getByTestId('message-input').fill('Hello, Grace');
    await ada.page.getByTestId('message-send').click();
    await shown(activity(grace.page, 'Ada: Hello, Grace'), 'the message in Grace\'s feed');
    await shown(activity(ada.page, 'Ada: Hello, Grace'), 'the message in Ada\'s own feed');
    await expect(ada.page.getByTestId('message-input').inputValue()).resolves.toBe('');

    // The same words again are a new message; a status change after it says nothing of it again.
    await ada.page.getByTestId('message-input').fill('Hello, Grace');
    await ada.page.getByTestId('message-send').click();
    await ada.page.getByTestId('status-busy').check();
    await shown(activity(grace.page, 'Ada is now busy'), 'the status change in Grace\'s feed');
    await expect(activity(grace.page, 'Ada: Hello, Grace').count()).resolves.toBe(2);
    // A newcomer is not told what was said before it came.
    const lin = await browser.visit(`${server.url}/chat/random`);
    await pickName(lin.page, 'Lin');
    await shown(member(lin.page, 'Ada'), 'Ada in Lin\'s list');
    await expect(activity(lin.page, 'Hello, Grace').count()).resolves.toBe(0);
    await screenshot(grace.page, 'demo-chat', 'messages');
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
