export default {
  displayName: 'presence-nest',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/presence-nest',
};
