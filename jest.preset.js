const nxPreset = require('@nx/jest/preset').default;

/**
 * Shared Jest settings: TypeScript through ts-jest (transpile only, types are
 * checked by the build), and ESM-only dependencies (jose, badge-maker) compiled to CommonJS.
 */
module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|badge-maker)/)'],
  moduleFileExtensions: ['ts', 'js'],
  reporters: ['default', require.resolve('./tools/jest/summary-reporter.js')],
};
