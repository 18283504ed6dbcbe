export * from './lib/badge';
export * from './lib/events';
export * from './lib/errors';
export * from './lib/limits';
export * from './lib/streams';
export * from './lib/types';
export * from './lib/display-text';
export * from './lib/roster-digest';
