import { CONFIG_VARIABLES } from './config';
import { parseCommandLine, usage } from './command-line';

describe('the presently command line', () => {
  it('starts without arguments, and takes --port in every spelling', () => {
    expect(parseCommandLine([])).toEqual({ kind: 'start' });
    expect(parseCommandLine(['--port', '0'])).toEqual({ kind: 'start', port: 0 });
    expect(parseCommandLine(['--port=8080'])).toEqual({ kind: 'start', port: 8080 });
    expect(parseCommandLine(['-p', '65535'])).toEqual({ kind: 'start', port: 65535 });
  });

  it('answers help and version before anything else', () => {
    expect(parseCommandLine(['--port', '1', '--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });

  it('refuses a bad port or an unknown argument, saying which', () => {
    for (const args of [['--port'], ['--port', 'abc'], ['--port=65536'], ['-p', '-1'], ['--port', '3e3']]) {
      const command = parseCommandLine(args);
      expect([args, command.kind]).toEqual([args, 'error']);
      expect(command.kind === 'error' && command.message).toMatch(/^--port takes a port number from 0 to 65535/);
    }
    expect(parseCommandLine(['--verbose'])).toEqual({ kind: 'error', message: 'unknown argument "--verbose"' });
  });

  it('lists every environment variable the server reads in its help', () => {
    const help = usage();
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'WEB_ROOT', 'JWT_SECRET', 'LOG_LEVEL']));
    for (const name of CONFIG_VARIABLES) expect(help).toMatch(new RegExp(`\\b${name}\\b`));
    expect(help).toMatch(/^Usage: presently \[--port <port>\]/);
  });
});
