export default {
  displayName: 'demo',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/demo',
};
