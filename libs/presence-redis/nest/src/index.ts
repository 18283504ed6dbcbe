/**
 * The Nest side of the Redis cluster mode, a secondary entry point so that
 * the store itself depends on no framework (it needs only the core, the
 * protocol and ioredis). It also re-exports the store, so that a Nest app
 * finds the whole cluster mode in one place (the npm package's
 * `@presently/nest/redis`).
 */
export * from './redis-io.adapter';
export * from '../../src/index';
