import { screenshot, useServer } from '@presently/testing';
import { useBrowser } from './support/browser';
import { waitForAttribute } from './support/wait';

describe('demo: live poll', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', POLLS: 'demo:red-or-blue' });
  const browser = useBrowser();

  it('counts the clicks of every tab and shows the same tallies and split in each', async () => {
    const [red, blue] = await Promise.all([browser.visit(`${server.url}/poll`), browser.visit(`${server.url}/poll`)]);
    for (const { page } of [red, blue]) {
      await waitForAttribute(page, 'count-red', 'data-value', 0);
      await waitForAttribute(page, 'count-blue', 'data-value', 0);
    }

    await red.page.getByTestId('vote-red').click();
    await red.page.getByTestId('vote-red').click();
    await blue.page.getByTestId('vote-blue').click();

    for (const { page } of [red, blue]) {
      await waitForAttribute(page, 'count-red', 'data-value', 2);
      await waitForAttribute(page, 'count-blue', 'data-value', 1);
      await waitForAttribute(page, 'poll-bar', 'data-red', 67);
      await waitForAttribute(page, 'poll-bar', 'data-blue', 33);
    }
    await expect(red.page.getByTestId('poll-split').textContent()).resolves.toMatch(/Red 67%.*Blue 33%.*3 clicks/s);
    await screenshot(blue.page, 'demo-poll', 'two-tabs-voted');

    // A tab opened later starts from the server's tallies.
    const late = await browser.visit(`${server.url}/poll`);
    await waitForAttribute(late.page, 'count-red', 'data-value', 2);
    await waitForAttribute(late.page, 'count-blue', 'data-value', 1);
  });
});
