export * from './lib/validation';
export * from './lib/emit';
export * from './lib/badge-query';
export * from './lib/moderation';
export * from './lib/poll-request';
