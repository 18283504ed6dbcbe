// Regenerates the consumer projects' lockfiles (apps/packages-e2e/consumers/*/package-lock.json)
// after their package.json or the packages' version changed: publishes the built packages to a
// local registry, resolves each consumer against it (`npm install --package-lock-only`), and
// writes the lockfile back with the public registry's URLs, as it would read once the packages
// are on npm. Build the packages first (npm run pack), then:
//   npx ts-node -P apps/packages-e2e/tsconfig.spec.json apps/packages-e2e/src/lock-consumers.ts [consumer…]
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSUMERS_DIR } from './support/consumer';
import { consumerEnv, startLocalRegistry } from './support/local-registry';
import { run } from './support/processes';
import { publishPackages } from './support/publish';

const PUBLIC_REGISTRY = 'https://registry.npmjs.org/';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const consumers = readdirSync(CONSUMERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && readdirSync(join(CONSUMERS_DIR, entry.name)).includes('package.json'))
    .map((entry) => entry.name)
    .filter((name) => wanted.length === 0 || wanted.includes(name));
  const registry = await startLocalRegistry();
  try {
    await publishPackages(registry);
    await Promise.all(
      consumers.map(async (name) => {
        const dir = mkdtempSync(join(tmpdir(), `presently-lock-${name}-`));
        try {
          cpSync(join(CONSUMERS_DIR, name, 'package.json'), join(dir, 'package.json'));
          await run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: consumerEnv(registry) });
          const lockfile = readFileSync(join(dir, 'package-lock.json'), 'utf8').split(registry.url).join(PUBLIC_REGISTRY);
          writeFileSync(join(CONSUMERS_DIR, name, 'package-lock.json'), lockfile);
          process.stdout.write(`${name}: package-lock.json written\n`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
  } finally {
    await registry.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
