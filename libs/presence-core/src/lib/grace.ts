import type { ActivityState } from '@presently/protocol';
import type { Clock } from './clock';
import { ledgerMemberOf, type Connection } from './connection';
import type { PresenceContributions, PresenceLedger } from './types';

/** A page (`p`) or a room (`r`) a held connection is still on. */
export type PlaceKind = 'p' | 'r';

/**
 * The grace period that hides reloads. A counted connection that goes away
 * while on pages or in rooms is held for `graceMs`, still counting
 * everywhere. A connection of the same client and user coming back in time
 * takes the held one's places one by one (`take`), without any count moving
 * or any announcement. Once nothing of a held connection is left, or its
 * time runs out with what is left, it is handed to `end`.
 *
 * Held connections are kept by client: finding one costs O(held connections
 * of that client). They are also kept by address, oldest first, so that a
 * per-address limit counts them and can end the oldest one early
 * (`endOldest`), exactly as if its time had run out.
 */
export class Grace {
  /** clientId → its held connections, the candidates for a return. */
  private readonly byClient = new Map<string, Set<Connection>>();
  /** address → its held connections in the order they were held (a Set keeps insertion order). */
  private readonly byAddress = new Map<string, Set<Connection>>();
  private count = 0;

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly ledger: PresenceLedger | null,
    /** Ends what is left of a connection that is no longer held. */
    private readonly end: (conn: Connection) => void,
  ) {}

  /** Holds a connection that went away; false if nothing of it is to be held. */
  hold(conn: Connection): boolean {
    if (!conn.counted || conn.pages.size + conn.rooms.size === 0 || this.graceMs <= 0) return false;
    conn.held = this.clock.setTimer(this.graceMs, () => this.end(conn));
    conn.heldSince = this.clock.now();
    let held = this.byClient.get(conn.identity.clientId);
    if (!held) this.byClient.set(conn.identity.clientId, (held = new Set()));
    held.add(conn);
    const address = conn.account.address;
    let atAddress = this.byAddress.get(address);
    if (!atAddress) this.byAddress.set(address, (atAddress = new Set()));
    atAddress.add(conn);
    this.count++;
    if (this.ledger) {
      for (const page of conn.pages) this.ledger.hold('p', page, ledgerMemberOf(conn), 1);
      for (const room of conn.rooms) this.ledger.hold('r', room, ledgerMemberOf(conn), 1);
    }
    return true;
  }

  /** The earliest held connection of `clientId` and `userKey` still on `key` (and whose last activity was `activity`, if given). */
  find(clientId: string, userKey: string, kind: PlaceKind, key: string, activity?: ActivityState): Connection | undefined {
    const held = this.byClient.get(clientId);
    if (!held) return undefined;
    for (const candidate of held) {
      if (candidate.userKey !== userKey || (activity !== undefined && candidate.activity !== activity)) continue;
      if ((kind === 'p' ? candidate.pages : candidate.rooms).has(key)) return candidate;
    }
    return undefined;
  }

  /**
   * `conn` came onto `key`: if a held connection of its client and user is
   * there, `conn` takes its place (the held one leaves `key` without
   * counting down) and that held connection is answered.
   */
  take(conn: Connection, kind: PlaceKind, key: string): Connection | undefined {
    const held = this.find(conn.identity.clientId, conn.userKey, kind, key);
    if (!held) return undefined;
    (kind === 'p' ? held.pages : held.rooms).delete(key);
    this.ledger?.hold(kind, key, ledgerMemberOf(held), -1);
    this.release(held);
    return held;
  }

  /** Ends a held connection at once if nothing of it is held any more. */
  release(held: Connection): void {
    if (held.pages.size + held.rooms.size > 0) return;
    if (held.held) this.clock.clearTimer(held.held);
    this.end(held);
  }

  /** `conn` ended: it is no longer a candidate. */
  forget(conn: Connection): void {
    const clientId = conn.identity.clientId;
    const held = this.byClient.get(clientId);
    if (!held?.delete(conn)) return;
    this.count--;
    if (held.size === 0) this.byClient.delete(clientId);
    const address = conn.account.address;
    const atAddress = this.byAddress.get(address);
    if (atAddress?.delete(conn) && atAddress.size === 0) this.byAddress.delete(address);
  }

  /** Held connections of `address`. O(1). */
  heldAt(address: string): number {
    return this.byAddress.get(address)?.size ?? 0;
  }

  /**
   * Ends the oldest held connection of `address` now, as its grace running
   * out would (its pages count down, its rooms hear `room:left` with reason
   * `disconnect`); false if the address holds none. O(its pages and rooms).
   */
  endOldest(address: string): boolean {
    const oldest = this.byAddress.get(address)?.values().next().value;
    if (!oldest) return false;
    if (oldest.held) this.clock.clearTimer(oldest.held);
    this.end(oldest);
    return true;
  }

  /** Held connections. */
  get size(): number {
    return this.count;
  }

  /** Each page and room of each held connection. */
  contributions(): PresenceContributions['held'] {
    const places: PresenceContributions['held'] = [];
    for (const [clientId, conns] of this.byClient) {
      for (const conn of conns) {
        const { userKey, activity } = conn;
        for (const page of conn.pages) places.push({ kind: 'p', key: page, clientId, userKey, activity });
        for (const room of conn.rooms) places.push({ kind: 'r', key: room, clientId, userKey, activity });
      }
    }
    return places;
  }

  /** Stops every grace timer and holds no one any more. */
  dispose(): void {
    for (const held of this.byClient.values()) {
      for (const conn of held) if (conn.held) this.clock.clearTimer(conn.held);
    }
    this.byClient.clear();
    this.byAddress.clear();
    this.count = 0;
  }
}
