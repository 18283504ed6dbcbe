export default {
  displayName: 'badge',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/badge',
};
