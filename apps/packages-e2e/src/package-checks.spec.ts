import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { cleanEnv } from './support/local-registry';
import { run } from './support/processes';
import { builtPackages, filesOf, WORKSPACE_ROOT } from './support/workspace';

/**
 * The profile each package is checked under by Are the Types Wrong: `node16`
 * for the ones that serve `require` and `import`, `esm-only` for the ones
 * ESM-only by choice (their READMEs say so).
 */
const ATTW_PROFILE: Record<string, 'node16' | 'esm-only'> = {
  '@presently/protocol': 'node16',
  '@presently/client': 'node16',
  '@presently/nest': 'node16',
  '@presently/server': 'node16',
  '@presently/badge': 'esm-only',
  '@presently/angular': 'esm-only',
};

/** The resolutions each profile leaves out (as attw's own profiles do). */
const IGNORED_BY = { node16: ['node10'], 'esm-only': ['node10', 'node16-cjs'] };

interface Manifest {
  name: string;
  version: string;
  license?: string;
  engines?: Record<string, string>;
  sideEffects?: unknown;
  files?: string[];
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packages = builtPackages();
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
const bin = (name: string) => join(WORKSPACE_ROOT, 'node_modules/.bin', name);

describe('the built packages (dist/packages)', () => {
  it('are the six packages, all at one version', () => {
    expect(packages.map((p) => p.name).sort()).toEqual(Object.keys(ATTW_PROFILE).sort());
    expect(new Set(packages.map((p) => p.version)).size).toBe(1);
  });

  it('ship the documentation every README links to inside @presently/server', () => {
    const server = packages.find((p) => p.name === '@presently/server')!;
    expect(manifest(server.dir).files).toContain('docs');
    expect(readFileSync(join(server.dir, 'docs/README.md'), 'utf8')).toBe(readFileSync(join(WORKSPACE_ROOT, 'README.md'), 'utf8'));
    expect(existsSync(join(server.dir, 'docs/protocol-decisions.md'))).toBe(true);
    for (const { dir } of packages) expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('https://unpkg.com/@presently/server/docs/README.md');
  });

  describe.each(packages.map((p) => [p.name, p] as const))('%s', (name, { dir, version }) => {
    const pkg = manifest(dir);

    it('has exports (types first), files, sideEffects, a license, engines and a README', () => {
      expect(pkg).toEqual(expect.objectContaining({ license: 'MIT', engines: { node: '>=20.19' }, files: expect.any(Array) }));
      expect(pkg.sideEffects).toBeDefined();
      expect(pkg.exports?.['./package.json']).toBeDefined();
      const conditions: Array<Record<string, unknown>> = [];
      const collect = (value: unknown) => {
        if (!value || typeof value !== 'object') return;
        conditions.push(value as Record<string, unknown>);
        Object.values(value).forEach(collect);
      };
      Object.values(pkg.exports ?? {}).forEach(collect);
      for (const condition of conditions.filter((c) => 'types' in c)) expect(Object.keys(condition)[0]).toBe('types');
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(new RegExp(`^# ${name.replace('/', '\\/')}\\n`));
    });

    it('depends on the other packages at their version, and imports nothing but its own files and declared packages', () => {
      for (const deps of [pkg.dependencies, pkg.peerDependencies]) {
        for (const [dependency, range] of Object.entries(deps ?? {})) {
          if (dependency.startsWith('@presently/')) expect([dependency, range]).toEqual([dependency, version]);
        }
      }
      const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
      const wrong: string[] = [];
      for (const file of filesOf(dir).filter((f) => /\.(c|m)?js$|\.d\.ts$/.test(f))) {
        const text = readFileSync(join(dir, file), 'utf8');
        const types = file.endsWith('.d.ts');
        for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\brequire\(|\bimport\()\s*["']([^"']+)["']/g)) {
          if (specifier.startsWith('.')) {
            // A file of the package itself, as Node's ESM resolution (and TypeScript's node16) needs it: with its extension.
            const target = join(dir, dirname(file), types ? specifier.replace(/\.js$/, '.d.ts') : specifier);
            if (!existsSync(target)) wrong.push(`${file}: ${specifier} is not in the package`);
          } else if (specifier.startsWith('@presently/')) {
            if (!declared.has(specifier.split('/').slice(0, 2).join('/'))) wrong.push(`${file}: ${specifier} is not a published dependency`);
          } else if (!types && !specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
            const packageName = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
            if (!declared.has(packageName)) wrong.push(`${file}: ${specifier} is not declared`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('is reported clean by publint', async () => {
      const { stdout } = await run(bin('publint'), [dir, '--strict'], { cwd: WORKSPACE_ROOT, env: cleanEnv() });
      expect(stdout.trim().split('\n').pop()).toBe('All good!');
    });

    it(`is reported clean by Are the Types Wrong (profile ${ATTW_PROFILE[name]})`, async () => {
      // Exits non-zero with any problem the profile does not ignore.
      const { stdout } = await run(bin('attw'), ['--pack', dir, '--profile', ATTW_PROFILE[name], '--format', 'json'], { cwd: WORKSPACE_ROOT, env: cleanEnv() });
      const { analysis } = JSON.parse(stdout) as { analysis: { types: unknown; problems?: Array<{ resolutionKind?: string }> } };
      if (name === '@presently/server') expect(analysis.types).toBe(false); // a command: it exports no module
      else expect(analysis.problems?.filter((problem) => !IGNORED_BY[ATTW_PROFILE[name]].includes(problem.resolutionKind ?? '')) ?? []).toEqual([]);
    });
  });
});
