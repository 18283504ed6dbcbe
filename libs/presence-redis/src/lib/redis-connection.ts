import { Redis, type RedisOptions } from 'ioredis';

/** One Sentinel of a monitored master group. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * Where the cluster's Redis is: one server by URL (`REDIS_URL`), or the master
 * of a group that Sentinels watch (`REDIS_SENTINELS`, `REDIS_SENTINEL_NAME`),
 * followed from one master to the next across failovers.
 */
export type RedisConnection = { url: string } | { sentinels: readonly SentinelAddress[]; name: string };

/**
 * The ioredis options that reach `connection`, for every client of the
 * cluster mode (the store's and the Socket.IO adapter's), merged with the
 * client's own `options`. Through Sentinel the client asks the Sentinels for
 * the master on every (re)connection, checks the role of the server it
 * reached, and reconnects when a server answers `READONLY` (a master demoted
 * under it; Redis also closes its clients' connections when its role
 * changes). ioredis's `failoverDetector` is left off: a `+switch-master`
 * arriving while the client was connecting ended the client for good.
 */
export function redisOptions(connection: RedisConnection, options: RedisOptions = {}): RedisOptions {
  if ('url' in connection) return options;
  return {
    ...options,
    sentinels: connection.sentinels.map(({ host, port }) => ({ host, port })),
    name: connection.name,
    role: 'master',
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
}

/**
 * What a client that only subscribes adds to {@link redisOptions} (the
 * Socket.IO adapter's subscriber, whose subscriptions are made whenever a
 * namespace is created, connected or not). No ready check: Redis lets
 * `SUBSCRIBE` through while the connection still shakes hands, which puts
 * it in subscriber mode; the ready check's `INFO` is then refused, ioredis
 * drops the connection as failed, and the subscriptions still on their way
 * are refused with it and never made again: the process would never hear
 * another process's broadcasts. Without the check the client is ready once
 * connected. Through Sentinel that also skips the check of the server's
 * role: a subscriber that reached a master already demoted still hears every
 * publish, replicated from the new master, until Redis closes its
 * connection for the change of role and it reconnects to the new one.
 */
export const SUBSCRIBER_OPTIONS: RedisOptions = { enableReadyCheck: false, disableClientInfo: true };

/** A client of `connection` with `options` (see {@link redisOptions}). */
export function connectRedis(connection: RedisConnection, options: RedisOptions = {}): Redis {
  const merged = redisOptions(connection, options);
  return 'url' in connection ? new Redis(connection.url, merged) : new Redis(merged);
}

/** `host:port` of the Sentinels and the group name, or the URL: for logs. */
export function describeConnection(connection: RedisConnection): string {
  if ('url' in connection) return connection.url.replace(/\/\/[^@/]*@/, '//***@');
  return `sentinel ${connection.name} via ${connection.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}`;
}
