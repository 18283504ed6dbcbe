import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { get, useServer, WORKSPACE_ROOT } from '@presently/testing';

/** How the server hands out the embeddable badge: /badge.js, its versioned URL, and the example page. */
describe('badge.js', () => {
  const server = useServer();
  const built = readFileSync(join(WORKSPACE_ROOT, 'dist/libs/badge/badge.js'));

  async function fetchScript(path: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  }

  it('serves /badge.js with a short cache, an ETag and a link to its versioned URL', async () => {
    const { response, body } = await fetchScript('/badge.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(body.equals(built)).toBe(true);
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(3600);
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]{10}"$/);
    expect(response.headers.get('link')).toBe(`</badge.${response.headers.get('etag')!.slice(1, -1)}.js>; rel="canonical"`);
  });

  /** A conditional GET as a browser cache sends it (fetch() would add `Cache-Control: no-cache`). */
  function revalidate(path: string, etag: string): Promise<{ status: number; length: number }> {
    return new Promise((resolve, reject) => {
      const req = httpGet(`${server.url}${path}`, { headers: { 'if-none-match': etag } }, (res) => {
        let length = 0;
        res.on('data', (chunk: Buffer) => (length += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, length }));
      });
      req.on('error', reject);
    });
  }

  it('answers 304 to a revalidation with the current ETag', async () => {
    const etag = (await fetchScript('/badge.js')).response.headers.get('etag')!;
    expect(await revalidate('/badge.js', etag)).toEqual({ status: 304, length: 0 });
    expect(await revalidate('/badge.js', '"0000000000"')).toEqual({ status: 200, length: built.length });
  });

  it('serves the versioned URL immutable for a year, and redirects an older version to the current one', async () => {
    const version = (await fetchScript('/badge.js')).response.headers.get('etag')!.slice(1, -1);
    const { response, body } = await fetchScript(`/badge.${version}.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(body.equals(built)).toBe(true);

    const old = await fetchScript('/badge.0123456789.js');
    expect(old.response.status).toBe(302);
    expect(old.response.headers.get('location')).toBe(`/badge.${version}.js`);
    const bogus = await get(server.url, '/badge.nope.js');
    expect({ status: bogus.status, body: bogus.body }).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: expect.any(String) } } });
  });

  it('lets pages of any origin load it with Subresource Integrity (CORS)', async () => {
    const { response } = await fetchScript('/badge.js', { origin: 'https://blog.example' });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://blog.example');
  });

  it('serves a plain HTML example page with the script tag, the custom element and the SVG badge', async () => {
    const page = await get(server.url, '/examples/badge');
    expect(page.status).toBe(200);
    expect(page.contentType).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script src="/badge.js" async></script>');
    expect(page.text).toContain('<presently-badge');
    expect(page.text).toContain('/api/pages/badge.svg?page=/examples/badge');
  });

  it('shows the page’s last hour on the example page as an image with a text alternative', async () => {
    const page = await get(server.url, '/examples/badge');
    const img = /<img id="history"[^>]*>/.exec(page.text)?.[0] ?? '';
    expect(img).toMatch(/ alt="[^"]+"/);
    const src = / src="([^"]+)"/.exec(img)?.[1];
    expect(src).toBe('/api/pages/history.svg?page=/examples/badge');
    const image = await get(server.url, src!);
    expect(image.status).toBe(200);
    expect(image.contentType).toBe('image/svg+xml; charset=utf-8');
    expect(image.text).toContain('<title>/examples/badge: ');
  });
});
