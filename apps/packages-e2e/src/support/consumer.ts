import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { consumerEnv, type LocalRegistry } from './local-registry';
import { type Ran, run } from './processes';
import type { Published } from './publish';
import { WORKSPACE_ROOT } from './workspace';

/** The committed consumer projects: a package.json and a lockfile each. */
export const CONSUMERS_DIR = join(__dirname, '../../consumers');

/** What each consumer gets from the shared folders besides its own files. */
const SHARED: Record<string, Record<string, string>> = {
  server: { 'shared/protocol-check.mjs': 'protocol-check.mjs' },
  'nest-11': { 'shared/protocol-check.mjs': 'protocol-check.mjs', 'nest-app/src': 'src' },
  'nest-12': { 'shared/protocol-check.mjs': 'protocol-check.mjs', 'nest-app/src': 'src' },
};

export interface Consumer {
  name: string;
  /** Its temporary folder, outside the repository. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs a command in its folder, with its environment (killed past `timeoutMs`). */
  run(command: string, args: readonly string[], timeoutMs?: number): Promise<Ran>;
  remove(): void;
}

interface LockedPackage {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Lockfile {
  packages: Record<string, LockedPackage>;
}

/** Whether two dependency maps name the same packages with the same ranges. */
const sameDependencies = (a: Record<string, string> = {}, b: Record<string, string> = {}) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Copies a committed consumer project into a fresh temporary folder outside
 * the repository and installs it from `registry` exactly as locked (`npm
 * ci`). Its lockfile names the registry as the public one would
 * (`https://registry.npmjs.org/...`, which npm replaces with the registry
 * it is given) and exact versions of everything; only the integrity of the
 * @presently packages changes, to that of the tarballs just published.
 */
export async function installConsumer(name: string, registry: LocalRegistry, published: Map<string, Published>): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), `presently-consumer-${name}-`));
  cpSync(join(CONSUMERS_DIR, name), dir, { recursive: true });
  for (const [from, to] of Object.entries(SHARED[name] ?? {})) cpSync(join(CONSUMERS_DIR, from), join(dir, to), { recursive: true });
  for (let folder = dir; folder !== dirname(folder); folder = dirname(folder)) {
    // Nothing may be found above the project: no node_modules of the repository, nor of anyone.
    if (folder !== dir && existsSync(join(folder, 'node_modules'))) throw new Error(`${folder}/node_modules would be on ${name}'s module path`);
  }
  if (dir.startsWith(WORKSPACE_ROOT)) throw new Error(`${dir} is inside the repository`);

  const lockfilePath = join(dir, 'package-lock.json');
  const lockfile = JSON.parse(readFileSync(lockfilePath, 'utf8')) as Lockfile;
  for (const [path, entry] of Object.entries(lockfile.packages)) {
    const match = /(?:^|\/)node_modules\/(@presently\/[^/]+)$/.exec(path);
    if (!match) continue;
    const current = published.get(match[1]);
    if (!current) throw new Error(`${name}'s lockfile has ${match[1]}, which is not published`);
    const stale =
      entry.version !== current.version
        ? `${match[1]}@${entry.version}, the packages are ${current.version}`
        : !sameDependencies(entry.dependencies, current.dependencies) || !sameDependencies(entry.peerDependencies, current.peerDependencies)
          ? `${match[1]} with other dependencies than it now has`
          : null;
    if (stale) throw new Error(`${name}'s lockfile has ${stale}: regenerate the lockfiles (apps/packages-e2e/consumers/README.md)`);
    entry.integrity = current.integrity;
  }
  writeFileSync(lockfilePath, `${JSON.stringify(lockfile, null, 2)}\n`);

  const env = consumerEnv(registry);
  const consumer: Consumer = {
    name,
    dir,
    env,
    run: (command, args, timeoutMs) => run(command, args, { cwd: dir, env, timeoutMs }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  await consumer.run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  return consumer;
}
