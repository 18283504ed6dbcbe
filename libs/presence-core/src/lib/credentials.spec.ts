import type { PresenceOptions } from '../index';
import { Presence } from '../index';
import { TEST_OPTIONS, signedIn, ManualClock, RecordingSink } from '../testing';

/** A token that expires while its connection is open (`Presence.revokeCredentials`). */


describe('Presence.revokeCredentials', () => {
  let clock: ManualClock;
  let sink: RecordingSink;
  let presence: Presence;

  beforeEach(() => {
    clock = new ManualClock();
    sink = new RecordingSink();
    presence = new Presence(clock, sink, TEST_OPTIONS);
    presence.connect('alice-1', signedIn('alice-browser', 'alice', ['admin']));
    presence.connect('bob-1', signedIn('bob-browser', 'bob', ['admin']));
    for (const room of ['private:ops', 'role:admin', 'role:admin:war-room', 'lobby']) {
      expect(presence.joinRoom('alice-1', room).ok).toBe(true);
      expect(presence.joinRoom('bob-1', room).ok).toBe(true);
    }
    expect(presence.enterPage('alice-1', '/home').ok).toBe(true);
    clock.advance(2000);
    sink.take();
  });

  it('removes the connection from private and role rooms at once, announcing room:left to the others', () => {
    expect(presence.revokeCredentials('alice-1')).toEqual({ ok: true, rooms: ['private:ops', 'role:admin', 'role:admin:war-room'] });
    expect(sink.take()).toEqual(
      ['private:ops', 'role:admin', 'role:admin:war-room'].map((room) => ({ type: 'room:left', room, userId: 'alice', reason: 'leave', duration: 2000, except: 'alice-1' })),
    );
    for (const room of ['private:ops', 'role:admin', 'role:admin:war-room']) {
      expect(presence.members(room).map((m) => m.userId)).toEqual(['bob']);
    }
    // Public rooms and pages are unchanged.
    expect(presence.members('lobby').map((m) => m.userId)).toEqual(['alice', 'bob']);
    expect(presence.pageCounts('/home')).toEqual({ page: '/home', viewers: 1, connections: 1, active: 1 });
  });

  it('refuses to let it join such rooms again, while public rooms stay open', () => {
    presence.revokeCredentials('alice-1');
    sink.take();
    expect(presence.joinRoom('alice-1', 'private:ops')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(presence.joinRoom('alice-1', 'private:other')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(presence.joinRoom('alice-1', 'role:admin')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(presence.joinRoom('alice-1', 'elsewhere')).toMatchObject({ ok: true });
    expect(presence.members('private:ops').map((m) => m.userId)).toEqual(['bob']);
  });

  it('keeps the member while another connection of the user still vouches for it', () => {
    presence.connect('alice-2', signedIn('alice-laptop', 'alice', ['admin']));
    expect(presence.joinRoom('alice-2', 'private:ops')).toMatchObject({ ok: true, self: { connections: 2 } });
    sink.take();
    expect(presence.revokeCredentials('alice-1')).toMatchObject({ ok: true, rooms: expect.arrayContaining(['private:ops']) });
    expect(sink.take().filter((e) => e.type === 'room:left' && e.room === 'private:ops')).toEqual([]);
    expect(presence.members('private:ops').find((m) => m.userId === 'alice')).toMatchObject({ connections: 1 });
  });

  it('is idempotent and answers BAD_REQUEST for an unknown or held connection', () => {
    presence.revokeCredentials('alice-1');
    sink.take();
    expect(presence.revokeCredentials('alice-1')).toEqual({ ok: true, rooms: [] });
    expect(sink.take()).toEqual([]);
    expect(presence.revokeCredentials('nobody')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    presence.disconnect('bob-1');
    expect(presence.revokeCredentials('bob-1')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('leaves no ghost: the rooms empty out when the last members go', () => {
    presence.revokeCredentials('alice-1');
    presence.revokeCredentials('bob-1');
    expect(presence.members('private:ops')).toEqual([]);
    presence.leaveRoom('alice-1', 'lobby');
    presence.leaveRoom('bob-1', 'lobby');
    expect(presence.sizes().rooms).toBe(0);
  });
});

describe('Presence.countChanges', () => {
  it('counts every change of a page count, sent or coalesced', () => {
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const presence = new Presence(clock, sink, TEST_OPTIONS);
    for (let i = 0; i < 5; i++) {
      presence.connect(`s${i}`, signedIn(`browser-${i}`, `u${i}`));
      presence.enterPage(`s${i}`, '/busy');
    }
    presence.leavePage('s0', '/busy');
    presence.enterPage('s0', '/busy'); // entering twice changes nothing
    presence.enterPage('s0', '/busy');
    clock.advance(1000);
    expect(presence.countChanges()).toBe(7);
    expect(sink.of('page:count')).toEqual([{ type: 'page:count', counts: { page: '/busy', viewers: 5, connections: 5, active: 5 } }]);
  });
});
