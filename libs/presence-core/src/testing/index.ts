export * from './manual-clock';
export * from './recording-sink';
export * from './fixtures';
