import { startRedis, until, type RunningRedis } from '@presently/testing';
import { Redis, type RedisOptions } from 'ioredis';
import { connectRedis, SUBSCRIBER_OPTIONS } from './redis-connection';

/**
 * The subscriber's options against a real redis-server: subscriptions made
 * while the connection shakes hands (as the Socket.IO adapter makes them,
 * one namespace after another) all hold.
 */
describe('SUBSCRIBER_OPTIONS', () => {
  let redis: RunningRedis;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  /** A subscriber that subscribes the moment its connection is made, before it is ready; answers what it heard. */
  function subscribeWhileConnecting(options: RedisOptions): string[] {
    const heard: string[] = [];
    const sub = connectRedis({ url: redis.url }, { lazyConnect: true, retryStrategy: () => 100, ...options });
    clients.push(sub);
    sub.on('error', () => undefined);
    sub.on('pmessage', (_pattern: string, channel: string) => void heard.push(channel));
    sub.on('message', (channel: string) => void heard.push(channel));
    sub.once('connect', () => {
      void sub.psubscribe('first#*').catch(() => undefined);
      void sub.subscribe('second').catch(() => undefined);
    });
    void sub.connect().catch(() => undefined);
    return heard;
  }

  it('keeps every subscription made while the connection shakes hands', async () => {
    const heard = subscribeWhileConnecting(SUBSCRIBER_OPTIONS);
    const pub = new Redis(redis.url);
    clients.push(pub);
    await until(async () => {
      await pub.publish('first#1', 'x');
      await pub.publish('second', 'x');
      return heard.includes('first#1') && heard.includes('second');
    }, 'both subscriptions hear their publishes');
  });
});
