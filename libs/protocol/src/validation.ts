export * from './lib/validation';
