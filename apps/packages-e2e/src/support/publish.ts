import { consumerEnv, type LocalRegistry } from './local-registry';
import { run } from './processes';
import { builtPackages, WORKSPACE_ROOT } from './workspace';

/** A package as the registry serves it. */
export interface Published {
  name: string;
  version: string;
  /** The tarball's `sha512-…` integrity, as npm records it in lockfiles. */
  integrity: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
}

/**
 * Publishes the built packages (dist/packages) to `registry` the way a
 * release does, `nx release publish`, and answers them as the registry now
 * serves them.
 */
export async function publishPackages(registry: LocalRegistry): Promise<Map<string, Published>> {
  await run('npx', ['nx', 'release', 'publish', `--registry=${registry.url}`, '--excludeTaskDependencies', '--outputStyle=static', '--parallel=6'], {
    cwd: WORKSPACE_ROOT,
    env: { ...consumerEnv(registry), NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  const published = new Map<string, Published>();
  for (const { name, version } of builtPackages()) {
    const response = await fetch(`${registry.url}${name.replace('/', '%2f')}`);
    if (!response.ok) throw new Error(`${name} is not in the registry after publishing (${response.status})`);
    const document = (await response.json()) as {
      versions: Record<string, { dist: { integrity: string }; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>;
    };
    const entry = document.versions[version];
    if (!entry) throw new Error(`${name}@${version} is not in the registry after publishing`);
    published.set(name, { name, version, integrity: entry.dist.integrity, dependencies: entry.dependencies ?? {}, peerDependencies: entry.peerDependencies ?? {} });
  }
  return published;
}
