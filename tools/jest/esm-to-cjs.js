// Jest runs the server's suites as CommonJS, and Jest's CommonJS runtime cannot
// require an ES module. Nest 12 (like jose and badge-maker) ships ES modules
// only, so their files are compiled to CommonJS on the way in: TypeScript's
// transpiler, the one ts-jest already uses, with `import.meta.url` turned into
// the file's own URL first (CommonJS has no `import.meta`).
const crypto = require('node:crypto');
const ts = require('typescript');

const COMPILER_OPTIONS = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  allowJs: true,
  sourceMap: false,
  inlineSourceMap: true,
  importHelpers: false,
};
const VERSION = '1';

module.exports = {
  process(source, filename) {
    const code = source.replace(/\bimport\.meta\.url\b/g, "require('node:url').pathToFileURL(__filename).href");
    const { outputText } = ts.transpileModule(code, { fileName: filename, compilerOptions: COMPILER_OPTIONS });
    return { code: outputText };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(VERSION).update(ts.version).update(filename).update('\0').update(source).digest('hex');
  },
};
