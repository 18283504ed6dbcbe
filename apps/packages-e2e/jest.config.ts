export default {
  displayName: 'packages-e2e',
  preset: '../../jest.preset.js',
  // Installing and building apps from a registry takes minutes on a busy machine: timeouts are generous, never timing assertions.
  testTimeout: 300_000,
  coverageDirectory: '../../coverage/apps/packages-e2e',
};
