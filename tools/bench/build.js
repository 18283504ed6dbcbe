// Bundles the benchmark harness, its load agent and the two reference servers
// into dist/tools/bench (npm packages stay external, required at run time).
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '../..');

esbuild
  .build({
    absWorkingDir: root,
    entryPoints: {
      main: 'tools/bench/src/main.ts',
      'hold-agent': 'tools/bench/src/hold-agent.ts',
      bare: 'tools/bench/src/references/bare.ts',
      naive: 'tools/bench/src/references/naive.ts',
    },
    outdir: 'dist/tools/bench',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: true,
    tsconfig: 'tools/bench/tsconfig.app.json',
    logLevel: 'warning',
  })
  .catch(() => process.exit(1));
