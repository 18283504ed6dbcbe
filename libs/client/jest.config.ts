export default {
  displayName: 'client',
  preset: '../../jest.preset.js',
  // The client is tested against a real server process.
  testTimeout: 30_000,
  coverageDirectory: '../../coverage/libs/client',
};
