import { createCjsPreset } from 'jest-preset-angular/presets';

const angular = createCjsPreset({ tsconfig: '<rootDir>/tsconfig.spec.json' });

export default {
  ...angular,
  displayName: 'angular',
  resolver: '@nx/jest/plugins/resolver',
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  coverageDirectory: '../../coverage/libs/angular',
  reporters: ['default', '<rootDir>/../../tools/jest/summary-reporter.js'],
};
