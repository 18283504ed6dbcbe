import type { Locator, Page } from 'playwright-core';
import { shown } from './wait';

/** A member's entry in the page's online list, by a name it shows. */
export const member = (page: Page, name: string): Locator => page.locator('[data-testid="member-list"] li[data-user]').filter({ hasText: name });

/** Lines of the page's conversation feed that say `text`. */
export const feedLine = (page: Page, text: string): Locator => page.getByTestId('activity-item').filter({ hasText: text });

/** Picks a name on the chat page (it joins the room) and waits for the page's own entry. */
export async function pickName(page: Page, name: string): Promise<void> {
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('name-submit').click();
  await shown(member(page, name), `${name} in their own member list`);
}

/** The public id the page's footer shows for this tab's user. */
export async function visitorId(page: Page): Promise<string> {
  const locator = page.locator('[data-testid="visitor-id"]');
  await locator.filter({ hasNotText: '…' }).waitFor();
  return (await locator.textContent())?.trim() ?? '';
}
