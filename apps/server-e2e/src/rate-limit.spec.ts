import { barrier, clientId, connect, request, useServer } from '@presently/testing';

/**
 * Per-socket token bucket (RATE_LIMIT_PER_S, RATE_LIMIT_BURST): every event
 * counts, refused events are acked RATE_LIMITED and change nothing, and other
 * sockets are not affected. Refilling over time is tested in-process with a
 * manual clock (presence.gateway.spec.ts).
 */
describe('rate limits', () => {
  const RATE_PER_S = 2;
  const BURST = 20;
  const server = useServer({ RATE_LIMIT_PER_S: String(RATE_PER_S), RATE_LIMIT_BURST: String(BURST) });

  it('acks RATE_LIMITED past the burst, counts unknown events too, and leaves others alone', async () => {
    const { socket: flooder } = await connect(server.url, { clientId: clientId('flood') });
    const { socket: other } = await connect(server.url, { clientId: clientId('other') });
    const page = `/rate/${clientId('page')}`;

    const started = Date.now();
    const acks = await Promise.all([
      ...Array.from({ length: BURST + 30 }, (_, i) => request(flooder, i % 2 ? 'stats:unwatch' : 'no-such-event', {})),
    ]);
    const elapsedS = (Date.now() - started) / 1000;
    const limited = acks.filter((ack) => ack.ok === false && ack.error.code === 'RATE_LIMITED');
    const admitted = acks.length - limited.length;
    // The burst, plus whatever refilled while the flood was in flight.
    expect(admitted).toBeGreaterThanOrEqual(BURST);
    expect(admitted).toBeLessThanOrEqual(BURST + Math.ceil(elapsedS * RATE_PER_S) + 1);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: expect.any(String) } });

    // Refused events change nothing, with or without an ack.
    const refused = await request(flooder, 'page:enter', { page });
    flooder.emit('page:enter', { page });
    await barrier(flooder); // acked (RATE_LIMITED too) only after the enter above was handled
    if (refused.ok) throw new Error('the flooder was not limited any more; raise the flood');
    expect(refused.error.code).toBe('RATE_LIMITED');

    const enter = await request(other, 'page:enter', { page });
    expect(enter).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    expect(flooder.connected).toBe(true);
    const counts = await (await fetch(`${server.url}/api/pages/count?page=${encodeURIComponent(page)}`)).json();
    expect(counts).toEqual({ page, viewers: 1, connections: 1, active: 1 });
  });
});
