import {
  clientId,
  connect,
  record,
  request,
  waitFor,
  useServer,
  counts,
  equals,
  key,
  pageCount,
  until,
} from '@presently/testing';

type Counts = { page: string; viewers: number; connections: number; active: number };

describe('pages', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50', MAX_PAGES_PER_SOCKET: '3', MAX_WATCHED_PER_SOCKET: '3' });

  it('acks page:enter with the counts and page:leave with the page', async () => {
    const page = key('/pages/ack');
    const { socket } = await connect(server.url);
    expect(await request(socket, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
    expect(await request(socket, 'page:leave', { page })).toEqual({ ok: true, page });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 0, 0));
  });

  it('counts distinct clientIds as viewers and sockets as connections', async () => {
    const page = key('/pages/distinct');
    const browser = clientId('browser');
    const { socket: tab1 } = await connect(server.url, { clientId: browser });
    const { socket: tab2 } = await connect(server.url, { clientId: browser });
    const { socket: other } = await connect(server.url, { clientId: clientId('other') });
    expect(await request(tab1, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(await request(tab2, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 2, active: 1 });
    let next = waitFor(other, 'page:count', equals(counts(page, 2, 3)));
    expect(await request(other, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 2, connections: 3, active: 2 });
    await next;
    // One tab of the browser leaving keeps the browser a viewer.
    next = waitFor(other, 'page:count', equals(counts(page, 2, 2)));
    await request(tab1, 'page:leave', { page });
    await next;
    next = waitFor(other, 'page:count', equals(counts(page, 1, 1)));
    await request(tab2, 'page:leave', { page });
    await next;
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
  });

  it('treats entering twice as entering once', async () => {
    const page = key('/pages/enter-twice');
    const { socket: a } = await connect(server.url);
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    expect(await request(a, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(await request(a, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
    // A single leave is enough to be gone.
    const gone = waitFor(watcher, 'page:count', equals(counts(page, 0, 0)));
    await request(a, 'page:leave', { page });
    await gone;
    expect(await pageCount(server.url, page)).toEqual(counts(page, 0, 0));
  });

  it('treats leaving a page not entered, or leaving twice, as ok without any change', async () => {
    const page = key('/pages/leave-twice');
    const { socket: a } = await connect(server.url);
    const { socket: b } = await connect(server.url);
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    const seen = record<Counts>(watcher, 'page:count');

    expect(await request(a, 'page:leave', { page })).toEqual({ ok: true, page });
    let next = waitFor(watcher, 'page:count', equals(counts(page, 2, 2)));
    await request(a, 'page:enter', { page });
    await request(b, 'page:enter', { page });
    await next;
    next = waitFor(watcher, 'page:count', equals(counts(page, 1, 1)));
    expect(await request(a, 'page:leave', { page })).toEqual({ ok: true, page });
    await next;
    const afterFirstLeave = record<Counts>(watcher, 'page:count');
    expect(await request(a, 'page:leave', { page })).toEqual({ ok: true, page });
    expect(await request(a, 'page:leave', { page })).toEqual({ ok: true, page });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));

    // Barrier: a later real change; nothing else arrived in between.
    const { socket: c } = await connect(server.url);
    next = waitFor(watcher, 'page:count', equals(counts(page, 2, 2)));
    await request(c, 'page:enter', { page });
    await next;
    expect(afterFirstLeave).toEqual([counts(page, 2, 2)]);
    // The first leave, made before entering, announced nothing.
    expect(seen[0]).not.toEqual(counts(page, 0, 0));
  });

  it('sends page:count to every socket on the page, the one whose enter caused it included', async () => {
    const page = key('/pages/fanout');
    const { socket: watcher } = await connect(server.url);
    const { socket: a } = await connect(server.url);
    const { socket: b } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });

    const aFirst = waitFor(a, 'page:count', equals(counts(page, 1, 1)));
    const watcherFirst = waitFor(watcher, 'page:count', equals(counts(page, 1, 1)));
    await request(a, 'page:enter', { page });
    await Promise.all([aFirst, watcherFirst]);

    const all = [a, b, watcher].map((s) => waitFor(s, 'page:count', equals(counts(page, 2, 2))));
    await request(b, 'page:enter', { page });
    await Promise.all(all);
  });

  it('sends no page:count to a socket after its own leave', async () => {
    const page = key('/pages/no-count-after-leave');
    const { socket: watcher } = await connect(server.url);
    const { socket: a } = await connect(server.url);
    const { socket: b } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    const both = waitFor(a, 'page:count', equals(counts(page, 2, 2)));
    await request(a, 'page:enter', { page });
    await request(b, 'page:enter', { page });
    await both;

    const down = [b, watcher].map((s) => waitFor(s, 'page:count', equals(counts(page, 1, 1))));
    expect(await request(a, 'page:leave', { page })).toEqual({ ok: true, page });
    const aAfterLeave = record<Counts>(a, 'page:count');
    // Its own leave changed the counts: the others hear it, it does not.
    await Promise.all(down);
    // A later change, as a barrier.
    const { socket: c } = await connect(server.url);
    const up = [b, watcher].map((s) => waitFor(s, 'page:count', equals(counts(page, 2, 2))));
    await request(c, 'page:enter', { page });
    await Promise.all(up);
    await request(a, 'stats:unwatch', {});
    expect(aAfterLeave).toEqual([]);
  });

  it('lets a socket watch a page without being counted', async () => {
    const page = key('/pages/watch');
    const other = key('/pages/watch-other');
    const { socket: watcher } = await connect(server.url);
    expect(await request(watcher, 'page:watch', { pages: [page, other] })).toEqual({
      ok: true,
      counts: [counts(page, 0, 0), counts(other, 0, 0)],
    });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 0, 0));

    const { socket: a } = await connect(server.url);
    const first = waitFor(watcher, 'page:count');
    expect(await request(a, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(await first).toEqual(counts(page, 1, 1));
    // The watch ack reports the current counts.
    expect(await request(watcher, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 1, 1)] });
  });

  it('counts a socket that watches and enters once, and sends it each count once', async () => {
    const page = key('/pages/watch-and-enter');
    const { socket: s } = await connect(server.url);
    const seen = record<Counts>(s, 'page:count');
    await request(s, 'page:watch', { pages: [page] });
    let next = waitFor(s, 'page:count', equals(counts(page, 1, 1)));
    expect(await request(s, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    await next;

    const { socket: b } = await connect(server.url);
    next = waitFor(s, 'page:count', equals(counts(page, 2, 2)));
    await request(b, 'page:enter', { page });
    await next;
    const { socket: c } = await connect(server.url);
    next = waitFor(s, 'page:count', equals(counts(page, 3, 3)));
    await request(c, 'page:enter', { page });
    await next;
    expect(seen).toEqual([counts(page, 1, 1), counts(page, 2, 2), counts(page, 3, 3)]);

    // Entered first, watched after: the same.
    const page2 = key('/pages/enter-and-watch');
    const seen2 = record<Counts>(c, 'page:count');
    await request(c, 'page:enter', { page: page2 });
    expect(await request(c, 'page:watch', { pages: [page2] })).toEqual({ ok: true, counts: [counts(page2, 1, 1)] });
    next = waitFor(c, 'page:count', equals(counts(page2, 2, 2)));
    await request(b, 'page:enter', { page: page2 });
    await next;
    next = waitFor(c, 'page:count', equals(counts(page2, 3, 3)));
    await request(s, 'page:enter', { page: page2 });
    await next;
    expect(seen2.filter((p) => p.page === page2)).toEqual([counts(page2, 1, 1), counts(page2, 2, 2), counts(page2, 3, 3)]);
  });

  it('keeps sending counts to a socket that unwatches a page it entered, or leaves a page it watches', async () => {
    const page = key('/pages/unwatch-entered');
    const { socket: s } = await connect(server.url);
    const { socket: b } = await connect(server.url);
    await request(s, 'page:watch', { pages: [page] });
    let next = waitFor(s, 'page:count', equals(counts(page, 1, 1)));
    await request(s, 'page:enter', { page });
    await next;
    expect(await request(s, 'page:unwatch', { pages: [page] })).toEqual({ ok: true });
    next = waitFor(s, 'page:count', equals(counts(page, 2, 2)));
    await request(b, 'page:enter', { page });
    await next;

    // Watching again, then leaving: still watching, so still told, but no longer counted.
    await request(s, 'page:watch', { pages: [page] });
    next = waitFor(s, 'page:count', equals(counts(page, 1, 1)));
    await request(s, 'page:leave', { page });
    await next;
  });

  it('stops sending counts after page:unwatch', async () => {
    const page = key('/pages/unwatch');
    const { socket: watcher } = await connect(server.url);
    const { socket: a } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    let next = waitFor(watcher, 'page:count', equals(counts(page, 1, 1)));
    await request(a, 'page:enter', { page });
    await next;

    expect(await request(watcher, 'page:unwatch', { pages: [page] })).toEqual({ ok: true });
    const afterUnwatch = record<Counts>(watcher, 'page:count');
    const { socket: b } = await connect(server.url);
    next = waitFor(a, 'page:count', equals(counts(page, 2, 2)));
    await request(b, 'page:enter', { page });
    await next;
    next = waitFor(a, 'page:count', equals(counts(page, 1, 1)));
    await request(b, 'page:leave', { page });
    await next;
    await request(watcher, 'stats:unwatch', {});
    expect(afterUnwatch).toEqual([]);
    // Unwatching what is not watched is fine too.
    expect(await request(watcher, 'page:unwatch', { pages: [page, key('/pages/never')] })).toEqual({ ok: true });
  });

  it('refuses entering more than MAX_PAGES_PER_SOCKET pages with LIMIT_EXCEEDED and changes nothing', async () => {
    const pages = [key('/pages/limit-a'), key('/pages/limit-b'), key('/pages/limit-c')];
    const extra = key('/pages/limit-d');
    const { socket } = await connect(server.url);
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [extra] });
    const extraCounts = record<Counts>(watcher, 'page:count');
    for (const page of pages) expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true });

    expect(await request(socket, 'page:enter', { page: extra })).toEqual({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED', message: expect.any(String) },
    });
    expect(await pageCount(server.url, extra)).toEqual(counts(extra, 0, 0));
    // Entering a page it is already on is not a new page.
    expect(await request(socket, 'page:enter', { page: pages[0] })).toEqual({ ok: true, page: pages[0], viewers: 1, connections: 1, active: 1 });

    // Once it left one, there is room again.
    await request(socket, 'page:leave', { page: pages[1] });
    const next = waitFor(watcher, 'page:count', equals(counts(extra, 1, 1)));
    expect(await request(socket, 'page:enter', { page: extra })).toEqual({ ok: true, page: extra, viewers: 1, connections: 1, active: 1 });
    await next;
    // The refused enter announced nothing.
    expect(extraCounts).toEqual([counts(extra, 1, 1)]);
  });

  it('refuses watching more than MAX_WATCHED_PER_SOCKET pages with LIMIT_EXCEEDED and changes nothing', async () => {
    const [a, b, c, d] = [key('/pages/wlimit-a'), key('/pages/wlimit-b'), key('/pages/wlimit-c'), key('/pages/wlimit-d')];
    const { socket: watcher } = await connect(server.url);
    const { socket: visitor } = await connect(server.url);
    const seen = record<Counts>(watcher, 'page:count');
    expect(await request(watcher, 'page:watch', { pages: [a, b] })).toMatchObject({ ok: true });
    // 2 + 2 > 3: refused as a whole, so c is not watched either.
    expect(await request(watcher, 'page:watch', { pages: [c, d] })).toEqual({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED', message: expect.any(String) },
    });
    const next = waitFor(watcher, 'page:count', equals(counts(a, 1, 1)));
    await request(visitor, 'page:enter', { page: c });
    await request(visitor, 'page:enter', { page: a });
    await next;
    expect(seen.filter((s) => s.page === c)).toEqual([]);
    expect(await pageCount(server.url, c)).toEqual(counts(c, 1, 1));

    // Re-watching watched pages adds nothing; one more fits exactly.
    expect(await request(watcher, 'page:watch', { pages: [a, b, c] })).toEqual({
      ok: true,
      counts: [counts(a, 1, 1), counts(b, 0, 0), counts(c, 1, 1)],
    });
    expect(await request(watcher, 'page:watch', { pages: [d] })).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
    await request(watcher, 'page:unwatch', { pages: [b] });
    expect(await request(watcher, 'page:watch', { pages: [d] })).toEqual({ ok: true, counts: [counts(d, 0, 0)] });
  });
});

describe('pages: coalescing', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '300' });

  it('merges a burst of changes and always delivers the final count', async () => {
    const page = key('/pages/burst');
    const { socket: watcher } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    const seen = record<Counts>(watcher, 'page:count');

    const sockets = await Promise.all(Array.from({ length: 40 }, () => connect(server.url).then((c) => c.socket)));
    // 40 enters, then 15 leaves: 55 changes, ending at 25. One after the other,
    // so that each change is a separate step on the server.
    for (const s of sockets) await request(s, 'page:enter', { page });
    for (const s of sockets.slice(0, 15)) await request(s, 'page:leave', { page });
    const changes = 55;

    await until(() => seen.length > 0 && equals(counts(page, 25, 25))(seen[seen.length - 1]), 'the final count arrived', 5000);
    // The final value is the last one sent: once it arrived, a later change is the next thing seen.
    const last = sockets[39];
    const next = waitFor(watcher, 'page:count', equals(counts(page, 24, 24)));
    await request(last, 'page:leave', { page });
    await next;
    expect(seen[seen.length - 2]).toEqual(counts(page, 25, 25));
    expect(seen.length - 1).toBeLessThanOrEqual(changes / 5);
    // Every value sent was a real state, in order.
    for (const s of seen) expect(s.viewers).toBe(s.connections);
    // The sockets still on the page got the final value too.
    expect(await pageCount(server.url, page)).toEqual(counts(page, 24, 24));
  });

  it('sends the exact value to a socket that subscribed mid-interval, even when it returns to the last value sent', async () => {
    const page = key('/pages/mid-interval');
    const { socket: watcher } = await connect(server.url);
    const { socket: a } = await connect(server.url);
    const { socket: b } = await connect(server.url);
    const { socket: c } = await connect(server.url);
    await request(watcher, 'page:watch', { pages: [page] });
    const first = waitFor(watcher, 'page:count', equals(counts(page, 1, 1)));
    await request(a, 'page:enter', { page });
    await first;
    // Most likely still within the interval that followed {1,1}: b and c
    // are acked {2,2}, then the counts return to {1,1}. Whatever the timing,
    // b and c must end up with {1,1}.
    expect(await request(b, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 2, connections: 2, active: 2 });
    expect(await request(c, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 2, 2)] });
    const settled = [b, c].map((s) => waitFor(s, 'page:count', equals(counts(page, 1, 1))));
    await request(a, 'page:leave', { page });
    await Promise.all(settled);
  });
});
