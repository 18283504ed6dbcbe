import nx from '@nx/eslint-plugin';

const serverOnly = ['@nestjs/*', 'socket.io', 'express', 'jose'];
const frontendOnly = ['@angular/*'];

const depConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server'], bannedExternalImports: frontendOnly },
  // Browser code stays small: validation (zod) is the server's job.
  { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client'], bannedExternalImports: [...serverOnly, 'zod'] },
  // Test suites and their helpers may use anything; nothing ships them.
  { sourceTag: 'scope:test', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server', 'scope:client', 'scope:test'] },
  // Pure code: no transport, no framework, no I/O.
  { sourceTag: 'type:domain', bannedExternalImports: [...serverOnly, ...frontendOnly, 'socket.io-client'] },
  { sourceTag: 'type:util', bannedExternalImports: [...serverOnly, ...frontendOnly, 'socket.io-client'] },
];

/** A library's own tests may also use the shared test helpers (`scope:test`); the library itself may not. */
const testDepConstraints = depConstraints.map((constraint) =>
  constraint.sourceTag === 'scope:server' || constraint.sourceTag === 'scope:client'
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'scope:test'] }
    : constraint,
);

const moduleBoundaries = (options = {}) => ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints, ...options }];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', '**/.nx'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(),
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // A name that starts with `_` is unused on purpose (a parameter kept for its position, a property left out of a rest).
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The badge bundles the protocol's constants into badge.js (esbuild inlines them).
    files: ['libs/badge/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries({ allow: ['@presently/protocol'] }) },
  },
  {
    files: ['**/*.spec.ts', '**/src/test/**/*.ts', '**/src/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries({ depConstraints: testDepConstraints }) },
  },
  {
    files: ['**/*.spec.ts', 'apps/*-e2e/**/*.ts', 'libs/testing/**/*.ts', 'libs/*/src/testing/**/*.ts', 'tools/**/*.js', '**/jest.config.ts', '**/webpack.config.js'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
];
