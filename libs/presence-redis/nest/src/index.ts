/**
 * The Nest side of the Redis cluster mode, a secondary entry point so that
 * the store itself depends on no framework: `@presently/presence-redis`
 * needs only the core, the protocol and ioredis.
 */
export * from './redis-io.adapter';
