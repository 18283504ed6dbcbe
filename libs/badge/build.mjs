// Builds the embeddable badge into dist/libs/badge: badge.js (one minified
// IIFE, no dependencies) and the example page the server serves.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../dist/libs/badge');

await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src/index.ts')],
  outfile: join(out, 'badge.js'),
  tsconfig: join(here, 'tsconfig.lib.json'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2018', 'chrome80', 'firefox78', 'safari13'],
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(join(here, 'example/index.html'), join(out, 'example.html'));
