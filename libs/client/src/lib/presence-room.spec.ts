import type { ClientEventName, Member } from '@presently/protocol';
import { firstValueFrom } from 'rxjs';
import type { ReplyOf } from './connection';
import type { Link, RunCommand } from './link';
import { Room } from './presence-room';

const member = (userId: string, status: string): Member => ({ userId, name: userId, status, meta: {}, connections: 1, since: 1 });

/**
 * A link that answers like a socket whose read holds the ack and, right
 * behind it, a push: the ack's callback runs, then the push's listener, and
 * only then the promise continuations (what a long-polling response, or
 * several websocket frames in one TCP read, do in Node and in browsers).
 */
function linkAnswering(reply: unknown, pushBehind: () => void): Link {
  return {
    connected: true,
    request<E extends ClientEventName>(_event: E, _payload: unknown, applied?: (reply: ReplyOf<E>) => void) {
      applied?.(reply as ReplyOf<E>);
      pushBehind();
      return Promise.resolve(reply as ReplyOf<E>);
    },
  };
}

const run: RunCommand = (send) => send();

describe('Room: a snapshot from an ack never overwrites a push that came after it', () => {
  const snapshot = { ok: true, room: 'r', self: member('ada', 'online'), members: [member('ada', 'online'), member('bob', 's777')], total: 2 };

  it('on a join', async () => {
    const room: Room = new Room('r', linkAnswering(snapshot, () => room.apply({ type: 'updated', room: 'r', member: member('bob', 's861') })), run);
    await room.join({ name: 'ada' });
    expect((await firstValueFrom(room.members$)).map((m) => m.status)).toEqual(['online', 's861']);
  });

  it('on the restore after a reconnection', async () => {
    let pushed = false;
    const link = linkAnswering(snapshot, () => {
      if (pushed) room.apply({ type: 'updated', room: 'r', member: member('bob', 's861') });
      pushed = true;
    });
    const room: Room = new Room('r', link, run);
    await room.join({ name: 'ada' });
    await room.restore();
    expect((await firstValueFrom(room.members$)).map((m) => m.status)).toEqual(['online', 's861']);
    expect(await firstValueFrom(room.total$)).toBe(2);
  });

  it('when a member leaves right behind the ack', async () => {
    const room: Room = new Room('r', linkAnswering(snapshot, () => room.apply({ type: 'left', room: 'r', userId: 'bob', reason: 'disconnect' })), run);
    await room.join({ name: 'ada' });
    expect((await firstValueFrom(room.members$)).map((m) => m.userId)).toEqual(['ada']);
    expect(await firstValueFrom(room.total$)).toBe(1);
  });
});
