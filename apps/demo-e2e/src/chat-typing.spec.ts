import { screenshot, useServer } from '@presently/testing';
import type { Page } from 'playwright-core';
import { useBrowser } from './support/browser';
import { feedLine, member, pickName } from './support/chat';
import { shown, waitForAttribute } from './support/wait';

/** Where a page says who is typing: beside the message field, and in the online list's live region. */
const typingLine = (page: Page) => page.getByTestId('typing-line');
const typingRegion = (page: Page) => page.locator('[data-testid="member-list"] [role="status"]');

/** Waits until `page` says exactly `text` of who is typing, in both places. */
async function saysTyping(page: Page, text: string, what: string): Promise<void> {
  const exactly = new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  await shown(typingLine(page).filter({ hasText: exactly }), `${what}, beside the message field`);
  await typingRegion(page).filter({ hasText: exactly }).waitFor({ state: 'attached', timeout: 10_000 });
}

/** Waits until `page` says nobody is typing. */
async function nobodyTyping(page: Page): Promise<void> {
  await waitForAttribute(page, 'typing-line', 'data-typing', 0);
  await expect(typingLine(page).textContent()).resolves.toMatch(/^\s*$/);
  await expect(typingRegion(page).textContent()).resolves.toMatch(/^\s*$/);
}

describe('demo: chat, who is typing', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '200', DEMO_TOKENS: '1' });
  const browser = useBrowser();

  it('shows the others that someone types, and stops when the message is sent', async () => {
    const ada = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(ada.page, 'Ada');
    const grace = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(grace.page, 'Grace');
    await shown(member(grace.page, 'Ada'), 'Ada in Grace\'s list');
    await nobodyTyping(grace.page);

    await ada.page.getByTestId('message-input').pressSequentially('Hello Gr');
    await saysTyping(grace.page, 'Ada is typing…', '"Ada is typing…" in Grace\'s page');
    await waitForAttribute(grace.page, 'typing-line', 'data-typing', 1);
    // The one typing is not told of it.
    await expect(ada.page.getByTestId('typing-line').getAttribute('data-typing')).resolves.toBe('0');
    await screenshot(grace.page, 'demo-chat', 'ada-is-typing');

    // Grace types too: Ada sees her, and never herself; Grace still sees Ada.
    await grace.page.getByTestId('message-input').pressSequentially('Hi');
    await saysTyping(ada.page, 'Grace is typing…', '"Grace is typing…" in Ada\'s page');
    await saysTyping(grace.page, 'Ada is typing…', '"Ada is typing…" still in Grace\'s page');

    await ada.page.getByTestId('message-input').pressSequentially('ace');
    await ada.page.getByTestId('message-send').click();
    await shown(feedLine(grace.page, 'Ada: Hello Grace'), 'the message in Grace\'s feed');
    await nobodyTyping(grace.page);
  });

  it('stops when the field is cleared, and by itself when the typing pauses', async () => {
    const ada = await browser.visit(`${server.url}/chat/design`);
    await pickName(ada.page, 'Ada');
    const grace = await browser.visit(`${server.url}/chat/design`);
    await pickName(grace.page, 'Grace');
    await shown(member(grace.page, 'Ada'), 'Ada in Grace\'s list');

    const field = ada.page.getByTestId('message-input');
    await field.pressSequentially('Never mind');
    await saysTyping(grace.page, 'Ada is typing…', '"Ada is typing…" in Grace\'s page');
    // Clearing the field (fill dispatches its input event) is a stop.
    await field.fill('');
    await nobodyTyping(grace.page);

    // A pause: the client stops by itself 4 s after the last keystroke.
    await field.pressSequentially('Hm');
    await saysTyping(grace.page, 'Ada is typing…', '"Ada is typing…" again');
    await waitForAttribute(grace.page, 'typing-line', 'data-typing', 0, 15_000);
    await nobodyTyping(grace.page);
  }, 45_000);
});
