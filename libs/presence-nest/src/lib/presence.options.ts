import type { Clock, PresenceCluster, PresenceLimits } from '@presently/presence-core';
import { DEFAULT_LIMITS } from '@presently/protocol';
import type { AuthorizeHook } from './access/authorize';
import type { WebhookOptions } from './webhooks/webhook.options';

/** Options of {@link PresenceModule.forRoot}. */
export interface PresenceModuleOptions extends PresenceLimits {
  /** How long a disconnected connection's presence is held (ms). */
  graceMs: number;
  /** At most one `page:count` per page per interval (ms). */
  countIntervalMs: number;
  /** Members above which a room sends counts instead of member events (default 1000). */
  rosterMax?: number;
  /** Typing ends by itself this long after a socket's last `typing: true` (ms, default 6000). */
  typingMs?: number;
  /** How long a room remembers who left it, for `room:recent` (ms, default 600000; 0: nobody). */
  recentMs?: number;
  /** Pages that keep an occupancy history (`GET /api/pages/history`), the busiest; default 1000, 0: none. */
  historyPages?: number;
  /** Events a socket may send per second, sustained (token bucket). */
  rateLimitPerS: number;
  /** Events a socket may send at once before the rate applies. */
  rateLimitBurst: number;
  /** Origins whose pages may open `/api/pages/live` streams; unset: any origin. */
  corsOrigins?: string[];
  /** HS256 secret for session tokens; unset: every token is refused. */
  jwtSecret?: string;
  /**
   * The secret anonymous visitors' public userIds are derived with (at least
   * 16 characters): the same on every process, and across restarts. Unset:
   * with a cluster, a random one the cluster shares; else a random one made
   * at start (ids change with a restart).
   */
  anonIdSecret?: string;
  /** Admits or refuses each connection before it counts; unset: everyone is admitted. */
  authorize?: AuthorizeHook;
  /** Polls declared at start (`POLLS`); others through `POST /api/polls`. Clients watch and vote in declared polls only. */
  polls?: readonly string[];
  /** The furthest a token's `exp` may be from now, in seconds (default 30 days); a further one is refused. */
  maxTokenTtlS?: number;
  /** The key the operator routes (`POST /api/emit`, the polls API) require in `x-api-key`; unset: they refuse every call. */
  apiKey?: string;
  /**
   * Connections per client address (Engine.IO sessions, their sockets, live
   * streams) together with its held places; 0 or unset: no limit.
   */
  maxConnectionsPerIp?: number;
  /**
   * Bytes a socket may have waiting to be sent (engine.io's write buffer
   * and the websocket's `bufferedAmount`) for longer than `slowClientMs`
   * before it is disconnected; default 4 MiB, 0: no bound.
   */
  maxBufferedBytes?: number;
  /** How long a socket may stay above `maxBufferedBytes` (ms); default 5000. */
  slowClientMs?: number;
  /** New Engine.IO sessions a second per client address, sustained (token bucket); 0: no limit; default 20. */
  handshakesPerS?: number;
  /** New sessions per client address at once before the rate applies; default 50. */
  handshakeBurst?: number;
  /**
   * Bytes of presence state all addresses together may make the process
   * hold before new connections are refused (`LIMIT_EXCEEDED`); 0 or unset:
   * no ceiling. The per-address budget is `maxBytesPerAddress`.
   */
  maxStateBytes?: number;
  /** Reverse proxies in front of the server whose `X-Forwarded-For` entries are trusted; 0 or unset: none. */
  trustProxy?: number;
  /**
   * The figures of every process together (`REDIS_URL` mode); unset: this
   * process's registry is the whole truth.
   */
  cluster?: PresenceCluster;
  /**
   * With a cluster, how long a stopping process waits for its disconnected
   * users to come back through other processes before it withdraws what is
   * left (ms); default `graceMs` + 1000. Keep it under the application's
   * shutdown timeout.
   */
  handoffMs?: number;
  /**
   * Webhooks: each change of who is present (pages and rooms occupied and
   * vacated, members joined and left) POSTed in signed batches; unset: none.
   */
  webhook?: WebhookOptions;
  /** Time source; the system clock unless a test injects one. */
  clock?: Clock;
}

export const PRESENCE_OPTIONS = Symbol('PRESENCE_OPTIONS');

/** What {@link PresenceModule.forRoot} takes: any of the options; those left out get the protocol's defaults. */
export type PresenceModuleSettings = Partial<PresenceModuleOptions>;

/** The options every deployment has, at the protocol's defaults (the standalone server's, unless configured). */
export const DEFAULT_PRESENCE_OPTIONS = {
  graceMs: DEFAULT_LIMITS.graceMs,
  countIntervalMs: DEFAULT_LIMITS.countIntervalMs,
  rateLimitPerS: DEFAULT_LIMITS.rateLimitPerS,
  rateLimitBurst: DEFAULT_LIMITS.rateLimitBurst,
  maxPagesPerSocket: DEFAULT_LIMITS.maxPagesPerSocket,
  maxWatchedPerSocket: DEFAULT_LIMITS.maxWatchedPerSocket,
  maxRoomsPerSocket: DEFAULT_LIMITS.maxRoomsPerSocket,
} as const satisfies Partial<PresenceModuleOptions>;

/** The settings given, completed with {@link DEFAULT_PRESENCE_OPTIONS} (an `undefined` setting counts as left out). */
export function presenceOptions(settings: PresenceModuleSettings = {}): PresenceModuleOptions {
  const given = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_PRESENCE_OPTIONS, ...given };
}
