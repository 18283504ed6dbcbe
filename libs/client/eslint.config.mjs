import root from '../../eslint.config.mjs';

/**
 * The workspace rules, except that this library's tests, which run against a
 * real server, may use the shared test helpers (`scope:test`); the library
 * itself may not.
 */
const [level, options] = root.find((config) => config.rules?.['@nx/enforce-module-boundaries']).rules['@nx/enforce-module-boundaries'];
const depConstraints = options.depConstraints.map((constraint) =>
  constraint.sourceTag === 'scope:client'
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'scope:test'] }
    : constraint,
);

export default [
  ...root,
  {
    files: ['src/**/*.spec.ts', 'src/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': [level, { ...options, depConstraints }] },
  },
  // This file is tooling, not a module of the library.
  { files: ['eslint.config.mjs'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
