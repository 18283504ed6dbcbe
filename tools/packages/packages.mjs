// What each npm package is made of. The key is the Nx project that owns the
// package's manifest (`<project root>/package.json`, which `nx release
// version` bumps) and its README; the package is built into
// `dist/packages/<project>`.

/** Workspace libraries published as packages of their own, by import path. */
const PROTOCOL = { '@presently/protocol': '@presently/protocol', '@presently/protocol/validation': '@presently/protocol/validation' };

export const PACKAGES = {
  protocol: {
    root: 'libs/protocol',
    kind: 'tsc',
    formats: ['esm', 'cjs'],
    tsconfig: 'libs/protocol/tsconfig.lib.json',
    entries: ['libs/protocol/src/index.ts', 'libs/protocol/src/validation.ts'],
    sources: { 'libs/protocol/src': '' },
    published: {},
  },
  client: {
    root: 'libs/client',
    kind: 'tsc',
    formats: ['esm', 'cjs'],
    tsconfig: 'libs/client/tsconfig.lib.json',
    entries: ['libs/client/src/index.ts'],
    sources: { 'libs/client/src': '' },
    published: PROTOCOL,
  },
  'presence-nest': {
    root: 'libs/presence-nest',
    kind: 'tsc',
    // CommonJS, which Nest apps compiled to CommonJS require and ESM ones import.
    formats: ['cjs'],
    tsconfig: 'libs/presence-redis/tsconfig.lib.json',
    entries: ['libs/presence-nest/src/index.ts', 'libs/presence-redis/nest/src/index.ts'],
    // The pure core and the Redis store ship inside the Nest package.
    sources: {
      'libs/presence-nest/src': '',
      'libs/presence-core/src': 'core',
      'libs/presence-redis/src': 'redis/store',
      'libs/presence-redis/nest/src': 'redis',
    },
    published: PROTOCOL,
  },
  badge: {
    root: 'libs/badge',
    kind: 'tsc',
    formats: ['esm'],
    tsconfig: 'libs/badge/tsconfig.lib.json',
    entries: ['libs/badge/src/element.ts'],
    // The protocol's few constants and functions the badge uses ship inside it, as in badge.js.
    sources: { 'libs/badge/src': '', 'libs/protocol/src': 'protocol' },
    published: {},
    /** Built files copied into the package: the standalone script and its example page. */
    assets: { 'dist/libs/badge/badge.js': 'badge.js' },
    /** Files written as they are: the script's types (it exports nothing; importing it defines the element). */
    write: { 'badge.d.ts': '/** badge.js defines <presently-badge> and shows a badge after its own script tag; it exports nothing. */\nexport {};\n' },
    before: ['node libs/badge/build.mjs'],
  },
  angular: {
    root: 'libs/angular',
    kind: 'ng-packagr',
    project: 'libs/angular/ng-package.json',
    tsconfig: 'libs/angular/tsconfig.package.json',
  },
  server: {
    root: 'apps/server',
    kind: 'webpack',
    config: 'tools/packages/server.webpack.cjs',
    assets: {
      'dist/libs/badge/badge.js': 'dist/badge/badge.js',
      'dist/libs/badge/example.html': 'dist/badge/example.html',
      // The whole documentation, where every package's README points.
      'README.md': 'docs/README.md',
      'docs/protocol-decisions.md': 'docs/protocol-decisions.md',
      'docs/architecture.md': 'docs/architecture.md',
      'docs/asyncapi.yaml': 'docs/asyncapi.yaml',
    },
    before: ['node libs/badge/build.mjs'],
  },
};
