const nxPreset = require('@nx/jest/preset').default;

/** Dependencies published as ES modules only: compiled to CommonJS for Jest. */
const ESM_ONLY = ['jose', 'badge-maker', '@nestjs'];

/**
 * Shared Jest settings: TypeScript through ts-jest (transpile only, types are
 * checked by the build), and ESM-only dependencies (Nest 12, jose, badge-maker)
 * compiled to CommonJS by tools/jest/esm-to-cjs.js: the suites stay in Jest's
 * CommonJS runtime, which cannot require an ES module by itself.
 */
module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '/node_modules/.+\\.m?js$': require.resolve('./tools/jest/esm-to-cjs.js'),
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js'],
  reporters: ['default', require.resolve('./tools/jest/summary-reporter.js')],
};
