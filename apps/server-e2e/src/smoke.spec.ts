import { closeAll, connect, request, startServer, waitFor, type RunningServer } from './support';

describe('server smoke', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(() => closeAll());
  afterAll(async () => {
    await server.stop();
  });

  it('counts a page entered by a socket', async () => {
    const { socket } = await connect(server.url);
    const count = waitFor(socket, 'page:count');
    expect(await request(socket, 'page:enter', { page: '/smoke' })).toEqual({ ok: true, page: '/smoke', viewers: 1, connections: 1 });
    expect(await count).toEqual({ page: '/smoke', viewers: 1, connections: 1 });
  });
});
