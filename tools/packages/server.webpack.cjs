// Bundles the standalone server for the npm package @presently/server into
// dist/packages/server/dist/presently.js: the server app's own code only.
// The workspace libraries it uses come from their packages (@presently/nest,
// @presently/protocol), every other npm package stays external; the build
// checks that each is a declared dependency.
const path = require('node:path');
const { TsconfigPathsPlugin } = require('tsconfig-paths-webpack-plugin');

const root = path.resolve(__dirname, '../..');
const tsConfig = path.join(root, 'apps/server/tsconfig.app.json');

/** Workspace imports → the packages they are published in. */
const PUBLISHED = {
  '@presently/presence-nest': '@presently/nest',
  '@presently/presence-redis': '@presently/nest/redis',
  '@presently/presence-redis/nest': '@presently/nest/redis',
  '@presently/protocol': '@presently/protocol',
  '@presently/protocol/validation': '@presently/protocol/validation',
};

/** Workspace libraries with no public entry point of their own, bundled: the pure core (demo tokens use its clock and limiter). */
const BUNDLED = new Set(['@presently/presence-core']);

module.exports = {
  mode: 'none',
  target: 'node20',
  entry: path.join(root, 'apps/server/src/cli.ts'),
  output: {
    path: path.join(root, 'dist/packages/server/dist'),
    filename: 'presently.js',
    clean: true,
  },
  // The real __dirname: the badge's files are found beside the bundle.
  node: { __dirname: false, __filename: false },
  resolve: {
    extensions: ['.ts', '.js'],
    plugins: [new TsconfigPathsPlugin({ configFile: tsConfig })],
  },
  externalsPresets: { node: true },
  externals: [
    ({ request }, callback) => {
      if (PUBLISHED[request]) return callback(null, `commonjs ${PUBLISHED[request]}`);
      if (BUNDLED.has(request)) return callback();
      if (request.startsWith('@presently/')) return callback(new Error(`${request} is neither bundled nor published`));
      if (/^[.\/]/.test(request) || request.startsWith('node:')) return callback();
      return callback(null, `commonjs ${request}`);
    },
  ],
  module: {
    rules: [
      {
        test: /\.ts$/,
        loader: 'ts-loader',
        options: { configFile: tsConfig, transpileOnly: true },
      },
    ],
  },
  optimization: { minimize: false, nodeEnv: false, splitChunks: false },
  plugins: [new (require('webpack').BannerPlugin)({ banner: '#!/usr/bin/env node', raw: true, entryOnly: true })],
  stats: 'errors-warnings',
};
