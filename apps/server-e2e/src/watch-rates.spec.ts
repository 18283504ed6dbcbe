import {
  barrier,
  connect,
  counts,
  equals,
  get,
  key,
  openStream,
  pageCount,
  record,
  request,
  until,
  useServer,
  waitFor,
  type PageCounts,
} from '@presently/testing';
import { enter as enterAt, heardBy, LONG, SHORT, type Stats, watcher as watchAt } from './support/watch-rates';

/**
 * `every` on `page:watch`, `stats:watch` and the SSE stream: a watcher
 * chooses how often it hears a figure. A window of 60 s is never waited
 * out: "nothing during the window" is proven by a later event that must
 * come after it; the last value at the window's end is waited for with a
 * window of 2 s.
 */

const badRequest = { ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } };

describe('delivery rate chosen by the watcher', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50' });

  const watcher = (page: string, every?: number) => watchAt(server.url, page, every);
  const enter = (page: string) => enterAt(server.url, page);

  it('sends a slow watcher the first change at once, then nothing for its window while a default-rate watcher hears each change', async () => {
    const page = key('/every/window');
    const slow = await watcher(page, LONG);
    const fast = await watcher(page);

    const first = waitFor(slow.socket, 'page:count', equals(counts(page, 1, 1)), 10_000);
    await enter(page);
    await first;
    await heardBy(fast.heard, page, 1);
    for (const n of [2, 3, 4]) {
      await enter(page);
      await heardBy(fast.heard, page, n);
    }
    // The default-rate watcher heard each change: the slow one, nothing since the first.
    await barrier(slow.socket);
    expect(fast.heard).toEqual([counts(page, 1, 1), counts(page, 2, 2), counts(page, 3, 3), counts(page, 4, 4)]);
    expect(slow.heard).toEqual([counts(page, 1, 1)]);
  });

  it('always delivers the last value when the window ends, the changes in it merged', async () => {
    const page = key('/every/last');
    const slow = await watcher(page, SHORT);
    const fast = await watcher(page);

    await enter(page);
    await heardBy(slow.heard, page, 1);
    await enter(page);
    await enter(page);
    await heardBy(fast.heard, page, 3);
    await heardBy(slow.heard, page, 3, SHORT + 10_000);
    await barrier(slow.socket);
    // (2, 2) is merged unless the machine took a whole window between two enters.
    expect(slow.heard[0]).toEqual(counts(page, 1, 1));
    expect(slow.heard.at(-1)).toEqual(counts(page, 3, 3));
    expect(slow.heard.length).toBeLessThanOrEqual(3);
  });

  it('treats every below COUNT_INTERVAL_MS (0 included) as the page\'s own rate', async () => {
    const page = key('/every/zero');
    const zero = await watcher(page, 0);
    const fast = await watcher(page);
    for (const n of [1, 2, 3]) {
      await enter(page);
      await heardBy(fast.heard, page, n);
      await heardBy(zero.heard, page, n);
    }
    expect(zero.heard).toEqual(fast.heard);
  });

  it('sends a socket that entered the page at the page\'s own rate whatever rate it watches at, and at its chosen rate once it left', async () => {
    const page = key('/every/entered');
    const { socket: both } = await connect(server.url);
    const heard = record<PageCounts>(both, 'page:count');
    await request(both, 'page:watch', { pages: [page], every: LONG });
    expect(await request(both, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 1, 1) });
    const fast = await watcher(page);

    for (const n of [2, 3, 4]) {
      await enter(page);
      await heardBy(heard, page, n);
    }
    // It never heard a count twice (the page's channel and its rate's class).
    await barrier(both);
    expect(heard.filter((c) => c.viewers > 1)).toEqual([counts(page, 2, 2), counts(page, 3, 3), counts(page, 4, 4)]);

    // Once it left it watches at 60 s again: its own leave (the class's first change), then nothing.
    heard.length = 0;
    expect(await request(both, 'page:leave', { page })).toEqual({ ok: true, page });
    await heardBy(heard, page, 3);
    await heardBy(fast.heard, page, 3);
    for (const n of [4, 5]) {
      await enter(page);
      await heardBy(fast.heard, page, n);
    }
    await barrier(both);
    expect(heard).toEqual([counts(page, 3, 3)]);
  });

  it('replaces the rate when the socket watches again: without every, the page\'s own rate; with one, that rate', async () => {
    const page = key('/every/again');
    const slow = await watcher(page, LONG);
    const fast = await watcher(page);
    await enter(page);
    await heardBy(slow.heard, page, 1);
    await enter(page);
    await heardBy(fast.heard, page, 2);

    // Back to the page's own rate: each change arrives.
    expect(await request(slow.socket, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 2, 2)] });
    for (const n of [3, 4]) {
      await enter(page);
      await heardBy(slow.heard, page, n);
    }

    // Slow again (another rate: the 60 s class's window that began with its first count still runs):
    // the first change at once, then nothing for the window.
    expect(await request(slow.socket, 'page:watch', { pages: [page], every: 30_000 })).toEqual({ ok: true, counts: [counts(page, 4, 4)] });
    slow.heard.length = 0;
    await enter(page);
    await heardBy(fast.heard, page, 5);
    await until(() => slow.heard.length > 0, 'the slow watcher heard a change');
    for (const n of [6, 7]) {
      await enter(page);
      await heardBy(fast.heard, page, n);
    }
    await barrier(slow.socket);
    expect(slow.heard).toHaveLength(1);
    expect(slow.heard[0].viewers).toBeGreaterThanOrEqual(5);
  });

  it('keeps one class per (page, rate): watchers at one rate hear the same counts, at another rate on their own', async () => {
    const page = key('/every/classes');
    const a = await watcher(page, LONG);
    const b = await watcher(page, LONG);
    const c = await watcher(page, 30_000);
    await enter(page);
    for (const w of [a, b, c]) await heardBy(w.heard, page, 1);
    const fast = await watcher(page);
    await enter(page);
    await heardBy(fast.heard, page, 2);
    for (const w of [a, b, c]) await barrier(w.socket);
    for (const w of [a, b, c]) expect(w.heard).toEqual([counts(page, 1, 1)]);
  });

  it('stops sending the page once it is unwatched', async () => {
    const page = key('/every/unwatch');
    const slow = await watcher(page, SHORT);
    const fast = await watcher(page);
    await enter(page);
    await heardBy(slow.heard, page, 1);
    expect(await request(slow.socket, 'page:unwatch', { pages: [page] })).toEqual({ ok: true });
    await enter(page);
    await heardBy(fast.heard, page, 2);
    // A watcher that joins the class hears the next change; the one that left, nothing.
    const later = await watcher(page, SHORT);
    await enter(page);
    await heardBy(later.heard, page, 3);
    await barrier(slow.socket);
    expect(slow.heard).toEqual([counts(page, 1, 1)]);
  });

  it('refuses any other every with BAD_REQUEST and changes nothing', async () => {
    const page = key('/every/bad');
    const { socket } = await connect(server.url);
    const heard = record<PageCounts>(socket, 'page:count');
    for (const every of [1, 100, 249, 3000, 120_000, -250, 5000.5, '5000', null, true, [5000], { ms: 5000 }, Number.NaN]) {
      expect({ every, ack: await request(socket, 'page:watch', { pages: [page], every }) }).toEqual({ every, ack: badRequest });
    }
    for (const every of [0, 250, 500, 3000, '1000', null]) {
      expect({ every, ack: await request(socket, 'stats:watch', { every }) }).toEqual({ every, ack: badRequest });
    }
    const stats = record<Stats>(socket, 'stats');
    const fast = await watcher(page);
    await enter(page);
    await heardBy(fast.heard, page, 1);
    await request(socket, 'page:unwatch', { pages: ['/every/nothing'] });
    expect(heard).toEqual([]);
    expect(stats).toEqual([]);

    for (const every of ['abc', '1', '05000', '-1', '', '5000.0', '1e3', '120000']) {
      const answer = await get(server.url, `/api/pages/live?page=${encodeURIComponent(page)}&every=${encodeURIComponent(every)}`);
      expect({ every, status: answer.status, body: answer.body }).toEqual({ every, status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.any(String) } } });
    }
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
  });

  it('sends stats at the rate the watcher chose', async () => {
    const page = key('/every/stats');
    const { socket: slow } = await connect(server.url);
    const { socket: fast } = await connect(server.url);
    const slowHeard = record<Stats>(slow, 'stats');
    const fastHeard = record<Stats>(fast, 'stats');
    expect(await request(fast, 'stats:watch', { every: 1000 })).toMatchObject({ ok: true });
    expect(await request(slow, 'stats:watch', { every: LONG })).toMatchObject({ ok: true });
    const viewersOf = (stats: Stats) => stats.top.find((t) => t.page === page)?.viewers ?? 0;

    // The first change (this one, or another test's socket going) at once.
    await enter(page);
    await until(() => slowHeard.length > 0, 'the slow stats watcher heard a change', 10_000);
    await until(() => fastHeard.some((s) => viewersOf(s) === 1), 'stats with 1 viewer', 10_000);
    await enter(page);
    await until(() => fastHeard.some((s) => viewersOf(s) === 2), 'stats with 2 viewers', 10_000);
    // Not barrier(): it unwatches the stats.
    await request(slow, 'page:unwatch', { pages: ['/every/nothing'] });
    expect(slowHeard).toHaveLength(1);
    expect(fastHeard.map(viewersOf)).toContain(2);

    // Watching again without every: the stats' own rate.
    await request(slow, 'stats:watch', {});
    await enter(page);
    await until(() => slowHeard.some((s) => viewersOf(s) === 3), 'stats with 3 viewers', 10_000);
  });

  it('sends an SSE reader the counts at its chosen rate, while it counts on the page', async () => {
    const page = key('/every/sse');
    const fast = await watcher(page);
    const stream = await openStream(server.url, { page, query: `every=${LONG}` });
    expect(await stream.next('count')).toEqual(counts(page, 1, 1));
    await heardBy(fast.heard, page, 1);
    // A socket in the same (page, rate) class proves the window with a barrier.
    const peer = await watcher(page, LONG);

    await enter(page);
    expect(await stream.next('count')).toEqual(counts(page, 2, 2));
    await enter(page);
    await heardBy(fast.heard, page, 3);
    await barrier(peer.socket);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 3, 3));
    expect(stream.events.filter((e) => e.event === 'count').map((e) => e.data)).toEqual([counts(page, 1, 1), counts(page, 2, 2)]);

    const short = await openStream(server.url, { page, query: `every=${SHORT}` });
    expect(await short.next('count')).toEqual(counts(page, 4, 4));
    await enter(page);
    expect(await short.next('count')).toEqual(counts(page, 5, 5));
    await enter(page);
    await enter(page);
    await heardBy(fast.heard, page, 7);
    expect(await short.next('count', equals(counts(page, 7, 7)), SHORT + 10_000)).toEqual(counts(page, 7, 7));
  });

  it('sends a hidden watcher at a rate nothing, then the fresh count before its ack, then its class at its rate again', async () => {
    const page = key('/every/hidden');
    const slow = await watcher(page, LONG);
    const fast = await watcher(page);
    expect(await request(slow.socket, 'presence:activity', { state: 'hidden' })).toEqual({ ok: true, state: 'hidden' });

    // Changes while it is hidden: the default-rate watcher hears them, the hidden one nothing (its ack proves it).
    await enter(page);
    await heardBy(fast.heard, page, 1);
    await enter(page);
    await heardBy(fast.heard, page, 2);
    expect(await request(slow.socket, 'presence:activity', { state: 'idle' })).toEqual({ ok: true, state: 'idle' });
    // Back (idle listens too): the fresh count, once, before its ack, whatever its class's window.
    expect(slow.heard).toEqual([counts(page, 2, 2)]);
    expect(await request(slow.socket, 'presence:activity', { state: 'active' })).toEqual({ ok: true, state: 'active' });
    expect(slow.heard).toEqual([counts(page, 2, 2)]);

    // Its class again: the next change at once, then nothing for the window.
    await enter(page);
    await heardBy(slow.heard, page, 3);
    await heardBy(fast.heard, page, 3);
    await enter(page);
    await heardBy(fast.heard, page, 4);
    await barrier(slow.socket);
    expect(slow.heard).toEqual([counts(page, 2, 2), counts(page, 3, 3)]);
  });
});
