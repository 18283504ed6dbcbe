export default {
  displayName: 'presence-redis',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/presence-redis',
};
