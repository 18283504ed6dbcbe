import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BADGE_STYLES, PAGE_EVERY_VALUES, PROTOCOL_VERSION } from '@presently/protocol';

/** Where the HTTP API's OpenAPI document is served, and its docs page (Swagger UI). */
export const OPENAPI_PATH = '/api/openapi.json';
export const API_DOCS_PATH = '/api/docs';

type Schema = Record<string, unknown>;

/** How one operation is described; the routes themselves come from the app's controllers. */
interface OperationDoc {
  tag: 'presence' | 'operator' | 'badge' | 'server';
  summary: string;
  description?: string;
  /** `x-api-key` (operator calls) or a session token (`Authorization: Bearer`). */
  auth?: 'apiKey' | 'bearer';
  query?: Record<string, { description: string; required?: boolean; schema?: Schema }>;
  body?: Schema;
  responses: Record<string, { description: string; type?: string; schema?: Schema }>;
}

const ERROR: Schema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED', 'LIMIT_EXCEEDED', 'INTERNAL'] }, message: { type: 'string' } },
    },
  },
};
const KEY: Schema = { type: 'string', minLength: 1, maxLength: 512 };
const PAGE_COUNTS: Schema = {
  type: 'object',
  required: ['page', 'viewers', 'connections', 'active'],
  properties: {
    page: KEY,
    viewers: { type: 'integer', minimum: 0 },
    connections: { type: 'integer', minimum: 0 },
    active: { type: 'integer', minimum: 0, description: 'distinct clientIds with an active socket on the page' },
  },
};
const MEMBER: Schema = {
  type: 'object',
  required: ['userId', 'name', 'status', 'meta', 'connections', 'since', 'activity'],
  properties: {
    userId: { type: 'string' },
    name: { type: 'string', maxLength: 64 },
    status: { type: 'string', maxLength: 32 },
    meta: { type: 'object' },
    connections: { type: 'integer', minimum: 1 },
    since: { type: 'integer', description: 'epoch milliseconds of the first join' },
    activity: { type: 'string', enum: ['active', 'idle', 'hidden'], description: "the most active state among the member's sockets" },
  },
};
const OK: Schema = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean', enum: [true] } } };
const POLL_BODY: Schema = { type: 'object', required: ['poll'], additionalProperties: false, properties: { poll: KEY } };
const TALLIES: Schema = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } };
const TEXT = (type: string, description: string) => ({ description, type });
const BAD_REQUEST = { description: 'a malformed query or body', schema: ERROR };
const PAGE_QUERY = { page: { description: 'the page key, typically a URL path', required: true, schema: KEY } };
const ROOM_QUERY = { room: { description: 'the room key', required: true, schema: KEY } };
/** A room's reads: `private:*` and `role:*` rooms need a session token that may join them. */
const ROOM_ACCESS = {
  401: { description: 'a room that needs a token, without a valid one', schema: ERROR },
  403: { description: 'the token may not join this room', schema: ERROR },
};
const POLL_DECLARED: Schema = { type: 'object', properties: { ok: { type: 'boolean' }, poll: KEY, created: { type: 'boolean' } } };
const STATUS: Schema = { type: 'object', properties: { status: { type: 'string' } } };
const NO_KEY = { description: 'no `x-api-key`, or the wrong one (checked before the body is read)', schema: ERROR };

/** Every HTTP route of the server, by `method path` as OpenAPI writes it. */
const OPERATIONS: Record<string, OperationDoc> = {
  'get /api/pages/count': {
    tag: 'presence',
    summary: "A page's counts",
    description: 'Viewers (distinct browsers) and connections (sockets) on the page right now: for a first paint, server-side rendering, readers without JavaScript.',
    query: PAGE_QUERY,
    responses: { 200: { description: 'the counts', schema: PAGE_COUNTS }, 400: BAD_REQUEST },
  },
  'get /api/pages/history': {
    tag: 'presence',
    summary: "A page's last hour",
    description:
      "A point per minute with viewers over the last 60 minutes, oldest first, the current minute last: `t` the minute's start (epoch ms, the server's clock; Redis's `TIME` with Redis), `peak` the most viewers in it, `mean` the time-weighted mean over the part of it that has passed (two decimals). Kept for the `HISTORY_PAGES` busiest pages; reading counts nobody.",
    query: PAGE_QUERY,
    responses: {
      200: {
        description: 'the history',
        schema: {
          type: 'object',
          required: ['page', 'interval', 'points'],
          properties: {
            page: KEY,
            interval: { type: 'integer', enum: [60000], description: 'milliseconds' },
            points: {
              type: 'array',
              maxItems: 60,
              items: {
                type: 'object',
                required: ['t', 'peak', 'mean'],
                properties: { t: { type: 'integer', description: 'epoch milliseconds' }, peak: { type: 'integer', minimum: 1 }, mean: { type: 'number', minimum: 0 } },
              },
            },
          },
        },
      },
      400: BAD_REQUEST,
    },
  },
  'get /api/rooms/members': {
    tag: 'presence',
    summary: "A room's members",
    description: 'At most `ROSTER_MAX` members, earliest first, and the total. `private:*` and `role:*` rooms need a session token that may join them.',
    auth: 'bearer',
    query: ROOM_QUERY,
    responses: {
      200: { description: 'the members', schema: { type: 'object', required: ['room', 'members', 'total'], properties: { room: KEY, members: { type: 'array', items: MEMBER }, total: { type: 'integer', minimum: 0 } } } },
      400: BAD_REQUEST,
      ...ROOM_ACCESS,
    },
  },
  'get /api/rooms/recent': {
    tag: 'presence',
    summary: 'Who just left a room',
    description: 'The members who left in the last `RECENT_MS` and are not back, most recent first, at most 100 (`leftAt`: when its `room:left` went out; `duration`: how long it had been there). The access rules of `GET /api/rooms/members`.',
    auth: 'bearer',
    query: ROOM_QUERY,
    responses: {
      200: {
        description: 'the recent leavers',
        schema: {
          type: 'object',
          required: ['room', 'recent'],
          properties: {
            room: KEY,
            recent: {
              type: 'array',
              items: {
                type: 'object',
                required: ['userId', 'name', 'leftAt', 'duration'],
                properties: { userId: { type: 'string' }, name: { type: 'string' }, leftAt: { type: 'integer', description: 'epoch milliseconds' }, duration: { type: 'integer', minimum: 0, description: 'milliseconds' } },
              },
            },
          },
        },
      },
      400: BAD_REQUEST,
      ...ROOM_ACCESS,
    },
  },
  'post /api/demo/token': {
    tag: 'server',
    summary: 'A demo session token (only with `DEMO_TOKENS=1`)',
    description: 'A session token for a new user (`sub` `u_…`, the given name, no roles), valid 15 minutes. The route exists only when the server runs with `DEMO_TOKENS=1` (`npm start` in the repository), never in production.',
    body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } },
    responses: {
      200: { description: 'the token', schema: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } },
      400: BAD_REQUEST,
      429: { description: 'past one token a second (ten at once) per client address', schema: ERROR },
    },
  },
  'get /api/stats': {
    tag: 'presence',
    summary: 'Who is online, and the busiest pages',
    responses: {
      200: {
        description: 'the stats',
        schema: {
          type: 'object',
          required: ['online', 'top'],
          properties: {
            online: {
              type: 'object',
              required: ['connections', 'visitors'],
              properties: { connections: { type: 'integer', minimum: 0, description: 'sockets' }, visitors: { type: 'integer', minimum: 0, description: 'distinct clientIds' } },
            },
            top: { type: 'array', items: { type: 'object', required: ['page', 'viewers'], properties: { page: KEY, viewers: { type: 'integer', minimum: 0 } } } },
          },
        },
      },
    },
  },
  'get /api/pages/live': {
    tag: 'presence',
    summary: "A page's live count (Server-Sent Events)",
    description: 'The stream the badge follows: `count` events with the page counts (`{ page, viewers, connections, active }`, at most one per `every` ms when given), the reader counted on the page while the stream is open (crawlers are served, never counted).',
    query: {
      ...PAGE_QUERY,
      clientId: { description: 'the browser id to count the reader as (8–64 of `[A-Za-z0-9_-]`)', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' } },
      every: {
        description: 'at most one `count` per this many ms (v1.1); up to `COUNT_INTERVAL_MS` (0 included), and without it, as often as the page changes, coalesced; another value is 400',
        schema: { type: 'integer', enum: [...PAGE_EVERY_VALUES] },
      },
    },
    responses: {
      200: TEXT('text/event-stream', 'the live stream'),
      400: BAD_REQUEST,
      403: { description: 'a browser page of an origin `CORS_ORIGINS` does not allow', schema: ERROR },
      429: { description: 'too many connections from this address (`MAX_CONNECTIONS_PER_IP`)', schema: ERROR },
      503: { description: 'the server holds as much presence as it may (`MAX_STATE_BYTES`)', schema: ERROR },
    },
  },
  'get /api/pages/badge.svg': {
    tag: 'badge',
    summary: "A page's count as an SVG badge",
    description: 'For places where no script runs (a README, a feed); shields.io-style options; cached 10 s.',
    query: {
      ...PAGE_QUERY,
      label: { description: 'the words beside the number', schema: { type: 'string' } },
      color: { description: "the number's background", schema: { type: 'string' } },
      labelColor: { description: "the label's background", schema: { type: 'string' } },
      style: { description: 'the badge style', schema: { type: 'string', enum: [...BADGE_STYLES] } },
    },
    responses: { 200: TEXT('image/svg+xml', 'the badge'), 400: BAD_REQUEST },
  },
  'get /api/pages/history.svg': {
    tag: 'badge',
    summary: "A page's last hour as an SVG sparkline",
    description: "230 × 40: each minute's mean viewers as a line over its peak, the viewers now and the hour's peak beside it, said in words by its title; cached 10 s.",
    query: PAGE_QUERY,
    responses: { 200: TEXT('image/svg+xml', 'the sparkline'), 400: BAD_REQUEST },
  },
  'post /api/emit': {
    tag: 'operator',
    summary: 'Send an event to sockets',
    description: 'To every socket, some users, a role or a room, on every process.',
    auth: 'apiKey',
    body: {
      type: 'object',
      required: ['event', 'to'],
      properties: {
        event: { type: 'string', description: 'not one of the protocol\u2019s own event names' },
        data: {},
        to: {
          oneOf: [
            { type: 'object', required: ['all'], properties: { all: { type: 'boolean', enum: [true] } } },
            { type: 'object', required: ['users'], properties: { users: { type: 'array', items: { type: 'string' } } } },
            { type: 'object', required: ['role'], properties: { role: { type: 'string' } } },
            { type: 'object', required: ['room'], properties: { room: KEY } },
          ],
        },
      },
    },
    responses: { 202: { description: 'sent', schema: OK }, 400: BAD_REQUEST, 401: NO_KEY },
  },
  'post /api/disconnect': {
    tag: 'operator',
    summary: 'Disconnect a user, or take it out of a room',
    description: 'With `room`: the user leaves that room only (its sockets get `room:removed`); without: every socket of the user, on every process, is disconnected at once, nothing held.',
    auth: 'apiKey',
    body: { type: 'object', required: ['userId'], additionalProperties: false, properties: { userId: { type: 'string' }, room: KEY } },
    responses: {
      200: { description: 'done: `disconnected` sockets, or `removed` from the room', schema: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, disconnected: { type: 'integer' }, removed: { type: 'integer' } } } },
      400: BAD_REQUEST,
      401: NO_KEY,
    },
  },
  'post /api/polls': {
    tag: 'operator',
    summary: 'Declare a poll',
    description: 'Clients watch and vote in declared polls only.',
    auth: 'apiKey',
    body: POLL_BODY,
    responses: {
      200: { description: 'it already was declared (`created: false`)', schema: POLL_DECLARED },
      201: { description: 'declared (`created: true`)', schema: POLL_DECLARED },
      400: BAD_REQUEST,
      401: NO_KEY,
      409: { description: 'past the number of polls a server holds (`LIMIT_EXCEEDED`)', schema: ERROR },
    },
  },
  'post /api/polls/close': {
    tag: 'operator',
    summary: 'Close a poll',
    description: 'Answers the final tallies; its watchers get a last `poll:tally` with `closed: true`.',
    auth: 'apiKey',
    body: POLL_BODY,
    responses: {
      200: { description: 'closed', schema: { type: 'object', properties: { ok: { type: 'boolean' }, poll: KEY, tallies: TALLIES } } },
      400: BAD_REQUEST,
      401: NO_KEY,
      404: { description: 'the poll is not declared', schema: ERROR },
    },
  },
  'get /badge.js': {
    tag: 'badge',
    summary: 'The embeddable badge script',
    description: 'Cached briefly and revalidated by ETag; its `Link` header names the versioned URL.',
    responses: { 200: TEXT('text/javascript', 'badge.js'), 304: { description: 'not modified' } },
  },
  'get /badge.{version}.js': {
    tag: 'badge',
    summary: 'A version of the badge script',
    description: 'The current version, cached for a year; an older one redirects to the current one.',
    responses: { 200: TEXT('text/javascript', 'badge.js'), 302: { description: 'an older version: to the current one' }, 404: { description: 'not a version', schema: ERROR } },
  },
  'get /examples/badge': {
    tag: 'badge',
    summary: 'A page showing the badge in its three forms',
    responses: { 200: TEXT('text/html', 'the example page') },
  },
  'get /': {
    tag: 'server',
    summary: 'What this server is (without a web app)',
    description: 'With `WEB_ROOT`, `/` is the web app instead.',
    responses: { 200: TEXT('text/html', 'a short page: what Presently is and where its docs are') },
  },
  'get /healthz': { tag: 'server', summary: 'Liveness', responses: { 200: { description: 'the process runs', schema: STATUS } } },
  'get /readyz': {
    tag: 'server',
    summary: 'Readiness',
    responses: {
      200: { description: 'it takes traffic', schema: STATUS },
      503: { description: 'shutting down, or Redis unreachable with `REDIS_URL`', schema: STATUS },
    },
  },
  'get /metrics': { tag: 'server', summary: 'Prometheus metrics', responses: { 200: TEXT('text/plain', "Presently's and the process's metrics") } },
};

/**
 * The HTTP API as OpenAPI 3: the routes the app's controllers serve (read by
 * `@nestjs/swagger`), each described from {@link OPERATIONS}. A route without
 * a description keeps none; the tests ask for one for every route.
 */
export function describeApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Presently HTTP API')
    .setDescription(
      'Live presence for the web. The HTTP side of the server; the socket protocol (Socket.IO, namespace `/presence`) is described in `docs/asyncapi.yaml`. Errors answer `{ error: { code, message } }`.',
    )
    .setVersion(PROTOCOL_VERSION)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'the `API_KEY` the server runs with' }, 'apiKey')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'a session token (HS256 with `JWT_SECRET`)' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as Array<[string, Record<string, unknown>]>) {
      const doc = OPERATIONS[`${method} ${path}`];
      if (!doc || typeof operation !== 'object') continue;
      Object.assign(operation, {
        tags: [doc.tag],
        summary: doc.summary,
        ...(doc.description && { description: doc.description }),
        ...(doc.auth && { security: [{ [doc.auth]: [] }] }),
        parameters: [
          // Path parameters as Nest reads them; the query's and the Authorization header (a security scheme) as described.
          ...((operation.parameters as Array<{ in: string; name: string }> | undefined) ?? []).filter(
            (parameter) => parameter.in !== 'query' && !(parameter.in === 'header' && parameter.name.toLowerCase() === 'authorization'),
          ),
          ...Object.entries(doc.query ?? {}).map(([name, query]) => ({ name, in: 'query', required: query.required ?? false, description: query.description, schema: query.schema ?? { type: 'string' } })),
        ],
        ...(doc.body && { requestBody: { required: true, content: { 'application/json': { schema: doc.body } } } }),
        responses: Object.fromEntries(
          Object.entries(doc.responses).map(([status, response]) => [
            status,
            {
              description: response.description,
              ...((response.schema || response.type) && { content: { [response.type ?? 'application/json']: { schema: response.schema ?? { type: 'string' } } } }),
            },
          ]),
        ),
      });
    }
  }
  return document;
}

/** Serves the OpenAPI document at {@link OPENAPI_PATH} and Swagger UI at {@link API_DOCS_PATH}. */
export function mountApiDocs(app: INestApplication): void {
  SwaggerModule.setup(API_DOCS_PATH.slice(1), app, describeApi(app), {
    jsonDocumentUrl: OPENAPI_PATH.slice(1),
    raw: ['json'],
    customSiteTitle: 'Presently HTTP API',
  });
}
