// Bundles the server and the workspace libraries it uses into
// dist/apps/server/main.js; npm packages stay external (require at run time).
const path = require('node:path');
const { TsconfigPathsPlugin } = require('tsconfig-paths-webpack-plugin');
const nodeExternals = require('webpack-node-externals');

const root = path.resolve(__dirname, '../..');
const tsConfig = path.join(__dirname, 'tsconfig.app.json');

module.exports = {
  mode: 'none',
  target: 'node20',
  entry: path.join(__dirname, 'src/main.ts'),
  output: {
    path: path.join(root, 'dist/apps/server'),
    filename: 'main.js',
    clean: true,
  },
  devtool: 'source-map',
  resolve: {
    extensions: ['.ts', '.js'],
    plugins: [new TsconfigPathsPlugin({ configFile: tsConfig })],
  },
  externalsPresets: { node: true },
  externals: [nodeExternals({ modulesDir: path.join(root, 'node_modules') })],
  module: {
    rules: [
      {
        test: /\.ts$/,
        loader: 'ts-loader',
        // Types are checked by the `typecheck` target; the bundle only transpiles.
        options: { configFile: tsConfig, transpileOnly: true },
      },
    ],
  },
  optimization: { minimize: false, nodeEnv: false },
  stats: 'errors-warnings',
};
