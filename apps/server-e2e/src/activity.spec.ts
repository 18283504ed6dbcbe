import {
  barrier,
  clientId,
  connect,
  counts,
  equals,
  get,
  journal,
  journaled,
  key,
  openStream,
  pageCount,
  post,
  record,
  request,
  since,
  userToken,
  useServer,
  waitFor,
  until,
  untilMetric,
  type TestSocket,
} from '@presently/testing';
import { ANNOUNCEMENTS, type Member, membersOn, names, type Updated, upToAck } from './support/rooms';

/**
 * Protocol 1.1, "Activity: active, idle, hidden", through real sockets in
 * one process: `presence:activity`, pages' `active` (acks, `page:count`,
 * HTTP, SSE), members' `activity` and its `room:updated`, and passive
 * sockets: a hidden socket hears no announcement (emits still reach it), and
 * coming back it is sent exactly the figures that differ, before its ack, at
 * most once per COUNT_INTERVAL_MS.
 */

const SECRET = 'activity-e2e-secret-0123456789abcdef';
const API_KEY = 'activity-e2e-key-0123456789';

const user = async (url: string, sub: string, name = sub) => (await connect(url, { clientId: clientId(sub), token: await userToken(SECRET, sub, { name }) })).socket;

describe('activity (one process)', () => {
  const server = useServer({ JWT_SECRET: SECRET, API_KEY, COUNT_INTERVAL_MS: '50', GRACE_MS: '1000', ROSTER_MAX: '4', POLLS: 'activity-poll' });

  /** Waits until the sockets of the tests before are gone (their grace ran out): nothing else moves the stats. */
  const quiet = () => untilMetric(server.url, 'presently_held_connections', (n) => n === 0);

  const emit = (event: string, data: unknown, to: unknown) => post(server.url, '/api/emit', { event, data, to }, { 'x-api-key': API_KEY });

  /** Sends an application event to `room` and waits until `socket` has it: whatever was sent to it before has arrived. */
  async function reached(socket: TestSocket, room: string): Promise<void> {
    const marker = clientId('marker');
    const arrived = waitFor(socket, 'marker', (payload) => payload === marker);
    expect((await emit('marker', marker, { room })).status).toBe(202);
    await arrived;
  }

  it('acks presence:activity with the state, counts a new socket active, and every page figure carries active', async () => {
    const page = key('/activity/counts');
    const { socket: a } = await connect(server.url);
    expect(await request(a, 'page:enter', { page })).toEqual({ ok: true, page, viewers: 1, connections: 1, active: 1 });
    // A stream's reader counts as active.
    const stream = await openStream(server.url, { page, clientId: clientId('reader') });
    expect(await stream.next('count')).toEqual(counts(page, 2, 2, 2));
    const { socket: watcher } = await connect(server.url);
    const seen = record(watcher, 'page:count');
    expect(await request(watcher, 'page:watch', { pages: [page] })).toEqual({ ok: true, counts: [counts(page, 2, 2, 2)] });

    const has = (expected: unknown) => until(() => seen.some(equals(expected)), `the watcher heard ${JSON.stringify(expected)}`);
    expect(await request(a, 'presence:activity', { state: 'idle' })).toEqual({ ok: true, state: 'idle' });
    await has(counts(page, 2, 2, 1));
    expect(await stream.next('count')).toEqual(counts(page, 2, 2, 1));
    expect(await pageCount(server.url, page)).toEqual(counts(page, 2, 2, 1));
    // Idle to hidden moves no count; hidden to active does.
    expect(await request(a, 'presence:activity', { state: 'hidden' })).toEqual({ ok: true, state: 'hidden' });
    expect(await request(a, 'presence:activity', { state: 'active' })).toEqual({ ok: true, state: 'active' });
    await has(counts(page, 2, 2, 2));
    expect(seen).toEqual([counts(page, 2, 2, 1), counts(page, 2, 2, 2)]);
  });

  it('counts a browser active while one of its tabs is, and keeps a held tab in its last state', async () => {
    const page = key('/activity/tabs');
    const browser = clientId('browser');
    const { socket: tab1 } = await connect(server.url, { clientId: browser });
    const { socket: tab2 } = await connect(server.url, { clientId: browser });
    await request(tab1, 'page:enter', { page });
    await request(tab2, 'page:enter', { page });
    await request(tab1, 'presence:activity', { state: 'hidden' });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 2, 1));
    await request(tab2, 'presence:activity', { state: 'idle' });
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 2, 0));
    // The idle tab goes away: held, still idle; its reload comes back active in its place.
    await quiet();
    tab2.disconnect();
    await untilMetric(server.url, 'presently_held_connections', (n) => n === 1);
    expect(await pageCount(server.url, page)).toEqual(counts(page, 1, 2, 0));
    const { socket: reload } = await connect(server.url, { clientId: browser });
    expect(await request(reload, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 1, 2, 1) });
  });

  it("tells the room's other sockets of a member's activity as room:updated, never the socket that caused it, and lists carry it", async () => {
    const room = key('activity-room');
    const observer = await user(server.url, 'observer');
    await request(observer, 'room:join', { room });
    const tab1 = await user(server.url, 'ann', 'Ann');
    const joined = waitFor<{ member: Member }>(observer, 'room:joined', (e) => e.member.userId === 'ann');
    expect((await request(tab1, 'room:join', { room })).self).toMatchObject({ userId: 'ann', activity: 'active' });
    expect((await joined).member.activity).toBe('active');
    const tab1Updates = record<Updated>(tab1, 'room:updated');
    const observed = record<Updated>(observer, 'room:updated');

    const idle = waitFor(observer, 'room:updated', (e: Updated) => e.member.activity === 'idle');
    await request(tab1, 'presence:activity', { state: 'idle' });
    await idle;
    // A second tab of Ann, active: Ann is active; her first tab hears it too.
    const tab2 = await user(server.url, 'ann', 'Ann');
    const toTab1 = waitFor<Updated>(tab1, 'room:updated', (e) => e.member.activity === 'active');
    expect((await request(tab2, 'room:join', { room })).self).toMatchObject({ activity: 'active', connections: 2 });
    expect((await toTab1).member).toMatchObject({ userId: 'ann', activity: 'active', connections: 2 });
    // The second tab hidden: Ann is idle again.
    const idleAgain = waitFor(observer, 'room:updated', (e: Updated) => e.member.activity === 'idle' && e.member.connections === 2);
    await request(tab2, 'presence:activity', { state: 'hidden' });
    await idleAgain;
    await barrier(tab1);
    expect(observed.map((e) => e.member.activity)).toEqual(['idle', 'active', 'idle']);
    // Tab 1 caused the first change and heard of the others.
    expect(tab1Updates.map((e) => e.member.activity)).toEqual(['active', 'idle']);

    const listed = await membersOn(server.url, room);
    expect(listed.map((m) => [m.userId, m.activity])).toEqual([
      ['observer', 'active'],
      ['ann', 'idle'],
    ]);
    const late = await user(server.url, 'late');
    expect((await request(late, 'room:join', { room })).members.map((m: Member) => m.activity)).toEqual(['active', 'idle', 'active']);
  });

  it('sends a hidden socket no announcement (emits still reach it), then exactly what differs before its ack', async () => {
    const [page, still, backAgain, room, unchanged] = [key('/passive/p'), key('/passive/still'), key('/passive/back'), key('passive-room'), key('passive-unchanged')];
    const poll = 'activity-poll';
    await quiet();
    const hidden = await user(server.url, 'hidden', 'Hidden');
    expect(await request(hidden, 'page:enter', { page })).toMatchObject({ ok: true });
    expect(await request(hidden, 'page:watch', { pages: [still, backAgain] })).toMatchObject({ ok: true });
    expect(await request(hidden, 'room:join', { room })).toMatchObject({ ok: true });
    expect(await request(hidden, 'room:join', { room: unchanged })).toMatchObject({ ok: true });
    expect(await request(hidden, 'stats:watch', {})).toMatchObject({ ok: true });
    expect(await request(hidden, 'poll:watch', { poll })).toMatchObject({ ok: true });
    // The observer hears what the hidden socket would have.
    const observer = await user(server.url, 'watcher');
    await request(observer, 'room:join', { room });
    await request(observer, 'page:watch', { pages: [page] });
    await request(observer, 'poll:watch', { poll });
    const heard = journal(observer);

    const log = journal(hidden);
    expect(await journaled(hidden, 'presence:activity', { state: 'hidden' })).toEqual({ ok: true, state: 'hidden' });
    const x = await user(server.url, 'xavier', 'Xavier');
    await request(x, 'page:enter', { page });
    await request(x, 'room:join', { room });
    await request(x, 'room:update', { room, profile: { status: 'busy' } });
    await request(x, 'poll:vote', { poll, option: 'red' });
    // A page that changes and changes back differs from nothing the socket holds.
    await request(x, 'page:enter', { page: backAgain });
    await request(x, 'page:leave', { page: backAgain });
    await until(
      () =>
        heard.some((e) => e.event === 'room:updated' && e.payload.member.userId === 'xavier' && e.payload.member.status === 'busy') &&
        heard.some((e) => e.event === 'page:count' && e.payload.page === page && e.payload.viewers === 2) &&
        heard.some((e) => e.event === 'poll:tally' && e.payload.poll === poll),
      'the observer heard every change',
    );
    await reached(hidden, room);
    expect(names(log)).toEqual(['ack:presence:activity', 'marker']);
    expect(log.some((e) => ANNOUNCEMENTS.includes(e.event))).toBe(false);

    const fresh = since(log);
    const ack = await journaled(hidden, 'presence:activity', { state: 'active' });
    expect(ack).toEqual({ ok: true, state: 'active' });
    const caughtUp = upToAck(fresh());
    // Each figure that differs, once, before the ack: the page, the room, the stats, the poll; not the unchanged page, room or the page that came back.
    expect(names(caughtUp).sort()).toEqual(['ack:presence:activity', 'page:count', 'poll:tally', 'room:sync', 'stats'].sort());
    expect(caughtUp[caughtUp.length - 1].event).toBe('ack:presence:activity');
    const payload = (event: string) => caughtUp.find((e) => e.event === event)?.payload;
    expect(payload('page:count')).toEqual(await pageCount(server.url, page));
    const members = await membersOn(server.url, room);
    expect(payload('room:sync')).toEqual({ room, members, total: 3, typing: [] });
    expect(payload('room:sync').members.find((m: Member) => m.userId === 'xavier')).toMatchObject({ status: 'busy', activity: 'active' });
    expect(payload('poll:tally')).toEqual({ poll, tallies: expect.objectContaining({ red: expect.any(Number) }) });
    expect(payload('stats')).toEqual((await get(server.url, '/api/stats')).body);

    // Listening again: the next change reaches it as usual.
    const next = waitFor(hidden, 'page:count', (c: { page: string; viewers: number }) => c.page === page && c.viewers === 1);
    await request(x, 'page:leave', { page });
    await next;
  });

  it('keeps what a hidden socket is answered as what it holds: an unchanged answer is not sent again', async () => {
    const [page, room] = [key('/passive/answered'), key('passive-answered')];
    const hidden = await user(server.url, 'answered');
    const other = await user(server.url, 'other');
    await request(other, 'room:join', { room });
    const log = journal(hidden);
    await journaled(hidden, 'presence:activity', { state: 'hidden' });
    expect(await journaled(hidden, 'page:enter', { page })).toEqual({ ok: true, ...counts(page, 1, 1, 0) });
    expect(await journaled(hidden, 'room:join', { room })).toMatchObject({ ok: true, total: 2 });
    // Only the page changes while it is hidden.
    await request(other, 'page:enter', { page });
    await request(other, 'page:leave', { page });
    await request(other, 'page:enter', { page });
    const fresh = since(log);
    await journaled(hidden, 'presence:activity', { state: 'idle' });
    expect(upToAck(fresh())).toEqual([
      { event: 'page:count', payload: counts(page, 2, 2, 1) },
      { event: 'ack:presence:activity', payload: { ok: true, state: 'idle' } },
    ]);
    // Idle is not passive: it hears changes.
    const left = waitFor(hidden, 'room:left', (e: { userId: string }) => e.userId === 'other');
    await request(other, 'room:leave', { room });
    await left;
  });

  it("sends a large room's total if it differs, and nothing for an unchanged one", async () => {
    const [large, unchanged] = [key('passive-large'), key('passive-large-same')];
    const hidden = await user(server.url, 'large-hidden');
    const crowd = await Promise.all(['l1', 'l2', 'l3', 'l4'].map((sub) => user(server.url, sub)));
    for (const room of [large, unchanged]) {
      await request(hidden, 'room:join', { room });
      const five = waitFor(hidden, 'room:count', equals({ room, total: 5 }));
      for (const socket of crowd) await request(socket, 'room:join', { room });
      await five;
    }
    const log = journal(hidden);
    await journaled(hidden, 'presence:activity', { state: 'hidden' });
    // 4 is not below 3.6: still large.
    await request(crowd[0], 'room:leave', { room: large });
    const fresh = since(log);
    await journaled(hidden, 'presence:activity', { state: 'active' });
    expect(upToAck(fresh())).toEqual([
      { event: 'room:count', payload: { room: large, total: 4 } },
      { event: 'ack:presence:activity', payload: { ok: true, state: 'active' } },
    ]);
  });

  it('reaches a hidden member with emits to its room and lets an operator take it out of the room', async () => {
    const room = key('passive-moderated');
    const hidden = await user(server.url, 'moderated');
    await request(hidden, 'room:join', { room });
    await request(hidden, 'presence:activity', { state: 'hidden' });
    const removed = waitFor(hidden, 'room:removed', equals({ room }));
    expect(await post(server.url, '/api/disconnect', { userId: 'moderated', room }, { 'x-api-key': API_KEY })).toMatchObject({ status: 200 });
    await removed;
    // Out of the room: neither its announcements nor its emits reach it any more, hidden or not.
    const log = journal(hidden);
    await request(hidden, 'presence:activity', { state: 'active' });
    const { socket: probe } = await connect(server.url);
    await request(probe, 'room:join', { room });
    await emit('after', null, { room });
    await reached(probe, room);
    await barrier(hidden);
    expect(names(log).filter((event) => event !== 'marker')).toEqual([]);
  });
});

describe('activity: at most one catch-up per COUNT_INTERVAL_MS (4000)', () => {
  const server = useServer({ JWT_SECRET: SECRET, COUNT_INTERVAL_MS: '4000', GRACE_MS: '200' });

  it('acks a faster return at once and sends its catch-up at the end of the interval, once', async () => {
    const page = key('/passive/flapping');
    const hidden = await user(server.url, 'flapper');
    const own = waitFor(hidden, 'page:count', equals(counts(page, 1, 1, 1)));
    await request(hidden, 'page:enter', { page });
    await own;
    const log = journal(hidden);
    // A first return catches up at once (nothing differs).
    await journaled(hidden, 'presence:activity', { state: 'hidden' });
    await journaled(hidden, 'presence:activity', { state: 'active' });
    expect(names(log)).toEqual(['ack:presence:activity', 'ack:presence:activity']);
    // Hidden again; the page changes; back within the interval: acked now, caught up later.
    await journaled(hidden, 'presence:activity', { state: 'hidden' });
    const x = await user(server.url, 'flap-x');
    await request(x, 'page:enter', { page });
    const fresh = since(log);
    expect(await journaled(hidden, 'presence:activity', { state: 'active' })).toEqual({ ok: true, state: 'active' });
    // Flapping further within the interval changes nothing: one catch-up, with the last figures.
    await journaled(hidden, 'presence:activity', { state: 'hidden' });
    await request(x, 'page:leave', { page });
    const y = await user(server.url, 'flap-y');
    await request(y, 'page:enter', { page });
    await request(y, 'page:enter', { page: key('/elsewhere') });
    await journaled(hidden, 'presence:activity', { state: 'idle' });
    const caughtUp = waitFor(hidden, 'page:count', () => true, 15_000);
    expect(await caughtUp).toEqual(counts(page, 2, 2, 1));
    expect(fresh()).toEqual([
      { event: 'ack:presence:activity', payload: { ok: true, state: 'active' } },
      { event: 'ack:presence:activity', payload: { ok: true, state: 'hidden' } },
      { event: 'ack:presence:activity', payload: { ok: true, state: 'idle' } },
      { event: 'page:count', payload: counts(page, 2, 2, 1) },
    ]);
  }, 30_000);
});
