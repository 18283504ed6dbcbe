// Packs every built package (dist/packages/<project>, see packages.mjs) into
// one tarball each in dist/packages/, as npm would publish it. `npm run pack`
// builds them first (nx run-many -t package).
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGES } from './packages.mjs';

const out = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'dist/packages');
for (const old of readdirSync(out).filter((name) => name.endsWith('.tgz'))) rmSync(join(out, old));
for (const project of Object.keys(PACKAGES)) {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', join(out, project), '--pack-destination', out, '--json'], { encoding: 'utf8' }));
  process.stdout.write(`${join('dist/packages', packed.filename)}  ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} KiB\n`);
}
