import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '@presently/presence-redis';
import { DEFAULT_HISTORY_PAGES, DEFAULT_LIMITS, DEFAULT_MAX_TOKEN_TTL_S, DEFAULT_RECENT_MS, DEFAULT_TYPING_MS, KEY_MAX_LENGTH, MIN_HTTP_BUFFER_SIZE, POLLS_MAX } from '@presently/protocol';
import { noControlChars } from '@presently/protocol/validation';
import { ANON_ID_SECRET_MIN_LENGTH } from '@presently/presence-nest';
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const int = (min: number, max: number, fallback: number) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).default(fallback));
const optionalText = z.preprocess(unsetIfEmpty, z.string().optional());

/** The fewest characters a `WEBHOOK_SECRET` may have: a short HMAC key is guessed offline from one signed request. */
export const WEBHOOK_SECRET_MIN_LENGTH = 16;

/** The default ceiling on presence state: a quarter of the heap this process may grow to. */
export const DEFAULT_MAX_STATE_BYTES = Math.floor(getHeapStatistics().heap_size_limit / 4);

const envSchema = z.object({
  PORT: int(0, 65535, 3000),
  HOST: optionalText,
  REDIS_URL: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .refine((url) => /^rediss?:\/\//.test(url), { message: 'a redis:// or rediss:// URL' })
      .optional(),
  ),
  REDIS_SENTINELS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((list, ctx) => {
        const sentinels = list.split(',').map((entry) => parseHostPort(entry.trim()));
        if (sentinels.every((s) => s !== null)) return sentinels;
        ctx.addIssue({ code: 'custom', message: 'comma-separated host:port entries (a port from 1 to 65535; IPv6 in brackets: [::1]:26379)' });
        return z.NEVER;
      })
      .optional(),
  ),
  REDIS_SENTINEL_NAME: z.preprocess(
    unsetIfEmpty,
    z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: "the master group's name in the Sentinels' configuration (letters, digits, _ . : -)" }).optional(),
  ),
  REDIS_HEARTBEAT_MS: int(50, 60_000, 3000),
  REDIS_HEARTBEAT_TTL_MS: int(100, 600_000, 10_000),
  REDIS_PREFIX: z.preprocess(unsetIfEmpty, z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/).default('presently:')),
  JWT_SECRET: optionalText,
  DEMO_TOKENS: z.preprocess(unsetIfEmpty, z.enum(['0', '1'], { message: '1 to mint demo tokens (POST /api/demo/token), 0 or unset not to' }).default('0')),
  ANON_ID_SECRET: z.preprocess(unsetIfEmpty, z.string().min(ANON_ID_SECRET_MIN_LENGTH, `at least ${ANON_ID_SECRET_MIN_LENGTH} characters`).optional()),
  MAX_TOKEN_TTL_S: int(60, 10 * 365 * 24 * 3600, DEFAULT_MAX_TOKEN_TTL_S),
  CORS_ORIGINS: optionalText,
  API_KEY: optionalText,
  POLLS: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .transform((list) => [...new Set(list.split(',').map((poll) => poll.trim()).filter(Boolean))])
      .refine((polls) => polls.every((poll) => poll.length <= KEY_MAX_LENGTH && noControlChars(poll)), { message: `poll keys of at most ${KEY_MAX_LENGTH} characters without control characters` })
      .refine((polls) => polls.length <= POLLS_MAX, { message: `at most ${POLLS_MAX} polls` })
      .default([]),
  ),
  COUNT_INTERVAL_MS: int(0, 60_000, DEFAULT_LIMITS.countIntervalMs),
  GRACE_MS: int(0, 3_600_000, DEFAULT_LIMITS.graceMs),
  ROSTER_MAX: int(1, 1_000_000, DEFAULT_LIMITS.rosterMax),
  TYPING_MS: int(100, 600_000, DEFAULT_TYPING_MS),
  RECENT_MS: int(0, 7 * 24 * 3_600_000, DEFAULT_RECENT_MS),
  HISTORY_PAGES: int(0, 1_000_000, DEFAULT_HISTORY_PAGES),
  MAX_PAGES_PER_SOCKET: int(1, 100_000, DEFAULT_LIMITS.maxPagesPerSocket),
  MAX_WATCHED_PER_SOCKET: int(1, 100_000, DEFAULT_LIMITS.maxWatchedPerSocket),
  MAX_ROOMS_PER_SOCKET: int(1, 100_000, DEFAULT_LIMITS.maxRoomsPerSocket),
  RATE_LIMIT_PER_S: int(1, 1_000_000, DEFAULT_LIMITS.rateLimitPerS),
  RATE_LIMIT_BURST: int(1, 1_000_000, DEFAULT_LIMITS.rateLimitBurst),
  MAX_HTTP_BUFFER_SIZE: int(MIN_HTTP_BUFFER_SIZE, 64 * 1024 * 1024, DEFAULT_LIMITS.maxHttpBufferSize),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000, 10_000),
  MAX_CONNECTIONS_PER_IP: int(0, 1_000_000, 1000),
  MAX_BUFFERED_BYTES: int(0, 1024 * 1024 * 1024, 4 * 1024 * 1024),
  SLOW_CLIENT_MS: int(0, 600_000, 5000),
  HANDSHAKES_PER_S: int(0, 1_000_000, 20),
  HANDSHAKE_BURST: int(1, 1_000_000, 50),
  CONNECT_TIMEOUT_MS: int(100, 600_000, 5000),
  MAX_BYTES_PER_ADDRESS: int(0, Number.MAX_SAFE_INTEGER, DEFAULT_LIMITS.maxBytesPerAddress),
  MAX_STATE_BYTES: int(0, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_STATE_BYTES),
  TRUST_PROXY: int(0, 32, 0),
  WEB_ROOT: optionalText,
  LOG_LEVEL: z.preprocess(unsetIfEmpty, z.enum(LOG_LEVELS).default('info')),
  WEBHOOK_URL: z.preprocess(unsetIfEmpty, z.string().refine(isHttpUrl, { message: 'an http:// or https:// URL' }).optional()),
  WEBHOOK_SECRET: z.preprocess(
    unsetIfEmpty,
    z.string().min(WEBHOOK_SECRET_MIN_LENGTH, `at least ${WEBHOOK_SECRET_MIN_LENGTH} characters`).optional(),
  ),
  WEBHOOK_RETRY_BASE_MS: int(1, 600_000, 1000),
  WEBHOOK_RETRY_MAX_MS: int(1, 600_000, 60_000),
});

/** Whether `value` is an absolute http:// or https:// URL. */
function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** `host:port` or `[ipv6]:port`; null when it is neither. */
function parseHostPort(entry: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2], port };
}

/** The Redis of the several-process mode: by URL or through Sentinel, never both. */
const checkedEnv = envSchema.superRefine((e, ctx) => {
  if (e.REDIS_URL !== undefined && e.REDIS_SENTINELS !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'set either REDIS_URL or REDIS_SENTINELS (with REDIS_SENTINEL_NAME), not both' });
  }
  if (e.REDIS_SENTINELS !== undefined && e.REDIS_SENTINEL_NAME === undefined) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_NAME'], message: "required with REDIS_SENTINELS: the master group's name" });
  }
  if (e.REDIS_SENTINEL_NAME !== undefined && e.REDIS_SENTINELS === undefined) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINELS'], message: 'required with REDIS_SENTINEL_NAME: the Sentinels, host:port,host:port' });
  }
  if (e.WEBHOOK_URL !== undefined && e.WEBHOOK_SECRET === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['WEBHOOK_SECRET'],
      message: `required with WEBHOOK_URL: the secret every webhook request is signed with (at least ${WEBHOOK_SECRET_MIN_LENGTH} characters)`,
    });
  }
  if (e.WEBHOOK_RETRY_MAX_MS < e.WEBHOOK_RETRY_BASE_MS) {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_RETRY_MAX_MS'], message: 'at least WEBHOOK_RETRY_BASE_MS' });
  }
  if (e.DEMO_TOKENS === '1' && e.JWT_SECRET === undefined && (e.REDIS_URL !== undefined || e.REDIS_SENTINELS !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['DEMO_TOKENS'], message: 'needs JWT_SECRET with several processes: each would make up its own, and refuse the tokens of the others' });
  }
  if (e.REDIS_HEARTBEAT_TTL_MS < 2 * e.REDIS_HEARTBEAT_MS) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_HEARTBEAT_TTL_MS'], message: 'at least twice REDIS_HEARTBEAT_MS, or a live process may be taken for dead' });
  }
});

/** Where the Redis of the several-process mode is, if anywhere. */
function redisConnection(e: z.output<typeof envSchema>): RedisConnection | undefined {
  if (e.REDIS_URL !== undefined) return { url: e.REDIS_URL };
  if (e.REDIS_SENTINELS !== undefined && e.REDIS_SENTINEL_NAME !== undefined) return { sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME };
  return undefined;
}

/** Where webhooks go, if anywhere: delivered until 1 s before the shutdown timeout. */
function webhookOptions(e: z.output<typeof envSchema>) {
  if (e.WEBHOOK_URL === undefined || e.WEBHOOK_SECRET === undefined) return undefined;
  return {
    url: e.WEBHOOK_URL,
    secret: e.WEBHOOK_SECRET,
    retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: e.WEBHOOK_RETRY_MAX_MS,
    shutdownMs: Math.max(0, e.SHUTDOWN_TIMEOUT_MS - 1000),
  };
}

const configSchema = checkedEnv.transform((e) => {
  const corsOrigins = e.CORS_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return {
    port: e.PORT,
    host: e.HOST,
    /** `REDIS_URL` or `REDIS_SENTINELS` with `REDIS_SENTINEL_NAME`: either one turns the several-process mode on. */
    redis: redisConnection(e),
    redisPrefix: e.REDIS_PREFIX,
    heartbeatMs: e.REDIS_HEARTBEAT_MS,
    heartbeatTtlMs: e.REDIS_HEARTBEAT_TTL_MS,
    // Demo tokens need a secret: without one configured, a random one for this process.
    jwtSecret: e.JWT_SECRET ?? (e.DEMO_TOKENS === '1' ? randomBytes(32).toString('base64url') : undefined),
    /** `POST /api/demo/token` mints tokens for anyone (`DEMO_TOKENS=1`, for the demo; never in production). */
    demoTokens: e.DEMO_TOKENS === '1',
    anonIdSecret: e.ANON_ID_SECRET,
    maxTokenTtlS: e.MAX_TOKEN_TTL_S,
    corsOrigins: corsOrigins?.length ? corsOrigins : undefined,
    apiKey: e.API_KEY,
    polls: e.POLLS,
    countIntervalMs: e.COUNT_INTERVAL_MS,
    graceMs: e.GRACE_MS,
    rosterMax: e.ROSTER_MAX,
    typingMs: e.TYPING_MS,
    recentMs: e.RECENT_MS,
    historyPages: e.HISTORY_PAGES,
    maxPagesPerSocket: e.MAX_PAGES_PER_SOCKET,
    maxWatchedPerSocket: e.MAX_WATCHED_PER_SOCKET,
    maxRoomsPerSocket: e.MAX_ROOMS_PER_SOCKET,
    rateLimitPerS: e.RATE_LIMIT_PER_S,
    rateLimitBurst: e.RATE_LIMIT_BURST,
    maxHttpBufferSize: e.MAX_HTTP_BUFFER_SIZE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    // With Redis a stopping process waits this long for its users to come back elsewhere, within the shutdown timeout.
    handoffMs: Math.min(e.GRACE_MS + 1000, Math.max(0, e.SHUTDOWN_TIMEOUT_MS - 2000)),
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    maxBufferedBytes: e.MAX_BUFFERED_BYTES,
    slowClientMs: e.SLOW_CLIENT_MS,
    handshakesPerS: e.HANDSHAKES_PER_S,
    handshakeBurst: e.HANDSHAKE_BURST,
    connectTimeoutMs: e.CONNECT_TIMEOUT_MS,
    maxBytesPerAddress: e.MAX_BYTES_PER_ADDRESS,
    maxStateBytes: e.MAX_STATE_BYTES,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    webRoot: e.WEB_ROOT,
    webhook: webhookOptions(e),
  };
});

/** The server's configuration, read from the environment once at start-up. */
export type ServerConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {}

/**
 * Reads and checks the configuration. A bad value throws a {@link ConfigError}
 * whose message names each offending variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

/** The environment variables the server reads, in the order the schema declares them (the command line's help lists them). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
