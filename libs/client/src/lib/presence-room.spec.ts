import type { ClientEventName, Member } from '@presently/protocol';
import { firstValueFrom } from 'rxjs';
import type { ReplyOf } from './connection';
import type { Link, RunCommand } from './link';
import { Room } from './presence-room';
import { ServerClock } from './server-clock';

const member = (userId: string, status: string): Member => ({ userId, name: userId, status, meta: {}, connections: 1, since: 1, activity: 'active' });

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
const settings = () => ({ clock: new ServerClock(), recentMs: 600_000, self: null });

describe('Room: a snapshot from an ack never overwrites a push that came after it', () => {
  const snapshot = { ok: true, room: 'r', self: member('ada', 'online'), members: [member('ada', 'online'), member('bob', 's777')], total: 2 };

  it('on a join', async () => {
    const room: Room = new Room('r', linkAnswering(snapshot, () => room.apply({ type: 'updated', room: 'r', member: member('bob', 's861') })), run, settings());
    await room.join({ name: 'ada' });
    expect((await firstValueFrom(room.members$)).map((m) => m.status)).toEqual(['online', 's861']);
  });

  it('on the restore after a reconnection', async () => {
    let pushed = false;
    const link = linkAnswering(snapshot, () => {
      if (pushed) room.apply({ type: 'updated', room: 'r', member: member('bob', 's861') });
      pushed = true;
    });
    const room: Room = new Room('r', link, run, settings());
    await room.join({ name: 'ada' });
    await room.restore();
    expect((await firstValueFrom(room.members$)).map((m) => m.status)).toEqual(['online', 's861']);
    expect(await firstValueFrom(room.total$)).toBe(2);
  });

  it('when a member leaves right behind the ack', async () => {
    const room: Room = new Room('r', linkAnswering(snapshot, () => room.apply({ type: 'left', room: 'r', userId: 'bob', reason: 'disconnect' })), run, settings());
    await room.join({ name: 'ada' });
    expect((await firstValueFrom(room.members$)).map((m) => m.userId)).toEqual(['ada']);
    expect(await firstValueFrom(room.total$)).toBe(1);
  });
});

describe('Room: what the client means to be, whatever order the acks come back in', () => {
  /** A link whose acks the test answers, in any order. */
  function deferredLink() {
    const pending: Array<{ event: string; answer: (reply: unknown) => void }> = [];
    const link: Link = {
      connected: true,
      request<E extends ClientEventName>(event: E, _payload: unknown, applied?: (reply: ReplyOf<E>) => void) {
        return new Promise<ReplyOf<E>>((resolve) => {
          pending.push({
            event,
            answer: (reply) => {
              applied?.(reply as ReplyOf<E>);
              resolve(reply as ReplyOf<E>);
            },
          });
        });
      },
    };
    return { link, pending };
  }

  it('a leave answered before the earlier join: not a member, and a reconnection does not join again', async () => {
    const { link, pending } = deferredLink();
    const room = new Room('r', link, run, settings());
    const joining = room.join({ name: 'ada' });
    const leaving = room.leave();
    expect(pending.map((p) => p.event)).toEqual(['room:join', 'room:leave']);
    pending[1].answer({ ok: true, room: 'r' });
    pending[0].answer(snapshotOf(['ada']));
    await Promise.all([joining, leaving]);
    expect(await firstValueFrom(room.members$)).toEqual([]);
    await room.restore();
    expect(pending).toHaveLength(2);
  });

  it('a reconnection while a join waits for its answer leaves the join to that command', async () => {
    const { link, pending } = deferredLink();
    const room = new Room('r', link, run, settings());
    const joining = room.join({ name: 'ada' });
    void room.restore();
    expect(pending.map((p) => p.event)).toEqual(['room:join']);
    pending[0].answer(snapshotOf(['ada']));
    await joining;
    // Answered: a later reconnection joins again, with the profile meant.
    void room.restore();
    expect(pending.map((p) => p.event)).toEqual(['room:join', 'room:join']);
  });
});

function snapshotOf(userIds: string[]) {
  return { ok: true, room: 'r', self: member(userIds[0], 'online'), members: userIds.map((id) => member(id, 'online')), total: userIds.length };
}
