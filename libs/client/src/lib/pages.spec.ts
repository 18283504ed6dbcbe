import type { ClientEventName, PageCounts } from '@presently/protocol';
import { firstValueFrom } from 'rxjs';
import type { ReplyOf } from './connection';
import type { Link } from './link';
import { Pages } from './pages';

/**
 * A link whose every answer is read together with a `page:count` push right
 * behind it: the ack's callback runs, then the push's listener, and only
 * then the promise continuations.
 */
function linkAnswering(reply: (event: ClientEventName) => unknown, pushBehind: () => void): Link {
  return {
    connected: true,
    request<E extends ClientEventName>(event: E, _payload: unknown, applied?: (reply: ReplyOf<E>) => void) {
      const answer = reply(event) as ReplyOf<E>;
      applied?.(answer);
      pushBehind();
      return Promise.resolve(answer);
    },
  };
}

describe('Pages: counts from an ack never overwrite a push that came after it', () => {
  const newer: PageCounts = { page: '/a', viewers: 2, connections: 2 };

  it('on an enter, and on the restore after a reconnection', async () => {
    const link = linkAnswering(
      (event) => (event === 'page:enter' ? { ok: true, page: '/a', viewers: 1, connections: 1 } : { ok: true, counts: [{ page: '/a', viewers: 1, connections: 1 }] }),
      () => pages.update(newer),
    );
    const pages: Pages = new Pages(link);
    await pages.enter('/a');
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
    await Promise.all(pages.restore());
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
  });

  it('on a watch', async () => {
    const link = linkAnswering(() => ({ ok: true, counts: [{ page: '/a', viewers: 1, connections: 1 }] }), () => pages.update(newer));
    const pages: Pages = new Pages(link);
    await pages.watch(['/a']);
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
  });
});
