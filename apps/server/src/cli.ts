import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine, usage } from './app/command-line';

/**
 * `presently`, the npm package's command: reads its arguments, then starts
 * the server (`main.ts`) with `--port` as `PORT`.
 */
const command = parseCommandLine(process.argv.slice(2));
switch (command.kind) {
  case 'help':
    process.stdout.write(usage());
    break;
  case 'version':
    // The bundle sits in the package's dist/, beside nothing else of it.
    process.stdout.write(`${(JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string }).version}\n`);
    break;
  case 'error':
    process.stderr.write(`presently: ${command.message}\n\n${usage()}`);
    process.exitCode = 2;
    break;
  case 'start':
    if (command.port !== undefined) process.env.PORT = String(command.port);
    // Loaded only now, so that it reads the environment as set above.
    void import('./main');
    break;
}
