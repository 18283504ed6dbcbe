import { barrier, clientId, connect, counts, equals, get, key, metrics, openStream, pageCount, record, request, untilMetric, useServer, waitFor } from '@presently/testing';

/**
 * Crawlers and preview bots, known by `User-Agent` (the `isbot` list), are
 * served on every transport but never counted: not in viewers, connections,
 * online or top, and their acks report the counts without them.
 */

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const CRAWLERS: Array<[string, string]> = [
  ['Googlebot', GOOGLEBOT],
  ['Bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
  ['GPTBot', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)'],
  ['Facebook previews', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
  ['Twitterbot', 'Twitterbot/1.0'],
  ['Slack previews', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
  ['Discordbot', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)'],
  ['LinkedInBot', 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)'],
  ['WhatsApp previews', 'WhatsApp/2.23.20.0'],
  ['Headless Chrome', BROWSER.replace('Chrome/', 'HeadlessChrome/')],
  ['curl', 'curl/8.5.0'],
  ['python-requests', 'python-requests/2.31.0'],
];
type Stats = { online: { connections: number; visitors: number }; top: Array<{ page: string; viewers: number }> };

describe('crawlers', () => {
  const server = useServer({ GRACE_MS: '1000' });

  const empty = () => untilMetric(server.url, 'presently_connections', (n) => n === 0, 15_000);

  it.each(CRAWLERS)('serves the stream to %s without counting it', async (_name, userAgent) => {
    const page = key('/crawlers/stream');
    const reader = await openStream(server.url, { page, clientId: clientId('reader'), headers: { 'user-agent': BROWSER } });
    await reader.next('count', equals(counts(page, 1, 1)));
    const bot = await openStream(server.url, { page, clientId: clientId('bot'), headers: { 'user-agent': userAgent } });
    expect(bot.status).toBe(200);
    expect(await bot.next('session')).toEqual({ clientId: expect.any(String) });
    expect(await bot.next('count')).toEqual(counts(page, 1, 1));
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
  });

  it('lets a crawler stream hear the counts change, and holds nothing of it once closed', async () => {
    await empty();
    const page = key('/crawlers/hears');
    const bot = await openStream(server.url, { page, headers: { 'user-agent': GOOGLEBOT } });
    expect(await bot.next('count')).toEqual(counts(page, 0, 0));
    const reader = await openStream(server.url, { page, headers: { 'user-agent': BROWSER } });
    await reader.next('count');
    expect(await bot.next('count')).toEqual(counts(page, 1, 1));
    expect((await get<Stats>(server.url, '/api/stats')).body).toEqual({ online: { connections: 1, visitors: 1 }, top: [{ page, viewers: 1 }] });

    bot.close();
    reader.close();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    await empty();
    expect(await metrics(server.url)).toMatchObject({ presently_connections: 0, presently_held_connections: 0, presently_pages: 0 });
  });

  it('acks a crawler socket with the counts without it, and never moves a count or the stats', async () => {
    await empty();
    const page = key('/crawlers/socket');
    const { socket: watcher } = await connect(server.url);
    expect(await request(watcher, 'stats:watch', {})).toEqual({ ok: true, online: { connections: 1, visitors: 1 }, top: [] });
    await request(watcher, 'page:watch', { pages: [page] });
    const heardCounts = record(watcher, 'page:count');
    const { socket: reader } = await connect(server.url, { headers: { 'user-agent': BROWSER } });
    const one = waitFor(watcher, 'page:count', equals(counts(page, 1, 1)));
    await request(reader, 'page:enter', { page });
    await one;
    const settled = waitFor<Stats>(watcher, 'stats', equals({ online: { connections: 2, visitors: 2 }, top: [{ page, viewers: 1 }] }));
    await settled;

    const { socket: bot, session } = await connect(server.url, { headers: { 'user-agent': GOOGLEBOT } });
    expect(session.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(await request(bot, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(await request(bot, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 1, 1)] });
    expect(await request(bot, 'stats:watch', {})).toEqual({ ok: true, online: { connections: 2, visitors: 2 }, top: [{ page, viewers: 1 }] });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 1));
    expect((await get<Stats>(server.url, '/api/stats')).body).toEqual({ online: { connections: 2, visitors: 2 }, top: [{ page, viewers: 1 }] });

    // The crawler hears real changes...
    const botHears = waitFor(bot, 'page:count', equals(counts(page, 2, 2)));
    const watcherHears = waitFor(watcher, 'page:count', equals(counts(page, 2, 2)));
    const { socket: second } = await connect(server.url);
    await request(second, 'page:enter', { page });
    await Promise.all([botHears, watcherHears]);

    // ...and its own leave and disconnect move nothing.
    expect(await request(bot, 'page:leave', { page })).toEqual({ ok: true, page });
    bot.disconnect();
    const three = waitFor(watcher, 'page:count', equals(counts(page, 3, 3)));
    const { socket: third } = await connect(server.url);
    await request(third, 'page:enter', { page });
    await three;
    await barrier(watcher);
    expect(heardCounts).toEqual([counts(page, 1, 1), counts(page, 2, 2), counts(page, 3, 3)]);
    expect((await metrics(server.url)).presently_held_connections).toBe(0);
  });

  it('answers FORBIDDEN to a crawler joining a room, and lists no crawler as a member', async () => {
    const room = key('crawler-room');
    const { socket: bot } = await connect(server.url, { headers: { 'user-agent': GOOGLEBOT } });
    expect(await request(bot, 'room:join', { room, profile: { name: 'Bot' } })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect((await get(server.url, `/api/rooms/members?room=${encodeURIComponent(room)}`)).body).toEqual({ room, members: [], total: 0 });
  });

  it('counts a browser, and a client that sends no User-Agent or an empty one', async () => {
    await empty();
    const page = key('/crawlers/people');
    for (const headers of [{ 'user-agent': BROWSER }, { 'user-agent': '' }, undefined]) {
      const { socket } = await connect(server.url, { headers });
      await request(socket, 'page:enter', { page });
      const stream = await openStream(server.url, { page, headers });
      await stream.next('count');
    }
    expect(await pageCount(server.url, page)).toEqual(counts(page, 6, 6));
  });
});
