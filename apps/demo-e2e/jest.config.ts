export default {
  displayName: 'demo-e2e',
  preset: '../../jest.preset.js',
  testTimeout: 30_000,
  coverageDirectory: '../../coverage/apps/demo-e2e',
};
