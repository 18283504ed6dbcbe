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
  const newer: PageCounts = { page: '/a', viewers: 2, connections: 2, active: 2 };

  it('on an enter, and on the restore after a reconnection', async () => {
    const link = linkAnswering(
      (event) => (event === 'page:enter' ? { ok: true, page: '/a', viewers: 1, connections: 1, active: 1 } : { ok: true, counts: [{ page: '/a', viewers: 1, connections: 1, active: 1 }] }),
      () => pages.pushed(newer),
    );
    const pages: Pages = new Pages(link);
    pages.entering('/a');
    await pages.enter('/a');
    pages.settled('/a');
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
    await Promise.all(pages.restore());
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
  });

  it('on a watch', async () => {
    const link = linkAnswering(() => ({ ok: true, counts: [{ page: '/a', viewers: 1, connections: 1, active: 1 }] }), () => pages.pushed(newer));
    const pages: Pages = new Pages(link);
    await pages.watch(['/a']);
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
  });
});

describe('Pages: what the client means to be on, whatever order the acks come back in', () => {
  it('an enter answered after a later leave leaves the page left, and a reconnection does not enter it', async () => {
    const answers: Array<() => void> = [];
    const sent: string[] = [];
    const link: Link = {
      connected: true,
      request<E extends ClientEventName>(event: E, payload: unknown, applied?: (reply: ReplyOf<E>) => void) {
        sent.push(`${event} ${(payload as { page?: string }).page ?? ''}`);
        return new Promise<ReplyOf<E>>((resolve) => {
          const reply = (event === 'page:enter' ? { ok: true, page: '/a', viewers: 1, connections: 1, active: 1 } : { ok: true, counts: [] }) as ReplyOf<E>;
          answers.push(() => {
            applied?.(reply);
            resolve(reply);
          });
        });
      },
    };
    const pages = new Pages(link);
    pages.entering('/a');
    const entering = pages.enter('/a').finally(() => pages.settled('/a'));
    pages.leaving('/a');
    const leaving = pages.leave('/a');
    answers[1]();
    answers[0]();
    await Promise.all([entering, leaving]);
    sent.length = 0;
    await Promise.all(pages.restore());
    expect(sent).toEqual([]);
  });
});

describe('Pages: a push that came while a request was on its way wins over its ack', () => {
  it('keeps the pushed counts when the ack (read earlier, with Redis) comes after them', async () => {
    const older = { page: '/a', viewers: 1, connections: 1, active: 1 };
    const newer: PageCounts = { page: '/a', viewers: 3, connections: 3, active: 3 };
    const pages: Pages = new Pages({
      connected: true,
      request<E extends ClientEventName>(event: E, _payload: unknown, applied?: (reply: ReplyOf<E>) => void) {
        const reply = (event === 'page:enter' ? { ok: true, ...older } : { ok: true, counts: [older] }) as ReplyOf<E>;
        pages.pushed(newer);
        applied?.(reply);
        return Promise.resolve(reply);
      },
    });
    pages.entering('/a');
    await pages.enter('/a');
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
    await pages.watch(['/a']);
    expect(await firstValueFrom(pages.counts$('/a'))).toEqual(newer);
  });
});

describe('Pages: the active count of protocol 1.1', () => {
  it('passes `active` through from acks and pushes; a change of `active` alone is a change', async () => {
    const pages = new Pages({
      connected: true,
      request<E extends ClientEventName>(event: E, _payload: unknown, applied?: (reply: ReplyOf<E>) => void) {
        const counts = { page: '/a', viewers: 2, connections: 3, active: 1 };
        const reply = (event === 'page:enter' ? { ok: true, ...counts } : { ok: true, counts: [counts] }) as ReplyOf<E>;
        applied?.(reply);
        return Promise.resolve(reply);
      },
    });
    const values: PageCounts[] = [];
    pages.counts$('/a').subscribe((counts) => values.push(counts));
    pages.entering('/a');
    await expect(pages.enter('/a')).resolves.toEqual({ page: '/a', viewers: 2, connections: 3, active: 1 });
    pages.pushed({ page: '/a', viewers: 2, connections: 3, active: 2 });
    pages.pushed({ page: '/a', viewers: 2, connections: 3, active: 2 });
    expect(values).toEqual([
      { page: '/a', viewers: 2, connections: 3, active: 1 },
      { page: '/a', viewers: 2, connections: 3, active: 2 },
    ]);
  });
});
