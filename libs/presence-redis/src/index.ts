export * from './lib/redis-presence-store';
