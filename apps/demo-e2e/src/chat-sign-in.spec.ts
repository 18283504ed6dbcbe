import { screenshot, useServer } from '@presently/testing';
import type { Page } from 'playwright-core';
import { useBrowser } from './support/browser';
import { feedLine, member, pickName, visitorId } from './support/chat';
import { watchConnection } from './support/connection-watch';
import { shown, waitForAttribute } from './support/wait';

/** Waits until the element with `testId` has the keyboard focus. */
const focused = (page: Page, testId: string) => shown(page.locator(`[data-testid="${testId}"]:focus`), `the focus on ${testId}`);

async function signIn(page: Page, name: string): Promise<void> {
  await waitForAttribute(page, 'self-card', 'data-sign-in-offered', 'true');
  await page.getByTestId('sign-in').click();
  // The form takes the keyboard at once, and gives it to "Sign out" once signed in.
  await focused(page, 'sign-in-name');
  await page.getByTestId('sign-in-name').fill(name);
  await page.getByTestId('sign-in-submit').click();
  await shown(page.getByTestId('self-name').filter({ hasText: name }), `"Signed in as ${name}"`);
  await focused(page, 'sign-out');
}

describe('demo: chat, signing in and out without reconnecting', () => {
  // A grace long enough for a reload to take over its held place on a busy machine.
  const server = useServer({ COUNT_INTERVAL_MS: '50', GRACE_MS: '10000', DEMO_TOKENS: '1' });
  const browser = useBrowser();

  it('changes the member in place for the others, on the same connection', async () => {
    const ada = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(ada.page, 'Ada');
    const grace = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(grace.page, 'Grace');
    await shown(member(grace.page, 'Ada'), 'Ada in Grace\'s list');
    const anonymousId = await visitorId(ada.page);
    expect(anonymousId).toMatch(/^a_/);
    const connection = await watchConnection(ada.page);

    await signIn(ada.page, 'Ada Lovelace');
    await shown(feedLine(grace.page, 'Ada signed in as Ada Lovelace'), 'the sign-in in Grace\'s feed');
    await ada.page.getByTestId('visitor-id').filter({ hasNotText: anonymousId }).waitFor();
    const signedInId = await visitorId(ada.page);
    expect(signedInId).not.toMatch(/^a_/);
    await expect(member(grace.page, 'Ada Lovelace').getAttribute('data-user')).resolves.toBe(signedInId);
    // One update: no leave, no join, one line; still two members.
    await expect(feedLine(grace.page, 'signed in as').count()).resolves.toBe(1);
    await expect(feedLine(grace.page, 'left').count()).resolves.toBe(0);
    await expect(feedLine(grace.page, 'joined').count()).resolves.toBe(0);
    await waitForAttribute(grace.page, 'member-count', 'data-value', 2);
    await expect(member(ada.page, 'Ada Lovelace').getAttribute('data-self')).resolves.toBe('');
    await screenshot(ada.page, 'demo-chat', 'signed-in');
    await screenshot(grace.page, 'demo-chat', 'member-signed-in');

    await ada.page.getByTestId('sign-out').click();
    await shown(feedLine(grace.page, 'Ada Lovelace signed out (now Ada)'), 'the sign-out in Grace\'s feed');
    await shown(ada.page.getByTestId('self-name').filter({ hasText: 'Ada' }), '"Here as Ada" again');
    await focused(ada.page, 'sign-in');
    await ada.page.getByTestId('visitor-id').filter({ hasText: anonymousId }).waitFor();
    await expect(member(grace.page, 'Ada').getAttribute('data-user')).resolves.toBe(anonymousId);
    await expect(feedLine(grace.page, 'left').count()).resolves.toBe(0);
    await waitForAttribute(grace.page, 'member-count', 'data-value', 2);

    // The same socket all along: no new connection, and the header never left "Live".
    expect(connection.socketsOpened()).toBe(0);
    await expect(connection.states()).resolves.toEqual(['connected']);
  });

  it('stays signed in across a reload, which the others do not notice', async () => {
    const ada = await browser.visit(`${server.url}/chat/design`);
    await pickName(ada.page, 'Ada');
    await signIn(ada.page, 'Ada Lovelace');
    const grace = await browser.visit(`${server.url}/chat/design`);
    await pickName(grace.page, 'Grace');
    await shown(member(grace.page, 'Ada Lovelace'), 'Ada Lovelace in Grace\'s list');

    await ada.page.reload();
    await shown(ada.page.getByTestId('self-name').filter({ hasText: 'Ada Lovelace' }), '"Signed in as Ada Lovelace" after the reload');
    await shown(member(ada.page, 'Grace'), 'Grace in Ada\'s list after the reload');
    // The reload took over its held place: Grace heard of no leave or join.
    await ada.page.getByTestId('status-busy').check();
    await shown(feedLine(grace.page, 'Ada Lovelace is now busy'), 'Ada\'s status change in Grace\'s feed');
    await expect(feedLine(grace.page, 'left').count()).resolves.toBe(0);
    await expect(feedLine(grace.page, 'joined').count()).resolves.toBe(0);
  });
});

describe('demo: chat, on a server that offers no demo sign-in', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50' });
  const browser = useBrowser();

  it('shows no sign-in control', async () => {
    const ada = await browser.visit(`${server.url}/chat/lobby`);
    await pickName(ada.page, 'Ada');
    await waitForAttribute(ada.page, 'self-card', 'data-sign-in-offered', 'false');
    await expect(ada.page.getByTestId('sign-in').count()).resolves.toBe(0);
    await expect(ada.page.getByTestId('change-name').isVisible()).resolves.toBe(true);
  });
});
