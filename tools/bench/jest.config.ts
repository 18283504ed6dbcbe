export default {
  displayName: 'bench',
  preset: '../../jest.preset.js',
  // The smoke test runs the built harness against three real servers.
  testTimeout: 120_000,
  coverageDirectory: '../../coverage/tools/bench',
};
