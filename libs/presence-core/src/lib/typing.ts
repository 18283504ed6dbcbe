import type { Clock } from './clock';
import { ledgerMemberOf, type Connection } from './connection';
import { DeadlineQueue } from './deadline-queue';
import type { PresenceContributions, PresenceLedger, TypingSink } from './types';

/** One connection typing in one room, until its deadline. */
interface Typist {
  readonly conn: Connection;
  readonly room: string;
}

/** A member typing in a room: its id and how many of its connections here type. */
interface TypingMember {
  readonly userId: string;
  connections: number;
}

/**
 * Who is typing in each room. A member types while any of its connections
 * does; a connection types from its `typing: true` until its `typing: false`,
 * its leave, its disconnect (the grace period does not type), or `typingMs`
 * after its last `typing: true`, whichever comes first. A renewal moves the
 * deadline and announces nothing; a member starting or stopping is announced
 * to the room (not to the connection whose typing changed, nor in a large
 * room), and reported to the ledger, whose store decides it for a cluster.
 *
 * Deadlines are one {@link DeadlineQueue}: one timer for every typing
 * connection, none per member. Every operation is O(1).
 */
export class Typing {
  /** Connection → the rooms it types in. */
  private readonly byConnection = new Map<Connection, Map<string, Typist>>();
  /** Room → its typing members by userKey, in the order they started. */
  private readonly rooms = new Map<string, Map<string, TypingMember>>();
  private readonly deadlines: DeadlineQueue<Typist>;

  constructor(
    clock: Clock,
    typingMs: number,
    private readonly sink: TypingSink | null,
    private readonly ledger: PresenceLedger | null,
    /** Whether a room is large (typing is then kept, not announced). */
    private readonly isLarge: (room: string) => boolean,
  ) {
    this.deadlines = new DeadlineQueue(clock, typingMs, (typist) => this.stop(typist.conn, typist.room));
  }

  /** `conn`, a member of `room`, types: its deadline starts again. */
  start(conn: Connection, room: string): void {
    let typed = this.byConnection.get(conn);
    const known = typed?.get(room);
    if (known) return this.deadlines.push(known);
    if (!typed) this.byConnection.set(conn, (typed = new Map()));
    const typist: Typist = { conn, room };
    typed.set(room, typist);
    this.deadlines.push(typist);
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Map()));
    const member = members.get(conn.userKey);
    if (member) member.connections++;
    else {
      members.set(conn.userKey, { userId: conn.identity.userId, connections: 1 });
      this.changed(conn, room, true);
    }
  }

  /** `conn` no longer types in `room` (if it did). */
  stop(conn: Connection, room: string): void {
    const typed = this.byConnection.get(conn);
    const typist = typed?.get(room);
    if (!typed || !typist) return;
    typed.delete(room);
    if (typed.size === 0) this.byConnection.delete(conn);
    this.deadlines.delete(typist);
    const members = this.rooms.get(room);
    const member = members?.get(conn.userKey);
    if (!members || !member || --member.connections > 0) return;
    members.delete(conn.userKey);
    if (members.size === 0) this.rooms.delete(room);
    this.changed(conn, room, false);
  }

  /** `conn` went away: it types nowhere any more. O(rooms it types in). */
  stopAll(conn: Connection): void {
    const typed = this.byConnection.get(conn);
    if (!typed) return;
    for (const room of [...typed.keys()]) this.stop(conn, room);
  }

  /** The userIds typing in `room` now, in the order they started. O(typing members). */
  list(room: string): string[] {
    const members = this.rooms.get(room);
    return members ? Array.from(members.values(), (member) => member.userId) : [];
  }

  /** The members typing through this registry's connections, for a cluster store's share. */
  contributions(): PresenceContributions['typing'] {
    const all: PresenceContributions['typing'] = [];
    for (const [room, members] of this.rooms) for (const userKey of members.keys()) all.push({ room, userKey });
    return all;
  }

  dispose(): void {
    this.deadlines.dispose();
    this.byConnection.clear();
    this.rooms.clear();
  }

  private changed(conn: Connection, room: string, typing: boolean): void {
    this.ledger?.typing(room, ledgerMemberOf(conn), typing ? 1 : -1, conn.id);
    if (this.sink && !this.isLarge(room)) this.sink.roomTyping(room, conn.identity.userId, typing, conn.id);
  }
}
