export * from './lib/access';
export * from './lib/clock';
export * from './lib/coalescer';
export * from './lib/polls';
export * from './lib/presence';
export * from './lib/token-bucket';
export * from './lib/top-pages';
export * from './lib/types';
