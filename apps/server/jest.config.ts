export default {
  displayName: 'server',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/server',
};
