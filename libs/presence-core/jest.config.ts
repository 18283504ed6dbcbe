export default {
  displayName: 'presence-core',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/presence-core',
};
