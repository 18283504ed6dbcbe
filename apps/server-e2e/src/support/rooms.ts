import { type Entry, get, request, type TestSocket } from '@presently/testing';

/**
 * What the specs of protocol 1.1 (activity, typing, `session:token`) share,
 * one process or a cluster alike: the shapes they read, how they list a
 * room's members and record what a socket hears.
 */

export type Member = { userId: string; name: string; status: string; meta: Record<string, unknown>; connections: number; since: number; activity: string };
export type Updated = { room: string; member: Member };
export type Typing = { room: string; userId: string; typing: boolean };
export type RoomEvent = { event: string; payload: { room: string } & Record<string, unknown> };

/** The protocol's announcements a passive (hidden) socket must not hear. */
export const ANNOUNCEMENTS = ['page:count', 'room:count', 'room:joined', 'room:left', 'room:updated', 'room:typing', 'stats', 'poll:tally'];

/** `GET /api/rooms/members` of `room` on `url` (with a session token for the rooms that need one): its members. */
export async function membersOn(url: string, room: string, bearer?: string): Promise<Member[]> {
  return (await get<{ members: Member[] }>(url, `/api/rooms/members?room=${encodeURIComponent(room)}`, bearer ? { authorization: `Bearer ${bearer}` } : {})).body.members;
}

/** `socket` joins `room`; throws when refused, answers its ack. */
export async function join(socket: TestSocket, room: string, profile?: Record<string, unknown>): Promise<{ self: Member; members: Member[] }> {
  const ack = await request(socket, 'room:join', { room, ...(profile && { profile }) });
  if (!ack.ok) throw new Error(`room:join ${room} refused: ${JSON.stringify(ack)}`);
  return ack;
}

/** The events' names; `room:digest` (an extension that follows a room's changes, debounced) may come once a socket is back in its room's channel, and carries no change. */
export const names = (entries: Entry[]) => entries.map((e) => e.event).filter((event) => event !== 'room:digest');

/** The entries up to the (first) ack: what came before it. */
export const upToAck = (entries: Entry[]) => entries.slice(0, entries.findIndex((e) => e.event.startsWith('ack:')) + 1);

/**
 * Every room event (`room:joined`, `room:left`, `room:updated`) `socket`
 * hears of `room`, in order, but those of the markers (users whose id starts
 * with `marker-`, which a spec sends through to prove an observer heard
 * everything before them).
 */
export function roomEvents(socket: TestSocket, room: string): RoomEvent[] {
  const seen: RoomEvent[] = [];
  socket.onAny((event: string, payload: { room?: string; userId?: string; member?: Member }) => {
    if (!['room:joined', 'room:left', 'room:updated'].includes(event) || payload?.room !== room) return;
    if (String(payload.member?.userId ?? payload.userId).startsWith('marker-')) return;
    seen.push({ event, payload: payload as RoomEvent['payload'] });
  });
  return seen;
}

/** The events of `events` `socket` receives, in the order it receives them. */
export function roomLog(socket: TestSocket, events = ['room:typing', 'room:joined', 'room:left', 'room:updated']): Array<[string, { room: string; userId?: string; typing?: boolean }]> {
  const seen: Array<[string, { room: string; userId?: string; typing?: boolean }]> = [];
  for (const event of events) socket.on(event as 'room:typing', (payload) => seen.push([event, payload]));
  return seen;
}

/** Matches the `room:typing` of `userId` in `room` saying `typing`. */
export const typingOf = (room: string, userId: string, typing: boolean) => (e: Typing) => e.room === room && e.userId === userId && e.typing === typing;
