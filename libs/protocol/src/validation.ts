export * from './lib/validation';
export * from './lib/emit';
