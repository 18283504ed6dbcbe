import { CONFIG_VARIABLES } from './config';

/** What `presently` was asked to do. */
export type Command =
  | { kind: 'start'; port?: number }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

/** Where the docs are, for whoever runs the command. */
export const DOCS_URL = 'https://www.npmjs.com/package/@presently/server';

/** `presently --help`. */
export function usage(): string {
  return [
    'Usage: presently [--port <port>]',
    '',
    'Starts a Presently server: live presence for the web over Socket.IO (namespace',
    '/presence) and HTTP (/api), the live badge at /badge.js, and with WEB_ROOT a',
    "single-page web app. It logs JSON lines; {\"msg\":\"listening\",\"port\":…} once it listens.",
    '',
    'Options:',
    '  -p, --port <port>  the port to listen on, 0 for any free one (default: PORT, else 3000)',
    '  -h, --help         show this help',
    '  -v, --version      show the version',
    '',
    'Everything else is configured through the environment:',
    ...wrap(CONFIG_VARIABLES.join(', '), 78).map((line) => `  ${line}`),
    '',
    `Docs: ${DOCS_URL}`,
    '',
  ].join('\n');
}

/** Reads the arguments of `presently`: `--port` (`-p`, `--port=…`), `--help` (`-h`), `--version` (`-v`). */
export function parseCommandLine(args: readonly string[]): Command {
  let port: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-v' || arg === '--version') return { kind: 'version' };
    const inline = /^--port=(.*)$/.exec(arg);
    if (inline || arg === '--port' || arg === '-p') {
      const value = inline ? inline[1] : args[++i];
      if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
        return { kind: 'error', message: `--port takes a port number from 0 to 65535${value === undefined ? '' : `, not "${value}"`}` };
      }
      port = Number(value);
      continue;
    }
    return { kind: 'error', message: `unknown argument "${arg}"` };
  }
  return { kind: 'start', ...(port !== undefined && { port }) };
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
