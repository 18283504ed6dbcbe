import { connect, request, waitFor, useServer } from '@presently/testing';

describe('server smoke', () => {
  const server = useServer();

  it('counts a page entered by a socket', async () => {
    const { socket } = await connect(server.url);
    const count = waitFor(socket, 'page:count');
    expect(await request(socket, 'page:enter', { page: '/smoke' })).toEqual({ ok: true, page: '/smoke', viewers: 1, connections: 1, active: 1 });
    expect(await count).toEqual({ page: '/smoke', viewers: 1, connections: 1, active: 1 });
  });
});
