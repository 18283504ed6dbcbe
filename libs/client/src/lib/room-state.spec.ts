import type { Member } from '@presently/protocol';
import { applyRoomEvent, membersOf, NO_MEMBERS, removeMember, replaceMember, upsertMember } from './room-state';

const member = (userId: string, status = 'online'): Member => ({ userId, name: userId, status, meta: {}, connections: 1, since: 1, activity: 'active' });

describe('room state', () => {
  const ada = member('ada');
  const bob = member('bob');

  it('takes a list over as a frozen copy', () => {
    const list = [ada, bob];
    const members = membersOf(list);
    expect(members).toEqual([ada, bob]);
    expect(members).not.toBe(list);
    expect(Object.isFrozen(members)).toBe(true);
    expect(membersOf([])).toBe(NO_MEMBERS);
  });

  it('adds a joined member at the end, in a new array', () => {
    const before = membersOf([ada]);
    const after = applyRoomEvent(before, { type: 'joined', room: 'r', member: bob });
    expect(after).toEqual([ada, bob]);
    expect(before).toEqual([ada]);
    expect(Object.isFrozen(after)).toBe(true);
  });

  it('replaces an updated member in place', () => {
    const before = membersOf([ada, bob]);
    const busy = member('ada', 'busy');
    const after = applyRoomEvent(before, { type: 'updated', room: 'r', member: busy });
    expect(after).toEqual([busy, bob]);
    expect(before[0]).toBe(ada);
    expect(ada.status).toBe('online');
  });

  it('removes a member who left, and keeps the same array when there was none', () => {
    const before = membersOf([ada, bob]);
    const after = applyRoomEvent(before, { type: 'left', room: 'r', userId: 'ada', reason: 'leave' });
    expect(after).toEqual([bob]);
    expect(before).toEqual([ada, bob]);
    expect(removeMember(after, 'nobody')).toBe(after);
    expect(removeMember(membersOf([bob]), 'bob')).toBe(NO_MEMBERS);
  });

  it('upserts a member it did not know', () => {
    expect(upsertMember(NO_MEMBERS, ada)).toEqual([ada]);
    expect(NO_MEMBERS).toEqual([]);
  });

  it('replaces a member who signed in or out in its place (an update with previousUserId)', () => {
    const cy = member('cy');
    const before = membersOf([ada, bob, cy]);
    const signedIn = member('u_bob', 'busy');
    const after = applyRoomEvent(before, { type: 'updated', room: 'r', member: signedIn, previousUserId: 'bob' });
    expect(after).toEqual([ada, signedIn, cy]);
    expect(before).toEqual([ada, bob, cy]);
    expect(Object.isFrozen(after)).toBe(true);
    // An entry the new id already had goes (one entry per user); an unknown previous id is an upsert.
    expect(replaceMember(membersOf([ada, signedIn, bob]), 'bob', signedIn)).toEqual([ada, signedIn]);
    expect(replaceMember(membersOf([ada]), 'nobody', signedIn)).toEqual([ada, signedIn]);
  });
});
