// Builds one npm package into dist/packages/<project>: its code (see
// packages.mjs for what each is made of), its manifest and its README, then
// checks that every package its JavaScript imports is a declared dependency
// or peer. Usage: node tools/packages/build.mjs <project>
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from './compile.mjs';
import { PACKAGES } from './packages.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const project = process.argv[2];
const spec = PACKAGES[project];
if (!spec) {
  process.stderr.write(`usage: node tools/packages/build.mjs <${Object.keys(PACKAGES).join('|')}>\n`);
  process.exit(2);
}

const outDir = join(root, 'dist/packages', project);
const manifest = JSON.parse(readFileSync(join(root, spec.root, 'package.json'), 'utf8'));
rmSync(outDir, { recursive: true, force: true });
for (const command of spec.before ?? []) execSync(command, { cwd: root, stdio: 'inherit' });

const imported = new Set();
if (spec.kind === 'tsc') {
  const single = spec.formats.length === 1;
  for (const [i, format] of spec.formats.entries()) {
    const into = join(outDir, 'dist', single ? '' : format);
    for (const name of compile({ ...spec, root, format, outDir: into, check: i === 0 })) imported.add(name);
  }
} else if (spec.kind === 'ng-packagr') {
  const { ngPackagr } = await import('ng-packagr');
  await ngPackagr().forProject(join(root, spec.project)).withTsConfig(join(root, spec.tsconfig)).build();
  for (const file of readdirSync(join(outDir, 'fesm2022')).filter((name) => name.endsWith('.mjs'))) {
    const code = readFileSync(join(outDir, 'fesm2022', file), 'utf8');
    for (const [, request] of code.matchAll(/^(?:import|export)\b[^'"]*?['"]([^'"./][^'"]*)['"]/gm)) imported.add(packageName(request));
  }
} else if (spec.kind === 'webpack') {
  const { default: webpack } = await import('webpack');
  const { default: config } = await import(join(root, spec.config));
  const stats = await new Promise((done, fail) => webpack(config).run((error, result) => (error ? fail(error) : done(result))));
  if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
  for (const module of stats.compilation.modules) {
    if (module.externalType === 'commonjs' && typeof module.request === 'string') imported.add(packageName(module.request));
  }
}

// ng-packagr writes its own manifest (the source's, completed with the Angular Package Format's entry points).
if (spec.kind !== 'ng-packagr') copyFileSync(join(root, spec.root, 'package.json'), join(outDir, 'package.json'));
copyFileSync(join(root, spec.root, 'README.md'), join(outDir, 'README.md'));
for (const [file, text] of Object.entries(spec.write ?? {})) writeFileSync(join(outDir, file), text);
for (const [from, to] of Object.entries(spec.assets ?? {})) {
  mkdirSync(dirname(join(outDir, to)), { recursive: true });
  copyFileSync(join(root, from), join(outDir, to));
}

const declared = new Set(
  ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {})),
);
const undeclared = [...imported].filter((name) => !declared.has(name)).sort();
if (undeclared.length) throw new Error(`${manifest.name} imports ${undeclared.join(', ')} without declaring them in ${spec.root}/package.json`);
for (const file of manifestFiles(manifest)) {
  if (!existsSync(join(outDir, file))) throw new Error(`${manifest.name}: ${file}, named in its package.json, was not built`);
}
process.stdout.write(`${manifest.name}@${manifest.version} built into ${outDir}\n`);

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(request) {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The files a manifest points at: entry points, bin and exports' targets. */
function manifestFiles(pkg) {
  const targets = [];
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.bin);
  for (const field of ['main', 'module', 'types', 'typings']) walk(pkg[field]);
  return [...new Set(targets)].filter((target) => !target.includes('*'));
}
