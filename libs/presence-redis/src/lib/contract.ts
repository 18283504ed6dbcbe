import { HISTORY_INTERVAL_MS, HISTORY_POINTS, RECENT_MAX, RECENT_ROOMS_MAX } from '@presently/protocol';

/**
 * The contract between the store and its Lua scripts, defined once: the
 * store compares against these constants, and every script's header declares
 * them as Lua locals of the same names and values (`lua-script.ts`), so
 * neither side spells a code by hand.
 */

/**
 * The format of the store's data: every key and channel is under
 * `<prefix>f<DATA_FORMAT>:`, so that during a rolling upgrade processes of
 * two formats never share keys (each format adds up its own processes until
 * the old ones are gone). Bump it whenever a key's layout or a script's
 * contract changes.
 *
 * Format 3: an anonymous member's key and userId are its public id
 * (`a:a_…`, derived from its clientId), no longer its clientId; a format-2
 * process would list members by their clientIds, so the two never mix.
 *
 * Format 4: every script that changes who is present answers, last, the
 * changes of occupancy it decided (`OCCUPANCY` below, for webhooks), and a
 * rebuild keeps the data's epoch (`P epoch`); a format-3 process would not
 * report them, so a change it decided would reach no webhook.
 *
 * Format 5: who types (`r:<room>:T`, a process's `y|…` share), who recently
 * left (`r:<room>:R`, `r:<room>:I`, `recent`) and when a member was last
 * present (`g:` in `r:<room>:m`); the ROOM, ROSTER and withdrawing scripts
 * answer durations and typing, and a departure's occupancy carries its
 * duration. A format-4 process would neither type nor record leavers.
 *
 * Format 6: a connection may change user in a room (`SWITCH_USER`: its
 * contribution, or the member itself, moves from one userKey to another,
 * with its time present; a leave it causes is a recent leaver with its
 * duration); a format-5 process would answer such a change with nothing,
 * leaving the old user's contribution in the share of every format-6
 * process.
 *
 * Format 7: activity, on top of format 6. Pages keep their active clients
 * (`pa:<page>`), members their active and idle connections, shares and held
 * places the activity of what they hold, and a change of user moves the
 * connection's activity from one member to the other (`SWITCH_USER` takes
 * it, and answers a change of the old member's activity); a format-6
 * process would count no one as active.
 *
 * Format 8: the occupancy history (`hs:<page>`, `hist`), on top of format 7,
 * kept by the scripts that move a page's cluster-wide viewers (PAGE and the
 * withdrawing ones take the history bound, `historyPages`); a format-7
 * process would leave its viewers out of it.
 */
export const DATA_FORMAT = 8;

/** The pub/sub channel (under the prefix) of the messages below. */
export const CHANNEL = 'changes';

/*
 * Messages on the channel: a kind (one character), then its subject.
 */
/** `p<page>`: a page's counts moved. */
export const MSG_PAGE = 'p';
/** `c<room>`: a large room's total moved. */
export const MSG_ROOM_COUNT = 'c';
/** `v<poll>`: a poll's tallies moved. */
export const MSG_POLL = 'v';
/** `x<poll>`: a poll was closed. */
export const MSG_POLL_CLOSED = 'x';
/** `s`: the global stats may have moved. */
export const MSG_STATS = 's';
/**
 * `t<node>|<kind><state>|<clientId>|<len(userKey)>|<userKey><key>`: a held
 * contribution of `<node>`, whose activity was `<state>` (its first letter:
 * `a`, `i` or `h`), was taken over.
 */
export const MSG_TAKEN_OVER = 't';
/** `r<node>`: a process rebuilt its share; what it changed was not told key by key. */
export const MSG_REBUILT = 'r';

/*
 * What a contribution is: the kind of a RESTORE entry, of an APPLY call, of
 * a field of a process's node hash; `SHARE_PAGE` and `SHARE_ROOM` are also
 * the kinds of a held contribution (the core's `'p' | 'r'`).
 */
export const SHARE_ONLINE = 'o';
export const SHARE_PAGE = 'p';
export const SHARE_ROOM = 'r';
export const SHARE_HELD = 'h';
/** A member typing in a room through this process (the field holds 1). */
export const SHARE_TYPING = 'y';
/** A share's active connections of a client on a page (`a|<clientId>|<page>`). */
export const SHARE_PAGE_ACTIVE = 'a';
/** A share's active and idle connections of a member in a room (`A|…`, `I|…`, keyed like `SHARE_ROOM`); hidden ones are the rest. */
export const SHARE_ROOM_ACTIVE = 'A';
export const SHARE_ROOM_IDLE = 'I';

/*
 * What the scripts answer.
 */
/** The change was made (APPLY, HOLD, HEARTBEAT, a REAP that withdrew the process, a vote). */
export const OK = 'ok';
/** This process holds no share (Redis restarted, or the others took it for dead): it must rebuild. */
export const REBUILD = 'rebuild';
/** ROOM: a user's first connection anywhere joined the room: `room:joined`, with the member. */
export const JOINED = 'joined';
/** ROOM, ACTIVITY: the member's profile or activity changed: `room:updated`, with the member. */
export const UPDATED = 'updated';
/** ROOM: the user's last connection anywhere left: `room:left`, with the userId and the duration. */
export const LEFT = 'left';
/** TYPING: the member's first typing process: `room:typing` true. */
export const STARTED = 'started';
/** TYPING and the withdrawing scripts: the member's last typing process stopped: `room:typing` false. */
export const STOPPED = 'stopped';
/** SWITCH_USER: the member moved to the new user: `room:updated` with the member and `previousUserId`. */
export const REPLACED = 'replaced';
/** SWITCH_USER: a leave of the old member (its userId, or '' when it stays, and its duration) and a join of the new one (JOINED, UPDATED or SAME, with the member). */
export const MOVED = 'moved';
/** ROOM: nothing to announce; REAP: the process was alive, or another caller withdrew it. */
export const SAME = 'same';
/** ROOM: a new member of a large room: its total is published instead of a member event. */
export const COUNTED = 'counted';
/** ROOM and the room rules: the room just switched back to small: one snapshot instead of member events. */
export const SYNC = 'sync';
/** The room rules: the room is small (member events). */
export const SMALL = 'small';
/** The room rules: the room is large and its total was published. */
export const COUNT = 'count';
/** The room rules: the room emptied while large: nobody to tell. */
export const GONE = 'gone';
/** POLL_DECLARE: refused, too many declared polls. */
export const POLLS = 'polls';
/** POLL_DECLARE: the poll was declared already. POLL_VOTE, POLL_CLOSE: the poll is not declared. */
export const EXISTS = 'exists';
export const UNDECLARED = 'undeclared';
/** POLL_VOTE: refused, too many options in the poll. */
export const OPTIONS = 'options';

/*
 * Occupancy: the last element of the answer of every script that changes
 * who is present (PAGE, ROOM, RESTORE, REAP, LEAVE) is a list of the changes
 * it made, each a kind and its fields, net over the script (a member
 * withdrawn and restored by one rebuild did not leave). For each room and
 * page they come in order: occupied, members joined, members left, vacated.
 */
/** `PAGE_OCCUPIED, page`: the page had no viewer and has one. */
export const PAGE_OCCUPIED = 'po';
/** `PAGE_VACATED, page`: the page's last viewer left. */
export const PAGE_VACATED = 'pv';
/** `ROOM_OCCUPIED, room`: the room had no member and has one. */
export const ROOM_OCCUPIED = 'ro';
/** `ROOM_VACATED, room`: the room's last member left. */
export const ROOM_VACATED = 'rv';
/** `MEMBER_JOINED, room, userId, name, status, meta, since, connections, activity`: a user's first connection anywhere joined. */
export const MEMBER_JOINED = 'mj';
/** `MEMBER_LEFT, room, userId, duration`: a user's last connection anywhere left, present for `duration` ms (its since to the last moment one of its connections was there). */
export const MEMBER_LEFT = 'ml';

/**
 * Large rooms, the protocol's rule, stated here for the store and applied by
 * one Lua function (`room_settle`, with `room_is_large`, in `scripts.ts`):
 * - a room with more than `rosterMax` members is large: no member event
 *   (`room:joined`, `room:updated`, `room:left`) is announced for it; each
 *   change of its total is published (`MSG_ROOM_COUNT`) and every process
 *   sends its sockets a coalesced `room:count`;
 * - a profile change in a large room is kept (member lists show it), not
 *   announced;
 * - it stays large until it has fewer than `rosterMax * SWITCH_BACK`
 *   members; the change that brings it there answers `SYNC`: one snapshot of
 *   its members goes out instead of that change's events;
 * - a large room that empties is `GONE`: nobody is left to tell.
 *
 * Must equal the protocol rule (the core's `SWITCH_BACK`, the factor of
 * `ROSTER_MAX` below which a large room switches back).
 */
export const SWITCH_BACK = 0.9;

/*
 * Recent leavers, the protocol's rule (`RECENT_MAX` per room), and the bound
 * on the rooms that keep them (`RECENT_ROOMS_MAX`, the room whose last leave
 * is the oldest forgets first): the same as the core's.
 */
export { RECENT_MAX, RECENT_ROOMS_MAX };

/*
 * The occupancy history, the protocol's minute buckets: `HISTORY_POINTS`
 * minutes of `HISTORY_INTERVAL_MS`; an empty page keeps them
 * `HISTORY_KEPT_MS` after its last minute with viewers (then none is left).
 */
export { HISTORY_INTERVAL_MS, HISTORY_POINTS };
export const HISTORY_KEPT_MS = HISTORY_POINTS * HISTORY_INTERVAL_MS;

/** Every constant above, as the scripts' Lua header declares it. */
export const LUA_CONSTANTS = {
  CHANNEL,
  MSG_PAGE,
  MSG_ROOM_COUNT,
  MSG_POLL,
  MSG_POLL_CLOSED,
  MSG_STATS,
  MSG_TAKEN_OVER,
  MSG_REBUILT,
  SHARE_ONLINE,
  SHARE_PAGE,
  SHARE_ROOM,
  SHARE_HELD,
  SHARE_TYPING,
  SHARE_PAGE_ACTIVE,
  SHARE_ROOM_ACTIVE,
  SHARE_ROOM_IDLE,
  OK,
  REBUILD,
  JOINED,
  UPDATED,
  LEFT,
  STARTED,
  STOPPED,
  REPLACED,
  MOVED,
  SAME,
  COUNTED,
  SYNC,
  SMALL,
  COUNT,
  GONE,
  POLLS,
  EXISTS,
  UNDECLARED,
  OPTIONS,
  PAGE_OCCUPIED,
  PAGE_VACATED,
  ROOM_OCCUPIED,
  ROOM_VACATED,
  MEMBER_JOINED,
  MEMBER_LEFT,
  SWITCH_BACK,
  RECENT_MAX,
  RECENT_ROOMS_MAX,
  HISTORY_INTERVAL_MS,
  HISTORY_POINTS,
  HISTORY_KEPT_MS,
} as const;
