export * from './lib/validation';
export * from './lib/badge-query';
