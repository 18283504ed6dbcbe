export * from './client';
export * from './server';
export * from './helpers';
export * from './browser';
export * from './sse';
export * from './redis';
export * from './redis-sentinel';
export * from './tcp-proxy';
