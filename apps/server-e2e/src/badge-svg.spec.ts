import { connect, get, key, metrics, request, untilMetric, useServer } from '@presently/testing';

/** `GET /api/pages/badge.svg`: a page's viewers as a shields.io-style badge, drawn by badge-maker. */
describe('GET /api/pages/badge.svg', () => {
  const server = useServer();

  const svg = (query: string) => get(server.url, `/api/pages/badge.svg?${query}`);
  const badRequest = { error: { code: 'BAD_REQUEST', message: expect.any(String) } };

  it('renders the current viewers with short cache headers and the SVG content type', async () => {
    const page = key('/svg/count');
    const empty = await svg(`page=${encodeURIComponent(page)}`);
    expect(empty.status).toBe(200);
    expect(empty.contentType).toBe('image/svg+xml; charset=utf-8');
    expect(empty.text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* role="img" aria-label="reading now: 0">/);
    expect(empty.text).toContain('<title>reading now: 0</title>');

    const answer = await fetch(`${server.url}/api/pages/badge.svg?page=${encodeURIComponent(page)}`);
    const maxAge = Number(/max-age=(\d+)/.exec(answer.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(10);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');

    for (const id of ['svg-browser-1', 'svg-browser-1', 'svg-browser-2']) {
      const { socket } = await connect(server.url, { clientId: id });
      await request(socket, 'page:enter', { page });
    }
    expect((await svg(`page=${encodeURIComponent(page)}`)).text).toContain('<title>reading now: 2</title>');
  });

  it('counts nobody', async () => {
    await untilMetric(server.url, 'presently_connections', (n) => n === 0);
    const page = key('/svg/nobody');
    for (let i = 0; i < 3; i++) expect((await svg(`page=${encodeURIComponent(page)}`)).text).toContain('reading now: 0');
    expect(await metrics(server.url)).toMatchObject({ presently_connections: 0, presently_visitors: 0, presently_pages: 0 });
  });

  it('escapes the label: markup comes out as text', async () => {
    const label = `<script>alert("x")</script> & 'co'`;
    const answer = await svg(`page=/svg/escape&label=${encodeURIComponent(label)}`);
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain('<script');
    expect(answer.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;co&apos;: 0');
    // Nothing but the SVG's own elements.
    const tags = new Set([...answer.text.matchAll(/<([a-zA-Z]+)/g)].map((m) => m[1]));
    const drawing = ['svg', 'title', 'filter', 'feGaussianBlur', 'linearGradient', 'stop', 'clipPath', 'rect', 'g', 'text'];
    expect([...tags].filter((tag) => !drawing.includes(tag))).toEqual([]);
  });

  it('takes label, color, labelColor and style like shields.io', async () => {
    const custom = await svg('page=/svg/look&label=lecteurs&color=ff69b4&labelColor=blue&style=flat-square');
    expect(custom.text).toContain('<title>lecteurs: 0</title>');
    expect(custom.text).toContain('fill="#ff69b4"');
    expect(custom.text).toContain('fill="#007ec6"');
    expect(custom.text).toContain('shape-rendering="crispEdges"');
    expect((await svg('page=/svg/look&style=for-the-badge')).text).toContain('READING NOW');
    expect((await svg('page=/svg/look&label=')).text).toContain('aria-label="0"');
    for (const style of ['flat', 'plastic', 'social']) expect((await svg(`page=/svg/look&style=${style}`)).status).toBe(200);
    expect((await svg('page=/svg/look&color=%234c1')).text).toContain('fill="#4c1"');
  });

  it('answers bad parameters with 400 BAD_REQUEST as JSON', async () => {
    const invalid = [
      '',
      'page=',
      'page=a&page=b',
      `page=${'x'.repeat(513)}`,
      'page=%01',
      'page=/p&style=round',
      'page=/p&style=flat&style=plastic',
      'page=/p&color=rgb(1,2,3)',
      'page=/p&labelColor=%22%2F%3E%3Cscript%3E',
      `page=/p&label=${'x'.repeat(65)}`,
      'page=/p&label=a%0Ab',
      // A right-to-left override, a left-to-right isolate, a line and a paragraph separator.
      'page=/p&label=%E2%80%AEwon%20gnidaer',
      'page=/p&label=%E2%81%A6x',
      'page=/p&label=a%E2%80%A8b',
      'page=/p&label=a%E2%80%A9b',
    ];
    for (const query of invalid) {
      const answer = await svg(query);
      expect({ query, status: answer.status, type: answer.contentType, body: answer.body }).toEqual({
        query,
        status: 400,
        type: expect.stringMatching(/^application\/json/),
        body: badRequest,
      });
    }
  });

  it('may be read from any origin', async () => {
    const answer = await fetch(`${server.url}/api/pages/badge.svg?page=/svg/cors`, { headers: { origin: 'https://readme.example' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://readme.example');
  });
});
