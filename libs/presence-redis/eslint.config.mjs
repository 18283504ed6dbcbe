import root from '../../eslint.config.mjs';

/**
 * The workspace rules, plus: the store (`src/`) depends on no framework, the
 * Nest adapter lives in the `nest/` entry point.
 */
export default [
  ...root,
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@presently/presence-nest', '@nestjs/*', 'socket.io', '@socket.io/*'], message: 'The store depends on no framework: Nest code goes in the nest/ entry point.' }] },
      ],
    },
  },
  // This file is tooling, not a module of the library.
  { files: ['eslint.config.mjs'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
