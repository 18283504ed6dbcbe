import { ACTIVITY_STATES, type ActivityState } from '@presently/protocol';
import { Presence, type Identity, type LedgerMember, type PresenceLedger, type PresenceOptions, type RoomChange } from '../index';
import { anonymous, ManualClock, RecordingOccupancy, seededRandom, signedIn, TEST_OPTIONS } from '../testing';

const OPTIONS: PresenceOptions = { ...TEST_OPTIONS, countIntervalMs: 0, graceMs: 1000 };

/**
 * What one process's share in a cluster store holds, kept by the rules the
 * store's scripts apply to the ledger's calls: a page's contributions per
 * client (connections, and the active ones among them), a room's per member
 * (userKey), the held places with their last activity, each one a count (a
 * held page's or room's end is applied only while its place is still held;
 * a change of user moves one connection from one member to the other), the
 * members typing in a room (a count of this process's starts and stops,
 * which must stay 0 or 1); and, as the scripts decide it, each page's
 * occupancy changing (no connection before, some after, or the other way
 * round).
 */
class ShareModel implements PresenceLedger {
  readonly pages = new Map<string, Map<string, number>>();
  readonly rooms = new Map<string, number>();
  readonly active = new Map<string, Map<string, number>>();
  readonly held = new Map<string, number>();
  /** `occupied <page>` and `vacated <page>`, in the order decided. */
  readonly occupancy: string[] = [];
  /** `room|userId` → this process's typing count. */
  readonly typists = new Map<string, number>();

  online(): void {
    // not modelled
  }

  page(page: string, who: LedgerMember, delta: 1 | -1, held: boolean): void {
    if (delta === -1 && held) {
      const place = `p|${who.clientId}|${who.userKey}|${page}|${who.activity}`;
      if (!this.held.has(place)) return;
      this.addHeld(place, -1);
    }
    const before = this.pages.get(page)?.size ?? 0;
    add(this.pages, page, who.clientId, delta);
    if (who.activity === 'active') add(this.active, page, who.clientId, delta);
    const after = this.pages.get(page)?.size ?? 0;
    if ((before === 0) !== (after === 0)) this.occupancy.push(`${before === 0 ? 'occupied' : 'vacated'} ${page}`);
  }

  activity(who: LedgerMember, from: ActivityState, pages: readonly string[]): void {
    for (const page of pages) {
      if (from === 'active') add(this.active, page, who.clientId, -1);
      if (who.activity === 'active') add(this.active, page, who.clientId, 1);
    }
  }

  room(room: string, who: LedgerMember, delta: 1 | 0 | -1, change: RoomChange): void {
    if (delta === -1 && change.held) {
      const place = `r|${who.clientId}|${who.userKey}|${room}|${who.activity}`;
      if (!this.held.has(place)) return;
      this.addHeld(place, -1);
    }
    this.addMember(room, who.userKey, delta);
  }

  switchUser(room: string, from: LedgerMember, to: LedgerMember): void {
    this.addMember(room, from.userKey, -1);
    this.addMember(room, to.userKey, 1);
  }

  hold(kind: 'p' | 'r', key: string, who: LedgerMember, delta: 1 | -1): void {
    this.addHeld(`${kind}|${who.clientId}|${who.userKey}|${key}|${who.activity}`, delta);
  }

  typing(room: string, who: LedgerMember, delta: 1 | -1): void {
    const key = `${room}|${who.userId}`;
    const n = (this.typists.get(key) ?? 0) + delta;
    if (n < 0 || n > 1) throw new Error(`typing of ${key} counted ${n}`);
    if (n > 0) this.typists.set(key, n);
    else this.typists.delete(key);
  }

  typingIn(room: string): string[] {
    return [...this.typists.keys()].filter((key) => key.startsWith(`${room}|`)).map((key) => key.slice(room.length + 1));
  }

  viewers(page: string): { viewers: number; connections: number; active: number } {
    const byClient = this.pages.get(page) ?? new Map<string, number>();
    const active = this.active.get(page) ?? new Map<string, number>();
    return { viewers: byClient.size, connections: [...byClient.values()].reduce((a, b) => a + b, 0), active: active.size };
  }

  /** The room's members with their connections, as `room|userKey` → n. */
  members(room: string): Map<string, number> {
    const members = new Map<string, number>();
    for (const [key, n] of this.rooms) if (key.startsWith(`${room}|`)) members.set(key.slice(room.length + 1), n);
    return members;
  }

  private addMember(room: string, userKey: string, delta: number): void {
    const key = `${room}|${userKey}`;
    const n = (this.rooms.get(key) ?? 0) + delta;
    if (n > 0) this.rooms.set(key, n);
    else this.rooms.delete(key);
  }

  private addHeld(place: string, delta: number): void {
    const n = (this.held.get(place) ?? 0) + delta;
    if (n > 0) this.held.set(place, n);
    else this.held.delete(place);
  }
}

/** Adds `delta` to `client`'s count on `page`; a count of 0 leaves no entry. */
function add(counts: Map<string, Map<string, number>>, page: string, client: string, delta: number): void {
  const byClient = counts.get(page) ?? new Map<string, number>();
  const n = (byClient.get(client) ?? 0) + delta;
  if (n > 0) byClient.set(client, n);
  else byClient.delete(client);
  counts.set(page, byClient);
}

describe('a cluster share kept from the ledger agrees with the registry', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('through random reloads, moves, typing, drops and sign-ins (seed %i)', (seed) => {
    const random = seededRandom(seed);
    const clock = new ManualClock();
    const share = new ShareModel();
    // What one process would report of its pages' occupancy, to compare with what the share decides.
    const occupancy = new RecordingOccupancy();
    const presence = new Presence(clock, null, OPTIONS, share, occupancy);
    const pages = ['/a', '/b', '/c'];
    const rooms = ['lobby', 'private:team'];
    const clients = ['x', 'y'];
    /** Who a client's sockets are: anonymous, or one of two users (both clients may be the same user). */
    const identities = (client: string): Identity[] => [anonymous(client), signedIn(client, 'ann'), signedIn(client, 'bob')];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const live = new Map<string, string>();
    const who = new Map<string, Identity>();
    let next = 0;
    const log: string[] = [];
    for (let step = 0; step < 400; step++) {
      const client = pick(clients);
      const page = pick(pages);
      const room = pick(rooms);
      const roll = random();
      let id = live.get(client);
      if (!id || roll < 0.15) {
        if (id && random() < 0.5) {
          presence.disconnect(id);
          log.push(`${client} drops ${id}`);
        }
        id = `s${++next}`;
        // A reload keeps who the browser is; a new one starts anonymous.
        const identity = who.get(client) ?? anonymous(client);
        presence.connect(id, identity);
        live.set(client, id);
        log.push(`${client} connects ${id} as ${identity.userId}`);
      }
      if (roll < 0.1) {
        presence.joinRoom(id, room, { status: `s${step}` });
        log.push(`${id} joins ${room}`);
      } else if (roll < 0.15) {
        presence.leaveRoom(id, room);
        log.push(`${id} leaves ${room}`);
      } else if (roll < 0.22) {
        const typing = random() < 0.7;
        presence.setTyping(id, room, typing);
        log.push(`${id} ${typing ? 'types' : 'stops typing'} in ${room}`);
      } else if (roll < 0.29) {
        const identity = pick(identities(client));
        presence.changeIdentity(id, identity);
        who.set(client, identity);
        log.push(`${id} becomes ${identity.userId}`);
      } else if (roll < 0.5) {
        presence.enterPage(id, page);
        log.push(`${id} enters ${page}`);
      } else if (roll < 0.8) {
        presence.leavePage(id, page);
        log.push(`${id} leaves ${page}`);
      } else if (roll < 0.85) {
        presence.disconnect(id);
        live.delete(client);
        log.push(`${id} drops`);
      } else if (roll < 0.92) {
        const state = ACTIVITY_STATES[Math.floor(random() * ACTIVITY_STATES.length)];
        presence.setActivity(id, state);
        log.push(`${id} is ${state}`);
      } else {
        clock.advance(random() * 1500);
        log.push('time passes');
      }
      for (const p of pages) {
        const { viewers, connections, active } = presence.pageCounts(p);
        const modelled = share.viewers(p);
        if (modelled.viewers !== viewers || modelled.connections !== connections || modelled.active !== active) {
          throw new Error(
            `${p}: registry ${viewers}/${connections}/${active}, share ${modelled.viewers}/${modelled.connections}/${modelled.active} after:\n${log.slice(-12).join('\n')}`,
          );
        }
      }
      const reported = occupancy.events.flatMap((e) => (e.type === 'pageOccupied' ? [`occupied ${e.page}`] : e.type === 'pageVacated' ? [`vacated ${e.page}`] : []));
      if (reported.join() !== share.occupancy.join()) {
        throw new Error(`occupancy: registry ${reported.slice(-4).join(', ')}; share ${share.occupancy.slice(-4).join(', ')} after:\n${log.slice(-12).join('\n')}`);
      }
      const contributed = presence.contributions().rooms;
      for (const r of rooms) {
        const registry = new Map(contributed.filter((c) => c.room === r).map((c) => [c.userKey, c.member.connections]));
        const modelled = share.members(r);
        if (JSON.stringify([...registry].sort()) !== JSON.stringify([...modelled].sort())) {
          throw new Error(`${r}: registry ${JSON.stringify([...registry])}, share ${JSON.stringify([...modelled])} after:\n${log.slice(-12).join('\n')}`);
        }
        const typing = [...presence.typingIn(r)].sort();
        if (typing.join() !== share.typingIn(r).sort().join()) {
          throw new Error(`typing in ${r}: registry ${typing}, share ${share.typingIn(r)} after:\n${log.slice(-12).join('\n')}`);
        }
      }
    }
    presence.dispose();
  });
});
