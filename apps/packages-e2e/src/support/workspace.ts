import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The workspace root, found from this file's place in it. */
export const WORKSPACE_ROOT = join(__dirname, '../../../..');

/** Where `nx run-many -t package` builds the packages (one folder each). */
export const PACKAGES_DIR = join(WORKSPACE_ROOT, 'dist/packages');

/** Every package the projects publish, as built. */
export const PACKAGE_PROJECTS = ['protocol', 'client', 'angular', 'presence-nest', 'badge', 'server'] as const;

export interface BuiltPackage {
  project: (typeof PACKAGE_PROJECTS)[number];
  dir: string;
  name: string;
  version: string;
}

export function builtPackages(): BuiltPackage[] {
  return PACKAGE_PROJECTS.map((project) => {
    const dir = join(PACKAGES_DIR, project);
    if (!existsSync(join(dir, 'package.json'))) throw new Error(`${dir} is not built: run npm run pack (or nx run ${project}:package)`);
    const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
    return { project, dir, name, version };
  });
}

/** The files of a folder, recursively, relative to it. */
export function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesOf(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}
