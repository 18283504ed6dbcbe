export * from './support/client';
export * from './support/server';
