import type { Member } from '@presently/protocol';
import { type Activity, describe as describeEvent, type KnownMember, learn, prepend, remember } from './activity';

const member = (userId: string, name: string, status = 'online', meta: Member['meta'] = {}): Member => ({
  userId,
  name,
  status,
  meta,
  connections: 1,
  since: 0,
  activity: 'active',
});

describe('the chat activity feed', () => {
  it('names who joined and who left, by the name it knew', () => {
    const known = new Map<string, KnownMember>();
    const joined = { type: 'joined', room: 'r', member: member('u1', 'Ada') } as const;
    expect(describeEvent(joined, known)).toEqual([{ kind: 'joined', name: 'Ada', text: 'joined', status: 'online' }]);
    remember(known, joined);
    const left = { type: 'left', room: 'r', userId: 'u1', reason: 'leave' } as const;
    expect(describeEvent(left, known)).toEqual([{ kind: 'left', name: 'Ada', text: 'left', status: null }]);
    remember(known, left);
    expect(known.size).toBe(0);
  });

  it('says why a member left when it was not by leaving, and "Someone" when it never knew them', () => {
    const known = new Map([['u1', { name: 'Ada', status: 'online' }]]);
    expect(describeEvent({ type: 'left', room: 'r', userId: 'u1', reason: 'disconnect' }, known)[0].text).toBe('left (connection closed)');
    expect(describeEvent({ type: 'left', room: 'r', userId: 'u2', reason: 'node-down' }, known)[0]).toMatchObject({
      name: 'Someone',
      text: 'left (server went down)',
    });
  });

  it('tells a status change from a rename, and says nothing of a change to neither', () => {
    const known = new Map([['u1', { name: 'Ada', status: 'online' }]]);
    expect(describeEvent({ type: 'updated', room: 'r', member: member('u1', 'Ada', 'busy') }, known)).toEqual([
      { kind: 'status', name: 'Ada', text: 'is now busy', status: 'busy' },
    ]);
    expect(describeEvent({ type: 'updated', room: 'r', member: member('u1', 'Ada L.') }, known)).toEqual([
      { kind: 'renamed', name: 'Ada', text: 'is now called Ada L.', status: 'online' },
    ]);
    expect(describeEvent({ type: 'updated', room: 'r', member: member('u1', 'Ada') }, known)).toEqual([]);
  });

  it('shows a new message in a member\'s meta as a line, once, and nothing for an activity change', () => {
    const known = new Map<string, KnownMember>();
    learn(known, [member('u1', 'Ada', 'online', { message: { text: 'said before', at: 1 } })]);
    // What was said before this page joined is not news.
    const idle = { type: 'updated', room: 'r', member: { ...member('u1', 'Ada', 'online', { message: { text: 'said before', at: 1 } }), activity: 'idle' } } as const;
    expect(describeEvent(idle, known)).toEqual([]);
    const said = { type: 'updated', room: 'r', member: member('u1', 'Ada', 'online', { message: { text: 'Hello', at: 2 } }) } as const;
    expect(describeEvent(said, known)).toEqual([{ kind: 'message', name: 'Ada', text: 'Hello', status: 'online' }]);
    remember(known, said);
    // The same message again (a status change, a rejoin) is not said twice.
    const busy = { type: 'updated', room: 'r', member: member('u1', 'Ada', 'busy', { message: { text: 'Hello', at: 2 } }) } as const;
    expect(describeEvent(busy, known)).toEqual([{ kind: 'status', name: 'Ada', text: 'is now busy', status: 'busy' }]);
    // A member who joins with a message in their meta joined; the message is old.
    const joined = { type: 'joined', room: 'r', member: member('u2', 'Lin', 'online', { message: { text: 'old', at: 3 } }) } as const;
    expect(describeEvent(joined, known).map((line) => line.kind)).toEqual(['joined']);
    remember(known, joined);
    expect(known.get('u2')?.messageAt).toBe(3);
  });

  it('tells a sign-in or sign-out without reconnecting as one line, and forgets the old id', () => {
    const known = new Map([['a_anon', { name: 'Ada', status: 'busy' }]]);
    const signedIn = { type: 'updated', room: 'r', member: member('ada', 'Ada Lovelace', 'busy'), previousUserId: 'a_anon' } as const;
    expect(describeEvent(signedIn, known)).toEqual([{ kind: 'signed-in', name: 'Ada', text: 'signed in as Ada Lovelace', status: 'busy' }]);
    remember(known, signedIn);
    expect([...known.keys()]).toEqual(['ada']);
    const signedOut = { type: 'updated', room: 'r', member: member('a_other', 'Anonymous'), previousUserId: 'ada' } as const;
    expect(describeEvent(signedOut, known)[0]).toMatchObject({ name: 'Ada Lovelace', text: 'signed out (now Anonymous)' });
  });

  it('says nothing when a signed-in member is replaced under the same name (a renewed demo token), and forgets the old id', () => {
    const known = new Map([['u_old', { name: 'Ada Lovelace', status: 'busy' }]]);
    const renewed = { type: 'updated', room: 'r', member: member('u_new', 'Ada Lovelace', 'busy'), previousUserId: 'u_old' } as const;
    expect(describeEvent(renewed, known)).toEqual([]);
    remember(known, renewed);
    expect([...known.keys()]).toEqual(['u_new']);
    // Another name is a sign-in as someone else; an anonymous member signing in under its own name is a sign-in too.
    expect(describeEvent({ ...renewed, member: member('u_new', 'Grace') }, new Map([['u_old', { name: 'Ada', status: 'online' }]]))).toHaveLength(1);
    expect(describeEvent({ ...renewed, previousUserId: 'a_anon' }, new Map([['a_anon', { name: 'Ada Lovelace', status: 'online' }]]))[0].text).toBe(
      'signed in as Ada Lovelace',
    );
  });

  it('says why this browser was taken out of the room', () => {
    expect(describeEvent({ type: 'removed', room: 'r', reason: 'moderation' }, new Map())[0].text).toBe('were removed from this room by a moderator');
    expect(describeEvent({ type: 'removed', room: 'r', reason: 'identity' }, new Map())[0].text).toBe('left this room: it needs a sign-in you no longer have');
  });

  it('learns members from a list without forgetting what events taught it', () => {
    const known = new Map([['u1', { name: 'Ada', status: 'busy' }]]);
    learn(known, [member('u1', 'Stale'), member('u2', 'Lin')]);
    expect(Object.fromEntries(known)).toEqual({ u1: { name: 'Ada', status: 'busy' }, u2: { name: 'Lin', status: 'online' } });
  });

  it('keeps the newest lines first, up to its limit', () => {
    const line = (id: number): Activity => ({ id, at: id, kind: 'joined', name: `n${id}`, text: 'joined', status: 'online' });
    const feed = prepend([line(1)], [line(2), line(3)], 3);
    expect(feed.map((a) => a.id)).toEqual([3, 2, 1]);
    expect(prepend(feed, [line(4)], 3).map((a) => a.id)).toEqual([4, 3, 2]);
  });
});
