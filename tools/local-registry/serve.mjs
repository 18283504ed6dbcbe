// Serves the local npm registry (Verdaccio, configured by .verdaccio/config.yml)
// on the loopback interface, for the consumer tests and for generating their
// lockfiles. Once it listens it writes one JSON line, {"msg":"listening","port":…,"url":…}.
// Usage: node tools/local-registry/serve.mjs [--port 0] [--storage <folder>]
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4873' },
    storage: { type: 'string', default: join(root, 'tmp/local-registry/storage') },
  },
});
const { parseConfigFile, runServer } = createRequire(import.meta.url)('verdaccio');

const configFile = join(root, '.verdaccio/config.yml');
const config = parseConfigFile(configFile);
config.self_path = configFile;
config.storage = resolve(values.storage);
const server = await runServer(config);
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port, url: `http://127.0.0.1:${port}/` })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
