import type { INestApplicationContext } from '@nestjs/common';
import { PresenceIoAdapter, type PresenceIoOptions } from '@presently/presence-nest';
import { connectRedis, SUBSCRIBER_OPTIONS, type RedisConnection } from '../../src/lib/redis-connection';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis, RedisOptions } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * {@link PresenceIoAdapter} whose broadcasts reach the sockets of every
 * process through Redis pub/sub (`@socket.io/redis-adapter`): room events,
 * server-side emits to users, roles and rooms. The gateway does not know.
 *
 * Its two connections queue commands while Redis is unreachable instead of
 * failing them (the adapter does not handle a failed publish); what was
 * queued goes out on reconnection. They reach Redis as the store does
 * (`connectRedis`): by URL, or through Sentinel to the current master; the
 * subscriber without a ready check (`SUBSCRIBER_OPTIONS`), so that a
 * namespace created while it connects does not lose its subscriptions.
 *
 * @example
 * app.useWebSocketAdapter(new RedisIoAdapter(app, { maxHttpBufferSize }, { url: process.env.REDIS_URL }));
 */
export class RedisIoAdapter extends PresenceIoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;

  constructor(app: INestApplicationContext, options: PresenceIoOptions, connection: RedisConnection, prefix = 'presently:io') {
    super(app, options);
    const queueing: RedisOptions = { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 200, 2000) };
    this.pub = connectRedis(connection, queueing);
    this.sub = connectRedis(connection, { ...queueing, ...SUBSCRIBER_OPTIONS });
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    this.prefix = prefix;
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options);
    server.adapter(createAdapter(this.pub, this.sub, { key: this.prefix }));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
