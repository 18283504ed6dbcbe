export default {
  displayName: 'server-e2e',
  preset: '../../jest.preset.js',
  testTimeout: 30_000,
  coverageDirectory: '../../coverage/apps/server-e2e',
};
