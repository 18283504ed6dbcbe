import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useServer } from '@presently/testing';

const INDEX = '<!doctype html><title>app</title><app-root></app-root>';
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('hosting a single-page web app (WEB_ROOT)', () => {
  const root = mkdtempSync(join(tmpdir(), 'presently-web-'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'main-ABCD1234.js'), 'console.log("app")');
  writeFileSync(join(root, 'favicon.ico'), 'icon');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const server = useServer({ WEB_ROOT: root });
  const get = (path: string, accept = BROWSER, method = 'GET') =>
    fetch(`${server.url}${path}`, { method, headers: { accept } });

  it('serves index.html for the root and for any deep link a browser opens', async () => {
    for (const path of ['/', '/chat/lobby', '/blog/a-post?ref=x', '/dashboard/']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX);
    }
  });

  it('serves hashed bundles for a year and other files revalidated', async () => {
    const bundle = await get('/main-ABCD1234.js', '*/*');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await bundle.text()).toBe('console.log("app")');
    const icon = await get('/favicon.ico', '*/*');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('keeps JSON 404s for API clients, the server own paths and other methods', async () => {
    const cases: Array<[string, string, string]> = [
      ['/chat/lobby', '*/*', 'GET'],
      ['/chat/lobby', 'application/json', 'GET'],
      ['/api/nope', BROWSER, 'GET'],
      ['/chat/lobby', BROWSER, 'POST'],
      ['/missing.js', '*/*', 'GET'],
    ];
    for (const [path, accept, method] of cases) {
      const res = await get(path, accept, method);
      expect([path, accept, method, res.status]).toEqual([path, accept, method, 404]);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    }
  });

  it('leaves the Socket.IO path to Socket.IO', async () => {
    const res = await get('/socket.io/?EIO=4&transport=nope', BROWSER);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).not.toMatch(/html/);
  });

  it('still answers its own routes', async () => {
    expect((await get('/healthz', BROWSER)).status).toBe(200);
    expect(await (await get('/api/pages/count?page=/x', BROWSER)).json()).toEqual({ page: '/x', viewers: 0, connections: 0, active: 0 });
  });
});

describe('without a web app (WEB_ROOT without index.html)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'presently-no-web-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));
  const server = useServer({ WEB_ROOT: empty });

  it('answers / with a small HTML page saying what this server is and where the docs are', async () => {
    for (const accept of [BROWSER, '*/*']) {
      const res = await fetch(`${server.url}/`, { headers: { accept } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await res.text();
      expect(page).toMatch(/<title>Presently<\/title>/);
      expect(page).toMatch(/<code>\/presence<\/code>/);
      expect(page).toContain('https://www.npmjs.com/package/@presently/server');
    }
  });

  it('keeps JSON 404s for every other path', async () => {
    const res = await fetch(`${server.url}/chat/lobby`, { headers: { accept: BROWSER } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});
