import root from '../../eslint.config.mjs';

/**
 * The workspace rules, plus: the store (`src/`) depends on no framework, the
 * Nest adapter lives in the `nest/` entry point; and the store's tests, which
 * run against a real redis-server, may use the shared test helpers
 * (`scope:test`).
 */
const [level, options] = root.find((config) => config.rules?.['@nx/enforce-module-boundaries']).rules['@nx/enforce-module-boundaries'];
const depConstraints = options.depConstraints.map((constraint) =>
  constraint.sourceTag === 'scope:server'
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'scope:test'] }
    : constraint,
);

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
  {
    files: ['src/**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': [level, { ...options, depConstraints }] },
  },
  // This file is tooling, not a module of the library.
  { files: ['eslint.config.mjs'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
