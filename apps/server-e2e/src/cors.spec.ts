import { io } from 'socket.io-client';
import { clientId, connect, request, useServer } from '@presently/testing';

/** CORS_ORIGINS: one allowlist for HTTP and the Socket.IO handshake alike. */
describe('CORS_ORIGINS', () => {
  const ALLOWED = 'https://blog.example';
  const server = useServer({ CORS_ORIGINS: `${ALLOWED}, https://other.example` });

  function handshake(origin: string | undefined): Promise<'connected' | string> {
    const socket = io(`${server.url}/presence`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(origin && { extraHeaders: { origin } }),
    });
    return new Promise((resolve) => {
      socket.once('session', () => {
        socket.disconnect();
        resolve('connected');
      });
      socket.once('connect_error', (error) => {
        socket.disconnect();
        resolve(error.message);
      });
    });
  }

  it('accepts a websocket handshake from an allowed origin or without an Origin', async () => {
    expect(await handshake(ALLOWED)).toBe('connected');
    expect(await handshake(undefined)).toBe('connected');
  });

  it('refuses a websocket handshake from any other origin, and keeps serving the others', async () => {
    expect(await handshake('https://evil.example')).not.toBe('connected');
    const { socket } = await connect(server.url, { clientId: clientId('cors') });
    expect(await request(socket, 'page:enter', { page: '/cors' })).toMatchObject({ ok: true, viewers: 1 });
  });

  it('sends CORS headers on HTTP only to allowed origins', async () => {
    const allowed = await fetch(`${server.url}/api/stats`, { headers: { origin: ALLOWED } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const other = await fetch(`${server.url}/api/stats`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS_ORIGINS unset', () => {
  const server = useServer();

  it('lets any origin read the HTTP endpoints (badges work anywhere)', async () => {
    const response = await fetch(`${server.url}/api/pages/count?page=/x`, { headers: { origin: 'https://anywhere.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
  });
});
