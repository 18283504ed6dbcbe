import { PROTOCOL_VERSION } from '@presently/protocol';
import { connect, get, key, request, useServer } from '@presently/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every HTTP route of the server without a web app; a new route needs its description (apps/server/src/app/api-docs.ts). */
const ROUTES = [
  'GET /',
  'GET /api/pages/badge.svg',
  'GET /api/pages/count',
  'GET /api/pages/history',
  'GET /api/pages/history.svg',
  'GET /api/pages/live',
  'GET /api/rooms/members',
  'GET /api/rooms/recent',
  'GET /api/stats',
  'GET /badge.js',
  'GET /badge.{version}.js',
  'GET /examples/badge',
  'GET /healthz',
  'GET /metrics',
  'GET /readyz',
  'POST /api/disconnect',
  'POST /api/emit',
  'POST /api/polls',
  'POST /api/polls/close',
];

interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
}

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses?: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

/** The JSON type of `value` as a schema names it. */
const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value);

/** How `value` departs from `schema`: a type other than the documented one, a required field missing, a field not documented. */
function departures(value: unknown, schema: Schema, at = '$'): string[] {
  const type = jsonType(value);
  if (schema.type && type !== schema.type && !(schema.type === 'number' && type === 'integer')) return [`${at} is ${type}, documented ${schema.type}`];
  if (type === 'array' && schema.items) return (value as unknown[]).flatMap((item, i) => departures(item, schema.items!, `${at}[${i}]`));
  if (type !== 'object' || !schema.properties) return [];
  const fields = value as Record<string, unknown>;
  return [
    ...(schema.required ?? []).filter((name) => !(name in fields)).map((name) => `${at}.${name} is missing`),
    ...Object.entries(fields).flatMap(([name, field]) => (schema.properties![name] ? departures(field, schema.properties![name], `${at}.${name}`) : [`${at}.${name} is not documented`])),
  ];
}

describe('the HTTP API documents (OpenAPI at /api/openapi.json, Swagger UI at /api/docs)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'presently-api-docs-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));
  const server = useServer({ WEB_ROOT: empty });

  const openapi = async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    return (await res.json()) as { openapi: string; info: { version: string }; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
  };

  it('describes every route the server serves, each with a summary, a tag and its answers', async () => {
    const document = await openapi();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.version).toBe(PROTOCOL_VERSION);
    const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as const));
    expect(operations.map(([route]) => route).sort()).toEqual(ROUTES);
    for (const [route, operation] of operations) {
      expect([route, typeof operation.summary, operation.tags?.length, Object.keys(operation.responses ?? {}).length > 0]).toEqual([route, 'string', 1, true]);
    }
  });

  it('names how each call authenticates and what it takes', async () => {
    const { paths, components } = await openapi();
    expect(Object.keys(components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    for (const path of ['/api/emit', '/api/disconnect', '/api/polls', '/api/polls/close']) expect(paths[path].post.security).toEqual([{ apiKey: [] }]);
    expect(paths['/api/rooms/members'].get.security).toEqual([{ bearer: [] }]);
    expect(paths['/api/pages/count'].get.parameters).toEqual([expect.objectContaining({ name: 'page', in: 'query', required: true })]);
    expect(paths['/badge.{version}.js'].get.parameters).toEqual([expect.objectContaining({ name: 'version', in: 'path', required: true })]);
  });

  it('documents the answers as the server gives them', async () => {
    const { paths } = await openapi();
    const [page, room] = [key('/docs/page'), key('docs-room')];
    const { socket } = await connect(server.url);
    await request(socket, 'page:enter', { page });
    await request(socket, 'room:join', { room, profile: { name: 'Ann' } });
    const { socket: leaver } = await connect(server.url);
    await request(leaver, 'room:join', { room, profile: { name: 'Bob' } });
    await request(leaver, 'room:leave', { room });
    for (const path of [`/api/pages/count?page=${encodeURIComponent(page)}`, `/api/pages/history?page=${encodeURIComponent(page)}`, '/api/stats', `/api/rooms/members?room=${room}`, `/api/rooms/recent?room=${room}`]) {
      const answer = await get(server.url, path);
      const schema = paths[path.split('?')[0]].get.responses?.[answer.status]?.content?.['application/json']?.schema;
      expect([path, answer.status, schema && departures(answer.body, schema)]).toEqual([path, 200, []]);
    }
  });

  it('serves its docs page, and that page its assets', async () => {
    const page = await fetch(`${server.url}/api/docs`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Presently HTTP API</title>');
    const script = /src="\.\/docs\/(swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(script).toBe('swagger-ui-bundle.js');
    expect((await fetch(`${server.url}/api/docs/${script}`)).status).toBe(200);
  });
});
