import type { ActivityState } from '@presently/protocol';
import { FakeActivitySource } from '../test/fake-activity-source';
import { closeFakeClients, deferred, flush, openFakeClient, record, whenConnected } from '../test/fake-server';

const IDLE_MS = 1000;
const states = (payloads: Array<{ state: ActivityState }>) => payloads.map((p) => p.state);

describe('Client: the page reports its activity by itself', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
  afterEach(() => {
    closeFakeClients();
    jest.useRealTimers();
  });

  function open(source = new FakeActivitySource()) {
    return { source, ...openFakeClient({ activity: { source, idleMs: IDLE_MS } }) };
  }

  it('reports hidden, idle and active as they happen, each change once', async () => {
    const { source, server, client } = open();
    const seen = record(client.activity$);
    await whenConnected(client);
    expect(server.payloads('presence:activity')).toEqual([]);
    source.setHidden(true);
    await flush();
    source.setHidden(false);
    await flush();
    jest.advanceTimersByTime(IDLE_MS);
    await flush();
    source.input();
    source.input();
    await flush();
    expect(states(server.payloads('presence:activity'))).toEqual(['hidden', 'active', 'idle', 'active']);
    expect(seen).toEqual(['active', 'hidden', 'active', 'idle', 'active']);
  });

  it('has one report on its way at a time, then sends the state of that moment', async () => {
    const { source, server, client } = open();
    await whenConnected(client);
    const answer = deferred<unknown>();
    server.answer('presence:activity', () => answer.promise);
    source.setHidden(true);
    source.setHidden(false);
    source.setHidden(true);
    await flush();
    expect(states(server.payloads('presence:activity'))).toEqual(['hidden']);
    source.setHidden(false);
    answer.resolve({ ok: true, state: 'hidden' });
    await flush();
    expect(states(server.payloads('presence:activity'))).toEqual(['hidden', 'active']);
  });

  it('reports a state other than active again on a new socket, before rejoining rooms', async () => {
    const { source, server, client } = open();
    await whenConnected(client);
    await client.join('lobby');
    source.setHidden(true);
    await flush();
    server.sent.length = 0;
    server.drop();
    await whenConnected(client);
    expect(server.events()).toEqual(['presence:activity', 'room:join']);
    expect(server.payloads('presence:activity')).toEqual([{ state: 'hidden' }]);
    // Active: the new socket already is.
    source.setHidden(false);
    await flush();
    server.sent.length = 0;
    server.drop();
    await whenConnected(client);
    expect(server.events()).toEqual(['room:join']);
  });

  it('asks a server that does not know the event (v1) no more on that socket, and retries one refused for a passing reason', async () => {
    const { source, server, client } = open();
    await whenConnected(client);
    server.answer('presence:activity', () => ({ ok: false, error: { code: 'BAD_REQUEST', message: 'unknown event' } }));
    source.setHidden(true);
    await flush();
    source.setHidden(false);
    source.setHidden(true);
    await flush();
    expect(server.payloads('presence:activity')).toHaveLength(1);

    let refusals = 1;
    server.answer('presence:activity', ({ state }) => (refusals-- > 0 ? { ok: false, error: { code: 'RATE_LIMITED', message: 'slow down' } } : { ok: true, state }));
    server.sent.length = 0;
    server.drop();
    await whenConnected(client);
    expect(states(server.payloads('presence:activity'))).toEqual(['hidden']);
    // Tried again after a backoff of at most 1.5 s, with the state of that moment.
    source.setHidden(false);
    jest.advanceTimersByTime(600);
    source.input();
    source.setHidden(true);
    jest.advanceTimersByTime(1000);
    await flush();
    expect(states(server.payloads('presence:activity'))).toEqual(['hidden', 'hidden']);
    jest.advanceTimersByTime(60_000);
    await flush();
    expect(server.payloads('presence:activity')).toHaveLength(2);
  });

  it('follows the page\'s document by default, touches nothing when turned off, and nothing without a document (Node)', async () => {
    const added: string[] = [];
    const page = {
      visibilityState: 'hidden',
      defaultView: null,
      addEventListener: (type: string) => added.push(type),
      removeEventListener: () => undefined,
    };
    const global = globalThis as { document?: unknown };
    global.document = page;
    try {
      const { server: off, client: turnedOff } = openFakeClient({ activity: false });
      await whenConnected(turnedOff);
      expect(added).toEqual([]);
      const { server, client } = openFakeClient({ activity: undefined });
      await whenConnected(client);
      expect(added).toContain('visibilitychange');
      expect(states(server.payloads('presence:activity'))).toEqual(['hidden']);
      expect(off.payloads('presence:activity')).toEqual([]);
    } finally {
      delete global.document;
    }
    const { server: node, client: inNode } = openFakeClient({ activity: undefined });
    await whenConnected(inNode);
    expect(record(inNode.activity$)).toEqual(['active']);
    expect(node.payloads('presence:activity')).toEqual([]);
  });

  it('stops tracking when closed', async () => {
    const { source, client } = open();
    await whenConnected(client);
    client.close();
    expect(source.listening).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
