export * from './manual-clock';
export * from './recording-sink';
export * from './recording-occupancy';
export * from './fixtures';
