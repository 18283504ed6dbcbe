import { connectError, get, startServer, until, type RunningServer } from '@presently/testing';

/**
 * Structured logs (pino, for Nest and for requests): JSON lines whose `level` is a
 * name. What is quiet at `info` (process.spec.ts) shows at `debug`: each HTTP
 * request, Nest's start-up, refused handshakes.
 */
describe('LOG_LEVEL=debug', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ LOG_LEVEL: 'debug' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  const entries = () => server.output.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('logs every line as JSON with a level name, a time and a message', async () => {
    for (const entry of entries()) {
      expect(entry).toEqual(expect.objectContaining({ level: expect.stringMatching(/^(debug|info|warn|error)$/), time: expect.any(String), msg: expect.any(String) }));
    }
    expect(entries().some((e) => e.level === 'debug' && e.context === 'NestFactory')).toBe(true);
    expect(entries().find((e) => e.msg === 'listening')).toMatchObject({ level: 'info', context: 'Presently', port: server.port });
  });

  it('logs HTTP requests and refused handshakes at debug', async () => {
    expect((await get(server.url, '/api/stats?probe=1')).status).toBe(200);
    await until(() => entries().some((e) => e.level === 'debug' && JSON.stringify(e).includes('/api/stats?probe=1')), 'the request is logged');

    const refused = await connectError(server.url, { auth: { token: 'not-a-token' } });
    expect(refused.message).toBe('UNAUTHORIZED');
    await until(() => entries().some((e) => e.level === 'debug' && e.msg === 'handshake refused'), 'the refusal is logged');
  });
});
