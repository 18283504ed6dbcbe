// Compiles a package's TypeScript sources, file by file, into the layout it is
// published in: each workspace library it ships in a folder of its own (the
// package's own library at the root), every import of those files rewritten
// to a relative path with its `.js` extension (as Node's ESM and TypeScript's
// node16 resolution need), every import of a published workspace library
// rewritten to that package's name. An import of a workspace library that is
// neither shipped nor published stops the build: nothing may resolve to the
// monorepo once installed.
import { builtinModules } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const BUILTINS = new Set(builtinModules);

/**
 * @param {object} spec
 * @param {string} spec.root the workspace root
 * @param {string} spec.tsconfig the library's tsconfig (compiler options and paths)
 * @param {string[]} spec.entries the entry files, workspace-relative
 * @param {Record<string, string>} spec.sources workspace-relative source folder → folder in the output
 * @param {Record<string, string>} spec.published workspace import → package name it is published as
 * @param {'esm' | 'cjs'} spec.format
 * @param {string} spec.outDir where the files go
 * @param {boolean} [spec.check] whether to report type errors (once per package is enough)
 * @returns {Set<string>} the npm packages the emitted JavaScript imports
 */
export function compile({ root, tsconfig, entries, sources, published, format, outDir, check = true }) {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, tsconfig), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  const options = {
    ...parsed.options,
    noEmit: false,
    emitDeclarationOnly: false,
    declaration: true,
    declarationMap: false,
    sourceMap: false,
    inlineSourceMap: false,
    composite: false,
    incremental: false,
    importHelpers: false,
    removeComments: false,
    noEmitOnError: true,
    rootDir: root,
    outDir: join(root, 'tmp/package-compile'),
    module: format === 'esm' ? ts.ModuleKind.ES2022 : ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(options);
  const program = ts.createProgram({ rootNames: entries.map((entry) => join(root, entry)), options, host });
  const errors = (check ? ts.getPreEmitDiagnostics(program) : []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) throw new Error(ts.formatDiagnosticsWithColorAndContext(errors, host));

  const roots = Object.entries(sources).map(([from, to]) => ({ from: resolve(root, from) + sep, to }));
  /** Where a source file of the package lands, without extension; null when the package does not ship it. */
  const placeOf = (file) => {
    const owner = roots.find(({ from }) => file.startsWith(from));
    return owner ? join(outDir, owner.to, file.slice(owner.from.length).replace(/(\.d)?\.ts$/, '')) : null;
  };
  const imported = new Set();

  /** The specifier that `specifier`, written in `file`, becomes in the output. */
  const rewrite = (specifier, file, isCode) => {
    const resolved = ts.resolveModuleName(specifier, file, options, host).resolvedModule;
    const target = resolved && !resolved.isExternalLibraryImport ? resolve(resolved.resolvedFileName) : null;
    if (target && target.startsWith(root + sep) && !target.includes(`${sep}node_modules${sep}`)) {
      const place = placeOf(target);
      if (place) {
        const path = relative(dirname(placeOf(file)), place).split(sep).join('/');
        return `${path.startsWith('.') ? '' : './'}${path}.js`;
      }
      if (published[specifier]) return published[specifier];
      throw new Error(`${relative(root, file)} imports ${specifier} (${relative(root, target)}), which this package neither ships nor has as a published dependency`);
    }
    if (specifier.startsWith('.') || specifier.startsWith('/')) throw new Error(`${relative(root, file)}: cannot resolve ${specifier}`);
    if (specifier.startsWith('@presently/')) {
      if (published[specifier]) return published[specifier];
      throw new Error(`${relative(root, file)} imports ${specifier}, which is not published`);
    }
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (isCode && !specifier.startsWith('node:') && !BUILTINS.has(name)) imported.add(name);
    return specifier;
  };

  const transformer = (isCode) => (context) => (sourceFile) => {
    const { factory } = context;
    const file = resolve(sourceFile.fileName);
    if (!placeOf(file)) return sourceFile; // not shipped: written nowhere
    const literal = (node) => factory.createStringLiteral(rewrite(node.text, file, isCode));
    const visit = (node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateImportDeclaration(node, node.modifiers, node.importClause, literal(node.moduleSpecifier), node.attributes);
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        return factory.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, literal(node.moduleSpecifier), node.attributes);
      }
      if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
        return factory.updateImportTypeNode(node, factory.updateLiteralTypeNode(node.argument, literal(node.argument.literal)), node.attributes, node.qualifier, node.typeArguments, node.isTypeOf);
      }
      const isRequire = ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require';
      const isImport = ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword;
      if ((isRequire || isImport) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
        return factory.updateCallExpression(node, node.expression, node.typeArguments, [literal(node.arguments[0])]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(sourceFile, visit);
  };

  const written = [];
  const result = program.emit(
    undefined,
    (fileName, text, _bom, _onError, sourceFiles) => {
      const place = sourceFiles?.length === 1 ? placeOf(resolve(sourceFiles[0].fileName)) : null;
      if (!place) return; // a published library's file, compiled for its types only
      const out = place + (fileName.endsWith('.d.ts') ? '.d.ts' : '.js');
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      written.push(out);
    },
    undefined,
    false,
    { after: [transformer(true)], afterDeclarations: [transformer(false)] },
  );
  if (result.emitSkipped || result.diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error)) {
    throw new Error(ts.formatDiagnosticsWithColorAndContext(result.diagnostics, host));
  }
  if (format === 'esm') writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
  return imported;
}
