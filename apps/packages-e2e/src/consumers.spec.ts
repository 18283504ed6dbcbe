import { launchBrowser, openPage } from '@presently/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { type Consumer, installConsumer } from './support/consumer';
import { type LocalRegistry, startLocalRegistry } from './support/local-registry';
import { jsonLines, type Listening, startListening } from './support/processes';
import { publishPackages } from './support/publish';

/** Installing, building and starting apps on a busy machine: generous, never a measure. */
const SETUP_MS = 20 * 60_000;
const SCRIPT_MS = 120_000;

/** The consumers (apps/packages-e2e/consumers), and whether they have a build step. */
const CONSUMERS: ReadonlyArray<[name: string, builds: boolean]> = [
  ['server', false],
  ['client-node', false],
  ['angular', true],
  ['nest-12', true],
  ['nest-11', true],
];

/** What protocol-check.mjs saw, step by step: one visitor watches another enter, join, leave. */
function expectProtocolAnswered(stdout: string): void {
  const steps = Object.fromEntries(jsonLines<{ step: string }>(stdout).map(({ step, ...details }) => [step, details])) as Record<string, any>;
  expect(Object.keys(steps)).toEqual(['session', 'enter', 'enter-second', 'count', 'join', 'join-second', 'joined', 'leave', 'left', 'page-leave', 'count-after-leave', 'done']);
  const [, grace] = steps.session.users;
  expect(steps.enter.ack).toMatchObject({ ok: true, viewers: 1, connections: 1 });
  expect(steps['enter-second'].ack).toMatchObject({ ok: true, viewers: 2, connections: 2 });
  expect(steps.count.counts).toMatchObject({ viewers: 2, connections: 2 });
  expect(steps.join).toEqual({ ok: true, self: 'Ada', members: ['Ada'] });
  expect(steps['join-second']).toEqual({ ok: true, members: ['Ada', 'Grace'], total: 2 });
  expect(steps.joined).toEqual({ name: 'Grace', status: 'away', userId: grace });
  expect(steps.leave.ack).toMatchObject({ ok: true });
  expect(steps.left).toEqual({ userId: grace, reason: 'leave' });
  expect(steps['page-leave'].ack).toMatchObject({ ok: true });
  expect(steps['count-after-leave'].counts).toMatchObject({ viewers: 1, connections: 1 });
}

describe('the npm packages, installed from a registry by apps outside the repository', () => {
  const started = Date.now();
  /** How long each phase took, reported at the end (information, never asserted). */
  const took: string[] = [];
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    const result = await work();
    took.push(`${phase} ${Math.round((Date.now() - start) / 1000)} s`);
    return result;
  };
  let registry: LocalRegistry | undefined;
  const ready = new Map<string, Promise<Consumer>>();
  /** A consumer once installed (and built): all of them are installed at once, from the start. */
  const consumer = (name: string): Promise<Consumer> => ready.get(name) ?? Promise.reject(new Error(`no consumer ${name}`));

  beforeAll(async () => {
    registry = await timed('registry', startLocalRegistry);
    const published = await timed('publish', () => publishPackages(registry!));
    for (const [name, builds] of CONSUMERS) {
      const installed = timed(`${name} install`, () => installConsumer(name, registry!, published)).then(async (app) => {
        if (builds) await timed(`${name} build`, () => app.run('npm', ['run', 'build']));
        return app;
      });
      installed.catch(() => undefined); // each suite awaits its own consumer and fails with its error
      ready.set(name, installed);
    }
  }, SETUP_MS);

  afterAll(async () => {
    for (const installed of ready.values()) (await installed.catch(() => null))?.remove();
    await registry?.stop();
    console.info(`packages-e2e took ${Math.round((Date.now() - started) / 1000)} s: ${took.join(', ')}`);
  }, SETUP_MS);

  describe('a plain Node project with @presently/server', () => {
    let app: Consumer;
    let server: Listening;
    beforeAll(async () => {
      app = await consumer('server');
      server = await startListening('npx', ['presently', '--port', '0'], { cwd: app.dir, env: app.env });
    }, SETUP_MS);
    afterAll(() => server?.stop());

    it('starts with `npx presently --port 0` and names the port it took in its listening line', () => {
      const listening = jsonLines<{ msg?: string; port?: number }>(server.output.join('\n')).filter((line) => line.msg === 'listening');
      expect(listening).toEqual([expect.objectContaining({ msg: 'listening', port: server.port })]);
      expect(server.port).toBeGreaterThan(0);
    });

    it('answers a plain socket.io-client: enter, count, join and leave', async () => {
      expectProtocolAnswered((await app.run('node', ['protocol-check.mjs', server.url], SCRIPT_MS)).stdout);
    });

    it('serves /badge.js, and at / (no web app) a page saying what it is and where the docs are', async () => {
      const badge = await fetch(`${server.url}/badge.js`);
      expect(badge.status).toBe(200);
      expect(badge.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await badge.text()).toBe(readFileSync(join(app.dir, 'node_modules/@presently/server/dist/badge/badge.js'), 'utf8'));
      const home = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
      expect(home.status).toBe(200);
      expect(home.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await home.text()).toMatch(/<h1>Presently<\/h1>[\s\S]*https:\/\/www\.npmjs\.com\/package\/@presently\/server/);
    });

    it('documents its HTTP API: /api/openapi.json and /api/docs', async () => {
      const document = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/pages/count', '/api/rooms/members', '/api/emit', '/badge.js']));
      const docs = await fetch(`${server.url}/api/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('<title>Presently HTTP API</title>');
    });

    it('explains itself: `presently --help` names its options and every environment variable', async () => {
      const { stdout } = await app.run('npx', ['presently', '--help'], SCRIPT_MS);
      expect(stdout).toMatch(/^Usage: presently \[--port <port>\]/);
      for (const name of ['PORT', 'WEB_ROOT', 'REDIS_URL', 'JWT_SECRET', 'CORS_ORIGINS', 'LOG_LEVEL']) expect(stdout).toContain(name);
    });

    describe('@presently/client in Node scripts against it', () => {
      let scripts: Consumer;
      beforeAll(async () => {
        scripts = await consumer('client-node');
      }, SETUP_MS);

      it('is imported by an ES module and required by a CommonJS script, which see each other on a page and in a room', async () => {
        const tag = Date.now().toString(36);
        const args = [server.url, `/node-scripts/${tag}`, `node-scripts-${tag}`];
        const [esm, cjs] = await Promise.all([scripts.run('node', ['presence.mjs', ...args], SCRIPT_MS), scripts.run('node', ['presence.cjs', ...args], SCRIPT_MS)]);
        const members = ['CommonJS script', 'ESM script'];
        expect(jsonLines(esm.stdout)).toEqual([{ module: 'esm', entered: true, viewers: 2, self: 'ESM script', members }]);
        expect(jsonLines(cjs.stdout)).toEqual([{ module: 'cjs', entered: true, viewers: 2, self: 'CommonJS script', members }]);
      });
    });
  });

  describe('an Angular 21 app (standalone, zoneless) with @presently/angular, served through WEB_ROOT', () => {
    let server: Listening;
    let browser: Browser;
    beforeAll(async () => {
      const [app, angular] = await Promise.all([consumer('server'), consumer('angular')]);
      const env = { ...app.env, WEB_ROOT: join(angular.dir, 'dist/app/browser'), GRACE_MS: '500' };
      server = await startListening('npx', ['presently', '--port', '0'], { cwd: app.dir, env });
      browser = await launchBrowser();
    }, SETUP_MS);
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('shows a live count that rises when a second visitor opens the page and falls when it closes', async () => {
      const first = await openPage(browser, `${server.url}/`);
      expect(await first.page.title()).toBe('Presently in an Angular app');
      const count = (viewers: number) => `presently-live-count[data-viewers="${viewers}"]`;
      await first.page.waitForSelector(count(1), { timeout: 30_000 });
      expect(await first.page.locator('.presently-live-count__number').textContent()).toBe('1');

      const second = await openPage(browser, `${server.url}/`);
      await second.page.waitForSelector(count(2), { timeout: 30_000 });
      await first.page.waitForSelector(count(2), { timeout: 30_000 });
      expect(await first.page.locator('.presently-live-count__number').textContent()).toBe('2');

      await second.context.close();
      await first.page.waitForSelector(count(1), { timeout: 30_000 });
      expect(await first.page.locator('.presently-live-count__number').textContent()).toBe('1');
      await first.context.close();
    });
  });

  describe.each([
    ['nest-12', 12, 'ESM'],
    ['nest-11', 11, 'CommonJS'],
  ] as const)('a minimal Nest app importing PresenceModule.forRoot() (%s)', (name, major, moduleSystem) => {
    let app: Consumer;
    let server: Listening;
    beforeAll(async () => {
      app = await consumer(name);
      server = await startListening('node', ['dist/main.js'], { cwd: app.dir, env: { ...app.env, PORT: '0' } });
    }, SETUP_MS);
    afterAll(() => server?.stop());

    it(`runs on Nest ${major}, compiled to ${moduleSystem}`, () => {
      const { version } = JSON.parse(readFileSync(join(app.dir, 'node_modules/@nestjs/core/package.json'), 'utf8')) as { version: string };
      expect(Number(version.split('.')[0])).toBe(major);
      const main = readFileSync(join(app.dir, 'dist/main.js'), 'utf8');
      expect(/^import .* from ["']@presently\/nest["'];$/m.test(main)).toBe(moduleSystem === 'ESM');
      expect(/require\(["']@presently\/nest["']\)/.test(main)).toBe(moduleSystem === 'CommonJS');
    });

    it('answers the same socket script: enter, count, join and leave', async () => {
      expectProtocolAnswered((await app.run('node', ['protocol-check.mjs', server.url], SCRIPT_MS)).stdout);
    });
  });
});
