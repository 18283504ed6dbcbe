export * from './lib/redis-presence-store';
export * from './lib/redis-connection';
