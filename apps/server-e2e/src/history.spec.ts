import { clientId, connect, get, HOSTILE_STRINGS, key, metrics, request, untilMetric, useServer, type TestSocket } from '@presently/testing';
import { expectWellFormed, type History, MINUTE, minuteOf, type Point } from './support/history';

/**
 * "Occupancy history" (protocol 1.1) through real sockets against the built
 * server, one process: `GET /api/pages/history` answers a point per minute
 * with viewers (the minute's start, peak and time-weighted mean), and
 * `GET /api/pages/history.svg` the same hour as a sparkline. Means depend on
 * the wall clock, so they are checked within bounds that hold however slow
 * the machine is; peaks are exact.
 */

describe('occupancy history (one process)', () => {
  const server = useServer({ COUNT_INTERVAL_MS: '50' });

  const history = async (page: string): Promise<History> => {
    const answer = await get<History>(server.url, `/api/pages/history?page=${encodeURIComponent(page)}`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    return answer.body;
  };
  const sparkline = (page: string) => get(server.url, `/api/pages/history.svg?page=${encodeURIComponent(page)}`);
  const enter = async (page: string, id = clientId()): Promise<TestSocket> => {
    const { socket } = await connect(server.url, { clientId: id });
    expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true });
    return socket;
  };

  it('answers the peak of the minute exactly (viewers, not tabs) and a time-weighted mean within it', async () => {
    const page = key('/history/known');
    const from = Date.now();
    const browser = clientId('two-tabs');
    await enter(page, browser);
    await enter(page, browser);
    const second = await enter(page);
    const third = await enter(page);
    await request(third, 'page:leave', { page });
    second.disconnect();
    // A disconnect is held for the grace period: the page still has 2 viewers.
    const readAt = Date.now();
    const answer = await history(page);
    const to = Date.now();
    expectWellFormed(answer, page, from, to);
    // However the minutes fell, the minute with the third viewer had 3 at its peak, and none had more.
    expect(Math.max(...answer.points.map((p) => p.peak))).toBe(3);
    // The current minute is last, and holds the 2 viewers still there.
    const current = answer.points.at(-1)!;
    expect(current.t).toBeGreaterThanOrEqual(minuteOf(readAt));
    expect(current.peak).toBeGreaterThanOrEqual(2);
    // The mean is over the part of the minute that has passed, viewers or not: the page had at most 3 viewers, and only since `from`
    // (a page with viewers for a few ms of a long minute rounds to 0; the weighting itself is unit-tested on the injected clock).
    if (readAt > current.t) expect(current.mean).toBeLessThanOrEqual((3 * (to - Math.max(from, current.t))) / (readAt - current.t) + 0.005);
    expect(answer.points.length).toBeLessThanOrEqual((minuteOf(to) - minuteOf(from)) / MINUTE + 1);
  });

  it('keeps the minute after the page empties, and has nothing for a page nobody visited', async () => {
    const page = key('/history/emptied');
    const from = Date.now();
    const socket = await enter(page);
    await request(socket, 'page:leave', { page });
    const answer = await history(page);
    expectWellFormed(answer, page, from, Date.now());
    expect(answer.points.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...answer.points.map((p) => p.peak))).toBe(1);
    expect(await history(key('/history/never'))).toEqual({ page: expect.any(String), interval: MINUTE, points: [] });
  });

  it('counts nobody and changes nothing when read', async () => {
    await untilMetric(server.url, 'presently_connections', (n) => n === 0);
    const page = key('/history/read-only');
    for (let i = 0; i < 3; i++) {
      expect((await history(page)).points).toEqual([]);
      expect((await sparkline(page)).status).toBe(200);
    }
    expect(await metrics(server.url)).toMatchObject({ presently_connections: 0, presently_visitors: 0, presently_pages: 0 });
  });

  it('draws the hour as an SVG sparkline: fixed size, a title in words, short cache, nothing active', async () => {
    const page = key('/history/svg');
    const empty = await sparkline(page);
    expect(empty.status).toBe(200);
    expect(empty.contentType).toBe('image/svg+xml; charset=utf-8');
    expect(empty.text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+" role="img" aria-label="[^"]+">/);
    expect(empty.text).toContain(`<title>${page}: no viewers in the last hour, 0 viewers now</title>`);

    await enter(page);
    await enter(page);
    const answer = await fetch(`${server.url}/api/pages/history.svg?page=${encodeURIComponent(page)}`);
    const text = await answer.text();
    expect(text).toContain(`<title>${page}: peak of 2 viewers in the last hour, 2 viewers now</title>`);
    const maxAge = Number(/max-age=(\d+)/.exec(answer.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(10);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    const tags = new Set([...text.matchAll(/<([a-zA-Z]+)/g)].map((m) => m[1]));
    expect([...tags].filter((tag) => !['svg', 'title', 'rect', 'path', 'g', 'text', 'tspan'].includes(tag))).toEqual([]);
    expect(text).not.toMatch(/\son[a-z]+=|href|<script/i);
  });

  it('escapes the page in the image: markup comes out as text', async () => {
    const page = `/history/<script>alert("x")</script>&'co'-${key('e')}`;
    await enter(page);
    const answer = await sparkline(page);
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain('<script');
    expect(answer.text).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;co&#39;');
    expect((await history(page)).page).toBe(page);
  });

  it('refuses a missing or invalid page with 400 BAD_REQUEST on both routes', async () => {
    const badRequest = { error: { code: 'BAD_REQUEST', message: expect.any(String) } };
    const invalid = HOSTILE_STRINGS.filter((s) => s === '' || s.length > 512 || /\p{Cc}/u.test(s));
    expect(invalid.length).toBeGreaterThan(2);
    for (const path of ['/api/pages/history', '/api/pages/history.svg']) {
      for (const query of ['', '?page=', '?page=a&page=b', `?page=${'a'.repeat(513)}`, '?page=%00', ...invalid.map((s) => `?page=${encodeURIComponent(s)}`)]) {
        const answer = await get(server.url, `${path}${query}`);
        expect([path, query, answer.status]).toEqual([path, query, 400]);
        expect(answer.body).toEqual(badRequest);
      }
    }
  });
});

describe('occupancy history of the busiest pages only (HISTORY_PAGES)', () => {
  const server = useServer({ HISTORY_PAGES: '1' });

  const points = async (page: string): Promise<Point[]> => (await get<History>(server.url, `/api/pages/history?page=${encodeURIComponent(page)}`)).body.points;
  const enter = async (page: string) => {
    const { socket } = await connect(server.url);
    expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true });
  };

  it('a page busier than the one keeping history takes its place; a tie does not', async () => {
    const busy = key('/history/busy');
    const rising = key('/history/rising');
    await enter(busy);
    await enter(busy);
    await enter(rising);
    await enter(rising);
    expect((await points(busy)).length).toBeGreaterThan(0);
    expect(await points(rising)).toEqual([]);
    await enter(rising);
    expect(await points(busy)).toEqual([]);
    const kept = await points(rising);
    expect(Math.max(...kept.map((p) => p.peak))).toBe(3);
  });
});
