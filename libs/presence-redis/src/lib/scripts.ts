import type { PresenceContributions } from '@presently/presence-core';
import { SHARE_HELD, SHARE_ONLINE, SHARE_PAGE, SHARE_ROOM, SHARE_TYPING } from './contract';
import { HISTORY_PRELUDE, HISTORY_READ } from './history-scripts';
import { luaScript } from './lua-script';

/**
 * The Lua scripts of the Redis presence store. Each runs atomically in Redis,
 * so two processes changing one page never lose an update, and each costs one
 * round trip. Each declares its named arguments once: its header binds them
 * to Lua locals of those names, and its `argv` encodes them in that order
 * (`lua-script.ts`). The codes they publish and answer are the constants of
 * `contract.ts`.
 *
 * Keys, under `P`, the store's prefix and data format (`<prefix>f<DATA_FORMAT>:`):
 * - `P p:<page>`      hash: clientId → connections on the page, and `#` → all
 *                     connections (clientIds never contain `#`, so viewers =
 *                     fields − 1). Deleted when its connections reach 0.
 * - `P pa:<page>`     hash: clientId → its `active` connections on the page
 *                     (none: absent), so the page's `active` = fields.
 * - `P top`           sorted set: page → viewers, pages with viewers only.
 * - `P online`        hash: clientId → counted connections, `#` → all of them.
 * - `P node:<id>`     hash: what process `<id>` contributes, `o|<clientId>`,
 *                     `p|<clientId>|<page>`, `a|<clientId>|<page>` (the
 *                     active ones), `r|<len>|<userKey><room>`, `A|…` and
 *                     `I|…` (its active and idle ones),
 *                     `y|<len>|<userKey><room>` (typing) and
 *                     `h|<clientId>|<held field>` → connections (the kinds are
 *                     the `SHARE_*` constants), so that its share can be taken
 *                     back at once when it dies or rebuilds.
 * - `P r:<room>:c`    hash: userKey → connections of the member.
 * - `P r:<room>:m`    hash: `u:`, `n:`, `s:`, `m:`, `t:`, `g:` + userKey → the
 *                     member's userId, name, status, meta (JSON), since, and
 *                     the latest moment one of its connections stopped being
 *                     present (set once one did; its time present ends then);
 *                     `a:`, `i:` + userKey → its active and idle connections
 *                     (absent when none; the others are hidden): its activity
 *                     is the most active state among them.
 * - `P r:<room>:T`    hash: userKey → the processes where the member types.
 * - `P r:<room>:R`    sorted set: userKey of a recent leaver by when it left
 *                     (at most `RECENT_MAX`; expires `RECENT_MS` after the
 *                     room's last leave).
 * - `P r:<room>:I`    hash: `u:`, `n:`, `d:` + userKey → the leaver's userId,
 *                     name and duration (expires with `r:<room>:R`).
 * - `P recent`        sorted set: the rooms that keep leavers by their last
 *                     leave, at most `RECENT_ROOMS_MAX` (the oldest forgets).
 * - `P r:<room>:o`    sorted set: userKey by since, the first-join order of
 *                     the roster a join ack lists.
 * - `P r:<room>:L`    set while the room is large (the room rules: `SWITCH_BACK`
 *                     in `contract.ts`).
 * - `P h:<clientId>`  hash: `<kind><state>|<node>|<len(userKey)>|<userKey><key>`
 *                     → connections held after a disconnect (kind `p` page,
 *                     `r` room; state the first letter of their last
 *                     activity), which a returning connection may take over.
 * - `P nodes`         set of the processes that hold a share.
 * - `P alive:<id>`    the process's heartbeat, with a time to live.
 * - `P anon-secret`   the secret anonymous ids are derived with when the
 *                     deployment configures none, shared by every process.
 * - `P epoch`         a random id of this data, set by the first rebuild: a
 *                     process that finds another than the one it knew knows
 *                     Redis lost its data (its rebuild is no arrival).
 * - `P poll:<poll>`   hash: option → votes (a live poll, a protocol extension).
 * - `P polls`         set of the declared polls (declared by the application; votes need one).
 * - `P hs:<page>`, `P hist`: the occupancy history (`history-scripts.ts`).
 * - `P changes`       pub/sub channel (`CHANNEL`): a message kind and its
 *                     subject (the `MSG_*` constants): a page's counts moved,
 *                     a large room's total, a poll's tallies, the global stats,
 *                     a held contribution was taken over, a process rebuilt
 *                     its share.
 *
 * Activities travel as their first letter inside the scripts: `a`, `i`, `h`.
 */

/** How the scripts read a member, shared by the prelude and ROSTER. */
const MEMBERS = `
-- The activity of a member whose active and idle counts are a and i (nil: none): the most active state among its connections.
local function activity_of(a, i)
  if a then return 'active' end
  if i then return 'idle' end
  return 'hidden'
end

local function member_activity(room, uk)
  return activity_of(unpack(redis.call('HMGET', P .. 'r:' .. room .. ':m', 'a:' .. uk, 'i:' .. uk)))
end

-- A member as lists show it: userId, name, status, meta (JSON), since,
-- connections, activity (userId and connections nil: not a member).
local function member_fields(room, uk)
  local m = redis.call('HMGET', P .. 'r:' .. room .. ':m', 'u:' .. uk, 'n:' .. uk, 's:' .. uk, 'm:' .. uk, 't:' .. uk, 'a:' .. uk, 'i:' .. uk)
  return { m[1], m[2], m[3], m[4], m[5], redis.call('HGET', P .. 'r:' .. room .. ':c', uk), activity_of(m[6], m[7]) }
end
`;

/** Helpers shared by the scripts that change figures. */
const PRELUDE = `
local stats_changed = false
${MEMBERS}
${HISTORY_PRELUDE}
local function publish(kind, subject) redis.call('PUBLISH', P .. CHANNEL, kind .. subject) end

-- Occupancy: who was present before this script's first change of each page,
-- room and member it touched; occupancy() answers the net changes.
local page_was, page_now, pages_touched = {}, {}, {}
local room_was, rooms_seen = {}, {}
-- member_gone: the userId ('' if none) and duration of each member removed, by room and userKey.
local member_was, member_gone, members_touched = {}, {}, {}

local function note_page(page, conns_before, conns_after)
  if page_was[page] == nil then
    page_was[page] = conns_before > 0
    pages_touched[#pages_touched + 1] = page
  end
  page_now[page] = conns_after > 0
end

-- Before a change of member uk in room: notes the room's and the member's presence.
local function note_member(room, uk)
  local ck = P .. 'r:' .. room .. ':c'
  if room_was[room] == nil then
    room_was[room] = redis.call('HLEN', ck) > 0
    rooms_seen[#rooms_seen + 1] = room
  end
  local k = room .. '\0' .. uk
  if member_was[k] == nil then
    member_was[k] = redis.call('HEXISTS', ck, uk) == 1
    members_touched[#members_touched + 1] = { room, uk }
  end
end

local function page_add(page, cid, d)
  local key = P .. 'p:' .. page
  local n = redis.call('HINCRBY', key, cid, d)
  local conns = redis.call('HINCRBY', key, '#', d)
  note_page(page, conns - d, conns)
  local viewers_moved = false
  if n <= 0 then
    redis.call('HDEL', key, cid)
    viewers_moved = true
  elseif n == d then
    viewers_moved = true
  end
  if conns <= 0 then redis.call('DEL', key) end
  if viewers_moved then
    local viewers = 0
    if conns > 0 then viewers = redis.call('HLEN', key) - 1 end
    if viewers > 0 then redis.call('ZADD', P .. 'top', viewers, page)
    else redis.call('ZREM', P .. 'top', page) end
    stats_changed = true
    history_move(page, viewers)
  end
  publish(MSG_PAGE, page)
end

-- A client's active connections on a page; the page's counts move when its first comes or its last goes.
local function page_active_add(page, cid, d)
  local key = P .. 'pa:' .. page
  local n = redis.call('HINCRBY', key, cid, d)
  if n <= 0 then redis.call('HDEL', key, cid) end
  if n <= 0 or n == d then publish(MSG_PAGE, page) end
end

local function online_add(cid, d)
  local key = P .. 'online'
  local n = redis.call('HINCRBY', key, cid, d)
  if n <= 0 then redis.call('HDEL', key, cid) end
  local conns = redis.call('HINCRBY', key, '#', d)
  if conns <= 0 then redis.call('HDEL', key, '#') end
  stats_changed = true
end

local function node_add(node, field, d)
  local key = P .. 'node:' .. node
  local n = redis.call('HINCRBY', key, field, d)
  if n <= 0 then redis.call('HDEL', key, field) end
end

local function ukfield(uk, key) return #uk .. '|' .. uk .. key end

local function split_uk(s)
  local bar = string.find(s, '|', 1, true)
  local len = tonumber(string.sub(s, 1, bar - 1))
  return string.sub(s, bar + 1, bar + len), string.sub(s, bar + len + 1)
end

local function held_add(cid, kind, node, uk, key, d, st)
  local f = kind .. st .. '|' .. node .. '|' .. ukfield(uk, key)
  local hkey = P .. 'h:' .. cid
  local n = redis.call('HINCRBY', hkey, f, d)
  if n <= 0 then redis.call('HDEL', hkey, f) end
  node_add(node, SHARE_HELD .. '|' .. cid .. '|' .. f, d)
end

local function is_held(cid, kind, node, uk, key, st)
  return redis.call('HEXISTS', P .. 'h:' .. cid, kind .. st .. '|' .. node .. '|' .. ukfield(uk, key)) == 1
end

-- Another process holding this client's (and user's) contribution on key, if any, and the held one's activity.
local function find_holder(cid, kind, node, uk, key)
  local entries = redis.call('HGETALL', P .. 'h:' .. cid)
  local suffix = '|' .. ukfield(uk, key)
  for i = 1, #entries, 2 do
    local f = entries[i]
    if string.sub(f, 1, 1) == kind and string.sub(f, 3, 3) == '|' then
      local rest = string.sub(f, 4)
      local bar = string.find(rest, '|', 1, true)
      local holder = string.sub(rest, 1, bar - 1)
      if holder ~= node and string.sub(rest, bar) == suffix then return holder, string.sub(f, 2, 2) end
    end
  end
  return nil
end

-- A node's active connections of a client on a page.
local function page_active(node, page, cid, st, d)
  if st ~= 'a' then return end
  page_active_add(page, cid, d)
  node_add(node, SHARE_PAGE_ACTIVE .. '|' .. cid .. '|' .. page, d)
end

-- A member's connections in state st ('a' active, 'i' idle; hidden ones are not kept: the rest).
local function member_state_add(room, uk, st, d)
  if st ~= 'a' and st ~= 'i' then return end
  local mk, f = P .. 'r:' .. room .. ':m', st .. ':' .. uk
  if redis.call('HINCRBY', mk, f, d) <= 0 then redis.call('HDEL', mk, f) end
end

-- A node's connections of a member in state st.
local function room_state(node, room, uk, st, d)
  member_state_add(room, uk, st, d)
  if st == 'a' then node_add(node, SHARE_ROOM_ACTIVE .. '|' .. ukfield(uk, room), d)
  elseif st == 'i' then node_add(node, SHARE_ROOM_IDLE .. '|' .. ukfield(uk, room), d) end
end

-- Moves a held contribution from its holder to node: no count moves, but
-- its activity (hst) gives way to the taker's (st).
local function take_over(cid, kind, holder, hst, node, uk, key, field, st)
  held_add(cid, kind, holder, uk, key, -1, hst)
  node_add(holder, field, -1)
  node_add(node, field, 1)
  if kind == SHARE_PAGE then
    page_active(holder, key, cid, hst, -1)
    page_active(node, key, cid, st, 1)
  else
    room_state(holder, key, uk, hst, -1)
    room_state(node, key, uk, st, 1)
  end
  publish(MSG_TAKEN_OVER, holder .. '|' .. kind .. hst .. '|' .. cid .. '|' .. ukfield(uk, key))
end

-- Deletes every field a member of room has in r:<room>:m (its profile, its last presence, its states), in one HDEL.
local function member_delete(room, uk)
  redis.call('HDEL', P .. 'r:' .. room .. ':m', 'u:' .. uk, 'n:' .. uk, 's:' .. uk, 'm:' .. uk, 't:' .. uk, 'g:' .. uk, 'a:' .. uk, 'i:' .. uk)
end

-- The userId of the member uk of room, present or removed by this script (member_gone).
local function user_id(room, uk)
  local gone = member_gone[room .. '\\0' .. uk]
  return redis.call('HGET', P .. 'r:' .. room .. ':m', 'u:' .. uk) or (gone and gone[1] ~= '' and gone[1]) or nil
end

-- A recent leaver of room is back (or present): it is no longer listed.
local function recent_forget(room, uk)
  if redis.call('ZREM', P .. 'r:' .. room .. ':R', uk) == 1 then
    redis.call('HDEL', P .. 'r:' .. room .. ':I', 'u:' .. uk, 'n:' .. uk, 'd:' .. uk)
  end
end

-- Forgets the leavers of room who left at or before after.
local function recent_prune(room, after)
  for _, uk in ipairs(redis.call('ZRANGEBYSCORE', P .. 'r:' .. room .. ':R', '-inf', after)) do recent_forget(room, uk) end
end

-- Adds n connections to member uk of room. A new member gets its profile
-- (userId, name, status, meta, since) and its place in the join order, and is
-- no longer a recent leaver. Answers whether it is new.
local function member_add(room, uk, n, uid, name, status, meta, since)
  note_member(room, uk)
  if redis.call('HINCRBY', P .. 'r:' .. room .. ':c', uk, n) ~= n then return false end
  redis.call('HSET', P .. 'r:' .. room .. ':m', 'u:' .. uk, uid, 'n:' .. uk, name, 's:' .. uk, status, 'm:' .. uk, meta, 't:' .. uk, since)
  redis.call('ZADD', P .. 'r:' .. room .. ':o', since, uk)
  recent_forget(room, uk)
  return true
end

-- Moves the processes where member uk types in room by d; answers how many are left.
local function typing_add(room, uk, d)
  local tk = P .. 'r:' .. room .. ':T'
  local n = redis.call('HINCRBY', tk, uk, d)
  if n <= 0 then redis.call('HDEL', tk, uk) end
  return n
end

-- Records that uk left room now after duration ms there: at most
-- RECENT_MAX per room (the earliest leave goes), every key expiring
-- recent_ms after the room's last leave, and at most RECENT_ROOMS_MAX rooms
-- (the one whose last leave is the oldest forgets everything).
local function recent_record(room, uk, uid, name, duration, now, recent_ms)
  if recent_ms <= 0 then return end
  local rk, ik, rooms = P .. 'r:' .. room .. ':R', P .. 'r:' .. room .. ':I', P .. 'recent'
  redis.call('ZADD', rk, now, uk)
  redis.call('HSET', ik, 'u:' .. uk, uid, 'n:' .. uk, name, 'd:' .. uk, duration)
  recent_prune(room, now - recent_ms)
  local extra = redis.call('ZCARD', rk) - RECENT_MAX
  if extra > 0 then
    for _, old in ipairs(redis.call('ZRANGE', rk, 0, extra - 1)) do recent_forget(room, old) end
  end
  redis.call('PEXPIRE', rk, recent_ms)
  redis.call('PEXPIRE', ik, recent_ms)
  redis.call('ZADD', rooms, now, room)
  redis.call('ZREMRANGEBYSCORE', rooms, '-inf', now - recent_ms)
  local over = redis.call('ZCARD', rooms) - RECENT_ROOMS_MAX
  if over > 0 then
    for _, old in ipairs(redis.call('ZRANGE', rooms, 0, over - 1)) do
      redis.call('DEL', P .. 'r:' .. old .. ':R', P .. 'r:' .. old .. ':I')
      redis.call('ZREM', rooms, old)
    end
  end
  redis.call('PEXPIRE', rooms, recent_ms)
end

-- Takes n connections off a member, the last of them present until at. When
-- none is left anywhere, the member leaves now, after the ms from its since
-- to the latest moment one of its connections was present: it is recorded as
-- a recent leaver, and its userId and that duration are answered.
local function room_remove(room, uk, n, at, now, recent_ms)
  note_member(room, uk)
  local ck, mk = P .. 'r:' .. room .. ':c', P .. 'r:' .. room .. ':m'
  local last = math.max(tonumber(redis.call('HGET', mk, 'g:' .. uk) or '0'), at)
  local c = redis.call('HINCRBY', ck, uk, -n)
  if c > 0 then
    redis.call('HSET', mk, 'g:' .. uk, last)
    return nil
  end
  redis.call('HDEL', ck, uk)
  redis.call('ZREM', P .. 'r:' .. room .. ':o', uk)
  local m = redis.call('HMGET', mk, 'u:' .. uk, 'n:' .. uk, 't:' .. uk)
  member_delete(room, uk)
  local duration = math.max(0, last - tonumber(m[3] or last))
  member_gone[room .. '\\0' .. uk] = { m[1] or '', duration }
  if not m[1] then return nil end
  recent_record(room, uk, m[1], m[2] or '', duration, now, recent_ms)
  return m[1], duration
end

-- Members that left (room, userId, duration; false once back) and members
-- that stopped typing (room, userKey; false once typing again), each once.
local left = {}
local left_keys = {}
local function note_left(room, uid, duration)
  local k = room .. '\\0' .. uid
  if left_keys[k] then return end
  left[#left + 1] = { room, uid, duration }
  left_keys[k] = #left
end
local stopped = {}
local stopped_keys = {}
local function note_stopped(room, uk)
  local k = room .. '\\0' .. uk
  if stopped_keys[k] then return end
  stopped[#stopped + 1] = { room, uk }
  stopped_keys[k] = #stopped
end

-- Rooms whose members a withdraw or a rebuild changed, settled once the script's changes are all made.
local touched = {}
local function touch_room(room) touched[room] = true end

-- Members a withdraw changed, with their activity before it: one that stays with another activity is announced.
local activity_was = {}
local function note_activity(room, uk)
  local k = room .. '\\0' .. uk
  if activity_was[k] then return end
  activity_was[k] = { room, uk, member_activity(room, uk) }
end

-- Takes back everything a process contributed, as recorded in its node hash;
-- its members are gone as of now.
local function withdraw(node, now, recent_ms)
  local key = P .. 'node:' .. node
  local entries = redis.call('HGETALL', key)
  for i = 1, #entries, 2 do
    local field, n = entries[i], tonumber(entries[i + 1])
    local kind, rest = string.sub(field, 1, 1), string.sub(field, 3)
    if kind == SHARE_ONLINE then
      online_add(rest, -n)
    elseif kind == SHARE_PAGE then
      local bar = string.find(rest, '|', 1, true)
      page_add(string.sub(rest, bar + 1), string.sub(rest, 1, bar - 1), -n)
    elseif kind == SHARE_PAGE_ACTIVE then
      local bar = string.find(rest, '|', 1, true)
      page_active_add(string.sub(rest, bar + 1), string.sub(rest, 1, bar - 1), -n)
    elseif kind == SHARE_ROOM then
      local uk, room = split_uk(rest)
      note_activity(room, uk)
      local uid, duration = room_remove(room, uk, n, now, now, recent_ms)
      if uid then note_left(room, uid, duration) end
      touch_room(room)
    elseif kind == SHARE_TYPING then
      local uk, room = split_uk(rest)
      if typing_add(room, uk, -n) <= 0 then note_stopped(room, uk) end
    elseif kind == SHARE_ROOM_ACTIVE or kind == SHARE_ROOM_IDLE then
      local uk, room = split_uk(rest)
      -- A member its other entries already took away has no state left to take.
      if redis.call('HEXISTS', P .. 'r:' .. room .. ':c', uk) == 1 then
        note_activity(room, uk)
        member_state_add(room, uk, kind == SHARE_ROOM_ACTIVE and 'a' or 'i', -n)
      end
      touch_room(room)
    else
      local bar = string.find(rest, '|', 1, true)
      local hkey, f = P .. 'h:' .. string.sub(rest, 1, bar - 1), string.sub(rest, bar + 1)
      if redis.call('HINCRBY', hkey, f, -n) <= 0 then redis.call('HDEL', hkey, f) end
    end
  end
  redis.call('DEL', key)
end

local function finish()
  if stats_changed then publish(MSG_STATS, '') end
end

-- The net changes of who is present this script made (contract.ts,
-- OCCUPANCY), each room's and page's in order: occupied, joined, left,
-- vacated. Without arrivals (a rebuild into data Redis lost) only departures.
local function occupancy(arrivals)
  local out = {}
  local room_now = {}
  for _, room in ipairs(rooms_seen) do
    room_now[room] = redis.call('HLEN', P .. 'r:' .. room .. ':c') > 0
    if arrivals and room_now[room] and not room_was[room] then
      out[#out + 1] = ROOM_OCCUPIED
      out[#out + 1] = room
    end
  end
  local stayed = {}
  for i, m in ipairs(members_touched) do
    local room, uk = m[1], m[2]
    stayed[i] = redis.call('HEXISTS', P .. 'r:' .. room .. ':c', uk) == 1
    if arrivals and stayed[i] and not member_was[room .. '\0' .. uk] then
      local f = member_fields(room, uk)
      out[#out + 1] = MEMBER_JOINED
      out[#out + 1] = room
      for j = 1, 7 do out[#out + 1] = f[j] or '' end
    end
  end
  for i, m in ipairs(members_touched) do
    local k = m[1] .. '\0' .. m[2]
    if member_was[k] and not stayed[i] then
      local gone = member_gone[k] or { '', '0' }
      out[#out + 1] = MEMBER_LEFT
      out[#out + 1] = m[1]
      out[#out + 1] = gone[1]
      out[#out + 1] = gone[2]
    end
  end
  for _, room in ipairs(rooms_seen) do
    if room_was[room] and not room_now[room] then
      out[#out + 1] = ROOM_VACATED
      out[#out + 1] = room
    end
  end
  for _, page in ipairs(pages_touched) do
    if page_now[page] ~= page_was[page] and (arrivals or not page_now[page]) then
      out[#out + 1] = page_now[page] and PAGE_OCCUPIED or PAGE_VACATED
      out[#out + 1] = page
    end
  end
  return out
end

-- The room rules, stated in contract.ts (SWITCH_BACK) and applied here only.
local function room_is_large(room) return redis.call('EXISTS', P .. 'r:' .. room .. ':L') == 1 end

-- A room's state once its members changed: COUNT (large; its total is
-- published), SYNC (it just switched back), GONE (it emptied while large) or
-- SMALL.
local function room_settle(room, max)
  local lk = P .. 'r:' .. room .. ':L'
  local n = redis.call('HLEN', P .. 'r:' .. room .. ':c')
  if room_is_large(room) then
    if n == 0 then
      redis.call('DEL', lk)
      return GONE
    end
    if n < max * SWITCH_BACK then
      redis.call('DEL', lk)
      return SYNC
    end
  elseif n <= max then
    return SMALL
  else
    redis.call('SET', lk, '1')
  end
  publish(MSG_ROOM_COUNT, room)
  return COUNT
end

-- What a withdraw changed that must be announced, once the touched rooms are
-- settled by the room rules, as records: STOPPED, room, userId, 0 (a member
-- no longer typing), then LEFT, room, userId, duration (a member gone), then
-- SYNC, room, '', 0 (a room that switched back: one snapshot instead), all
-- of four; and, unless without_updates, UPDATED, room and the member's
-- fields (userId, name, status, meta, since, connections, activity) for a
-- member that stays with another activity. A large room announces counts
-- instead of any of them.
local function withdrawn_out(max, without_updates)
  local settled = {}
  for room in pairs(touched) do settled[room] = room_settle(room, max) end
  local function small(room)
    local state = settled[room]
    if state == nil then return not room_is_large(room) end
    return state == SMALL
  end
  local out = {}
  local function put(kind, room, uid, n)
    out[#out + 1] = kind
    out[#out + 1] = room
    out[#out + 1] = uid
    out[#out + 1] = n
  end
  for _, s in ipairs(stopped) do
    local uid = s and user_id(s[1], s[2])
    if uid and small(s[1]) then put(STOPPED, s[1], uid, 0) end
  end
  for _, l in ipairs(left) do
    if l and small(l[1]) then put(LEFT, l[1], l[2], l[3]) end
  end
  for room, state in pairs(settled) do
    if state == SYNC then put(SYNC, room, '', 0) end
  end
  if without_updates then return out end
  for _, c in pairs(activity_was) do
    local room, uk, before = c[1], c[2], c[3]
    if small(room) and redis.call('HEXISTS', P .. 'r:' .. room .. ':c', uk) == 1 and member_activity(room, uk) ~= before then
      out[#out + 1] = UPDATED
      out[#out + 1] = room
      for _, f in ipairs(member_fields(room, uk)) do out[#out + 1] = f end
    end
  end
  return out
end
`;

/** Answers REBUILD when the process holds no share: the store must rebuild it. */
const UNLESS_SHARED = `if redis.call('SISMEMBER', P .. 'nodes', node) == 0 then return REBUILD end`;

/** A counted connection of a client began (+1) or ended (-1). Answers OK or REBUILD. */
export const ONLINE = luaScript(
  'online',
  { node: 'string', clientId: 'string', delta: 'number' },
  `${PRELUDE}
${UNLESS_SHARED}
online_add(clientId, delta)
node_add(node, SHARE_ONLINE .. '|' .. clientId, delta)
finish()
return OK
`,
);

/**
 * A counted connection (whose activity is `activity`) was put on (+1) or
 * taken off (-1) a page; `held`: its grace ran out. A +1 takes the place of a connection of the same client and
 * user held by another process, if there is one; a held -1 counts down only
 * if it was not taken over. Answers REBUILD, OK (nothing moved), or
 * `{ OK, occupancy }`.
 */
export const PAGE = luaScript(
  'page',
  { node: 'string', clientId: 'string', userKey: 'string', page: 'string', delta: 'number', held: 'flag', activity: 'string', historyPages: 'number' },
  `${PRELUDE}
${UNLESS_SHARED}
local st = string.sub(activity, 1, 1)
local field = SHARE_PAGE .. '|' .. clientId .. '|' .. page
if delta == 1 then
  local holder, hst = find_holder(clientId, SHARE_PAGE, node, userKey, page)
  if holder then
    take_over(clientId, SHARE_PAGE, holder, hst, node, userKey, page, field, st)
    return OK
  end
elseif held then
  if not is_held(clientId, SHARE_PAGE, node, userKey, page, st) then return OK end
  held_add(clientId, SHARE_PAGE, node, userKey, page, -1, st)
end
page_add(page, clientId, delta)
page_active(node, page, clientId, st, delta)
node_add(node, field, delta)
finish()
return { OK, occupancy(true) }
`,
);

/**
 * A page (`SHARE_PAGE`) or room (`SHARE_ROOM`) of a disconnected connection,
 * whose last activity was `activity`, is held (+1) or no longer (-1).
 * Answers OK or REBUILD.
 */
export const HOLD = luaScript(
  'hold',
  { node: 'string', kind: 'string', clientId: 'string', userKey: 'string', key: 'string', delta: 'number', activity: 'string' },
  `${PRELUDE}
${UNLESS_SHARED}
held_add(clientId, kind, node, userKey, key, delta, string.sub(activity, 1, 1))
return OK
`,
);

/**
 * A counted connection's activity changed from `from` to `activity`
 * while on the pages and in the rooms of the tail (`pages` pages, then
 * the rooms): each page's active clients and each member's activity follow;
 * nobody arrives or leaves. Answers REBUILD, or OK then, for each
 * member whose activity changed in a small room, the room and the member
 * (userId, name, status, meta, since, connections, activity).
 */
export const ACTIVITY = luaScript(
  'activity',
  { node: 'string', clientId: 'string', userKey: 'string', from: 'string', activity: 'string', pages: 'number' },
  `${PRELUDE}
${UNLESS_SHARED}
local was, st = string.sub(from, 1, 1), string.sub(activity, 1, 1)
for i = TAIL, TAIL + pages - 1 do
  page_active(node, ARGV[i], clientId, was, -1)
  page_active(node, ARGV[i], clientId, st, 1)
end
local out = { OK }
for i = TAIL + pages, #ARGV do
  local room = ARGV[i]
  if redis.call('HEXISTS', P .. 'r:' .. room .. ':c', userKey) == 1 then
    local before = member_activity(room, userKey)
    room_state(node, room, userKey, was, -1)
    room_state(node, room, userKey, st, 1)
    -- The room rules: a large room's activity changes are kept, not announced.
    if member_activity(room, userKey) ~= before and not room_is_large(room) then
      out[#out + 1] = room
      for _, f in ipairs(member_fields(room, userKey)) do out[#out + 1] = f end
    end
  end
end
return out
`,
);

/**
 * A connection (whose activity is `activity`) joins (+1), updates its
 * profile in (0) or leaves (-1) a room. `name`, `status`, `meta`: the
 * profile of a new member; `setName`, `setStatus`, `setMeta`: the fields the
 * change sets (absent: kept); `now`: the time, a new member's since; `at`:
 * for a leave, the moment the connection stopped being present (a held
 * one's disconnect); `replaced`: for a join (0) that took the place of a
 * held connection of this process, that connection's activity. A member
 * that leaves is recorded as a recent leaver (kept `recentMs`); a new member
 * is no longer one. Answers `{ outcome, …, occupancy }`: REBUILD (alone);
 * JOINED, UPDATED (its profile or its activity changed) or COUNTED with the
 * member (userId, name, status, meta, since, connections, activity); LEFT
 * with the userId and the duration; SYNC; or SAME. Large rooms follow the
 * room rules (`SWITCH_BACK` in `contract.ts`); the occupancy reports every
 * member, in large rooms too.
 */
export const ROOM = luaScript(
  'room',
  {
    node: 'string',
    room: 'string',
    clientId: 'string',
    userKey: 'string',
    userId: 'string',
    delta: 'number',
    held: 'flag',
    name: 'string',
    status: 'string',
    meta: 'string',
    setName: 'optional',
    setStatus: 'optional',
    setMeta: 'optional',
    now: 'number',
    at: 'number',
    recentMs: 'number',
    rosterMax: 'number',
    activity: 'string',
    replaced: 'optional',
  },
  `${PRELUDE}
${UNLESS_SHARED}
local ck, mk = P .. 'r:' .. room .. ':c', P .. 'r:' .. room .. ':m'
local field = SHARE_ROOM .. '|' .. ukfield(userKey, room)
local st = string.sub(activity, 1, 1)
local before = member_activity(room, userKey)
if delta == -1 then
  if held then
    if not is_held(clientId, SHARE_ROOM, node, userKey, room, st) then return { SAME } end
    held_add(clientId, SHARE_ROOM, node, userKey, room, -1, st)
  end
  node_add(node, field, -1)
  room_state(node, room, userKey, st, -1)
  local gone, duration = room_remove(room, userKey, 1, at, now, recentMs)
  if not gone then
    -- The member stays; its activity may have been the leaving connection's.
    if redis.call('HEXISTS', ck, userKey) == 0 or member_activity(room, userKey) == before or room_is_large(room) then return { SAME, occupancy(true) } end
    local out = { UPDATED }
    for _, f in ipairs(member_fields(room, userKey)) do out[#out + 1] = f end
    out[#out + 1] = occupancy(true)
    return out
  end
  local state = room_settle(room, rosterMax)
  if state == SMALL then return { LEFT, gone, duration, occupancy(true) } end
  if state == SYNC then return { SYNC, occupancy(true) } end
  return { SAME, occupancy(true) }
end
local outcome = SAME
if delta == 1 then
  local holder, hst = find_holder(clientId, SHARE_ROOM, node, userKey, room)
  if holder then
    take_over(clientId, SHARE_ROOM, holder, hst, node, userKey, room, field, st)
  else
    node_add(node, field, 1)
    if member_add(room, userKey, 1, userId, name, status, meta, now) then
      outcome = JOINED
      if room_settle(room, rosterMax) == COUNT then outcome = COUNTED end
    end
    room_state(node, room, userKey, st, 1)
  end
elseif replaced then
  -- In the place of a held connection of this process: only its activity may differ.
  room_state(node, room, userKey, string.sub(replaced, 1, 1), -1)
  room_state(node, room, userKey, st, 1)
end
if redis.call('HEXISTS', ck, userKey) == 0 then return { SAME, occupancy(true) } end
if outcome == SAME then
  if member_activity(room, userKey) ~= before then outcome = UPDATED end
  for _, set in ipairs({ { 'n:', setName }, { 's:', setStatus }, { 'm:', setMeta } }) do
    if set[2] and redis.call('HGET', mk, set[1] .. userKey) ~= set[2] then
      redis.call('HSET', mk, set[1] .. userKey, set[2])
      outcome = UPDATED
    end
  end
end
-- The room rules: a large room's profile and activity changes are kept, not announced.
if outcome == UPDATED and room_is_large(room) then outcome = SAME end
local out = { outcome }
for _, f in ipairs(member_fields(room, userKey)) do out[#out + 1] = f end
out[#out + 1] = occupancy(true)
return out
`,
);

/**
 * A live connection of a client in a room changes user, from `fromKey` to
 * `toKey` (another userKey): its contribution moves from one member to the
 * other. When it was the old member's only connection anywhere and the new
 * user is not a member, the member itself moves to the new user, in its
 * place (its status, meta, since and time present kept, `name` its name;
 * nobody left, so no recent leaver is recorded, and the new user is no
 * longer one): REPLACED, with the old userId and the member (userId, name,
 * status, meta, since, connections, activity: the connection's), or SAME in a large room (the room
 * rules: no total moved, a profile change is not announced). Otherwise it is
 * a leave of the old member (present until `now`; recorded as a recent
 * leaver, kept `recentMs`, if it left) then a join of the new one, each by
 * the room rules: MOVED, with the userId of the old member if it left (''
 * if it stays or the room is large) and its duration (0 if it stays), the
 * new one's outcome (JOINED for a new member, made with the old one's
 * status and meta, `name` and `now`; UPDATED when `setName`, a token's name,
 * renames an existing one, or its activity changed with the connection's
 * `activity`; else SAME), the new member, then the old member when it stays
 * with another activity (its remaining connections' states decide it;
 * not in a large room); or SYNC when the
 * leave took a large room back below the line (one snapshot tells the join
 * too). Answers SAME when the old member is gone already, REBUILD when the
 * process holds no share. Every answer but REBUILD ends with the occupancy
 * (`contract.ts`): none for a replacement (nobody arrived or left: no
 * webhook), the old member's departure and the new one's arrival otherwise.
 */
export const SWITCH_USER = luaScript(
  'switchUser',
  {
    node: 'string',
    room: 'string',
    fromKey: 'string',
    toKey: 'string',
    userId: 'string',
    name: 'string',
    setName: 'optional',
    now: 'number',
    recentMs: 'number',
    rosterMax: 'number',
    activity: 'string',
  },
  `${PRELUDE}
${UNLESS_SHARED}
local ck, mk, order = P .. 'r:' .. room .. ':c', P .. 'r:' .. room .. ':m', P .. 'r:' .. room .. ':o'
local c = tonumber(redis.call('HGET', ck, fromKey) or '0')
if c == 0 then return { SAME, {} } end
local st = string.sub(activity, 1, 1)
node_add(node, SHARE_ROOM .. '|' .. ukfield(fromKey, room), -1)
node_add(node, SHARE_ROOM .. '|' .. ukfield(toKey, room), 1)
local old = redis.call('HMGET', mk, 'u:' .. fromKey, 's:' .. fromKey, 'm:' .. fromKey, 't:' .. fromKey, 'g:' .. fromKey)
local from_was, to_was = member_activity(room, fromKey), member_activity(room, toKey)
-- The connection's activity leaves the old member (its remaining connections decide its own).
room_state(node, room, fromKey, st, -1)
local function answer(head)
  for _, f in ipairs(member_fields(room, toKey)) do head[#head + 1] = f end
  return head
end
if c == 1 and redis.call('HEXISTS', ck, toKey) == 0 then
  redis.call('HDEL', ck, fromKey)
  redis.call('HSET', ck, toKey, 1)
  member_delete(room, fromKey)
  redis.call('HSET', mk, 'u:' .. toKey, userId, 'n:' .. toKey, name, 's:' .. toKey, old[2], 'm:' .. toKey, old[3], 't:' .. toKey, old[4])
  if old[5] then redis.call('HSET', mk, 'g:' .. toKey, old[5]) end
  -- Its only connection: the member's activity is that connection's, and stays.
  room_state(node, room, toKey, st, 1)
  redis.call('ZREM', order, fromKey)
  redis.call('ZADD', order, old[4], toKey)
  recent_forget(room, toKey)
  -- Nobody arrived or left (no member was noted): the occupancy is empty.
  if room_is_large(room) then return { SAME, {} } end
  local out = answer({ REPLACED, old[1] })
  out[#out + 1] = occupancy(true)
  return out
end
local left, duration, synced = '', 0, false
local gone, lasted = room_remove(room, fromKey, 1, now, now, recentMs)
if gone then
  local state = room_settle(room, rosterMax)
  if state == SMALL then left, duration = gone, lasted end
  synced = state == SYNC
end
local outcome = SAME
if member_add(room, toKey, 1, userId, name, old[2], old[3], now) then
  outcome = JOINED
  if room_settle(room, rosterMax) == COUNT then outcome = SAME end
else
  if setName and redis.call('HGET', mk, 'n:' .. toKey) ~= setName then
    redis.call('HSET', mk, 'n:' .. toKey, setName)
    outcome = UPDATED
  end
end
room_state(node, room, toKey, st, 1)
if outcome == SAME and member_activity(room, toKey) ~= to_was then outcome = UPDATED end
-- The room rules: a large room's profile and activity changes are kept, not announced.
if outcome == UPDATED and room_is_large(room) then outcome = SAME end
if synced then return { SYNC, occupancy(true) } end
local out = answer({ MOVED, left, duration, outcome })
-- The old member, when it stays with another activity (its remaining connections').
if not gone and redis.call('HEXISTS', ck, fromKey) == 1 and member_activity(room, fromKey) ~= from_was and not room_is_large(room) then
  for _, f in ipairs(member_fields(room, fromKey)) do out[#out + 1] = f end
end
out[#out + 1] = occupancy(true)
return out
`,
);

/**
 * What join acks list, without reading the whole room: the first `limit`
 * members (0: every member). Tail: the userKeys of the asking members.
 * Answers the room's total, how many members are listed, whether the room
 * is large (1 or 0), how many type, which entry each asking member is
 * (0-based, -1: not in the room), the userIds of those who type, then
 * userId, name, status, meta, since, connections, activity of each entry:
 * the listed ones, earliest first, then the asking members who are not
 * among them.
 */
export const ROSTER = luaScript(
  'roster',
  { room: 'string', limit: 'number' },
  `${MEMBERS}
local mk = P .. 'r:' .. room .. ':m'
local asks = #ARGV - TAIL + 1
local typing = {}
for _, uk in ipairs(redis.call('HKEYS', P .. 'r:' .. room .. ':T')) do
  local uid = redis.call('HGET', mk, 'u:' .. uk)
  if uid then typing[#typing + 1] = uid end
end
local head = { redis.call('HLEN', P .. 'r:' .. room .. ':c'), 0, redis.call('EXISTS', P .. 'r:' .. room .. ':L'), #typing }
for k = 1, asks do head[4 + k] = -1 end
local fields = {}
local entries = 0
local at = {}
local function add(uk)
  if at[uk] then return true end
  local m = member_fields(room, uk)
  if not m[1] or not m[6] then return false end
  for k = 1, 7 do fields[#fields + 1] = m[k] end
  at[uk] = entries
  entries = entries + 1
  return true
end
for _, uk in ipairs(redis.call('ZRANGE', P .. 'r:' .. room .. ':o', 0, limit > 0 and limit - 1 or -1)) do
  if add(uk) then head[2] = head[2] + 1 end
end
for k = 1, asks do
  local uk = ARGV[TAIL + k - 1]
  if add(uk) then head[4 + k] = at[uk] end
end
for _, uid in ipairs(typing) do head[#head + 1] = uid end
for _, f in ipairs(fields) do head[#head + 1] = f end
return head
`,
);

/**
 * Rebuilds a process's share: takes back what it recorded (if anything is
 * left), then applies its current contributions, registers it and its
 * heartbeat, and publishes MSG_REBUILT if that changed anything. Tail: the entries of
 * {@link shareEntries}. `known`: the data's epoch this process last saw
 * (`''`: none); `epoch`: the one to set if the data has none. Answers the
 * data's epoch, then what changed as records of four (see `withdrawn_out`:
 * members no longer typing, members gone, in the old share and not in the
 * new one, rooms whose snapshot is due by the room rules), then the
 * occupancy, whose arrivals are left out when this process knew another
 * epoch: Redis lost its data, and they were reported before. Members whose
 * activity moved are not told one by one: every process reads every small
 * room it follows again after a rebuild.
 */
export const RESTORE = luaScript(
  'restore',
  { node: 'string', ttlMs: 'number', rosterMax: 'number', epoch: 'string', known: 'string', now: 'number', recentMs: 'number', historyPages: 'number' },
  `${PRELUDE}
local current = redis.call('GET', P .. 'epoch')
if not current then
  redis.call('SET', P .. 'epoch', epoch)
  current = epoch
end
-- A process that starts, or rebuilds with nothing to take back or apply, changes no figure: nobody needs to resync.
local changed = redis.call('EXISTS', P .. 'node:' .. node) == 1 or #ARGV >= TAIL
withdraw(node, now, recentMs)
local i = TAIL
while i <= #ARGV do
  local kind, id, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if kind == SHARE_ONLINE then
    online_add(id, n)
    node_add(node, SHARE_ONLINE .. '|' .. id, n)
    i = i + 3
  elseif kind == SHARE_PAGE then
    local page, active = ARGV[i + 3], tonumber(ARGV[i + 4])
    page_add(page, id, n)
    node_add(node, SHARE_PAGE .. '|' .. id .. '|' .. page, n)
    if active > 0 then
      page_active_add(page, id, active)
      node_add(node, SHARE_PAGE_ACTIVE .. '|' .. id .. '|' .. page, active)
    end
    i = i + 5
  elseif kind == SHARE_ROOM then
    local room, uid = ARGV[i + 3], ARGV[i + 4]
    member_add(room, id, n, uid, ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8])
    node_add(node, SHARE_ROOM .. '|' .. ukfield(id, room), n)
    local active, idle = tonumber(ARGV[i + 9]), tonumber(ARGV[i + 10])
    if active > 0 then room_state(node, room, id, 'a', active) end
    if idle > 0 then room_state(node, room, id, 'i', idle) end
    local k = left_keys[room .. '\\0' .. uid]
    if k then left[k] = false end
    touch_room(room)
    i = i + 11
  elseif kind == SHARE_TYPING then
    local room = ARGV[i + 3]
    typing_add(room, id, n)
    node_add(node, SHARE_TYPING .. '|' .. ukfield(id, room), n)
    local k = stopped_keys[room .. '\\0' .. id]
    if k then stopped[k] = false end
    i = i + 4
  else
    local f = ARGV[i + 3] .. string.sub(ARGV[i + 6], 1, 1) .. '|' .. node .. '|' .. ukfield(ARGV[i + 4], ARGV[i + 5])
    redis.call('HINCRBY', P .. 'h:' .. id, f, n)
    node_add(node, SHARE_HELD .. '|' .. id .. '|' .. f, n)
    i = i + 7
  end
end
redis.call('SADD', P .. 'nodes', node)
redis.call('SET', P .. 'alive:' .. node, '1', 'PX', ttlMs)
finish()
if changed then publish(MSG_REBUILT, node) end
local out = withdrawn_out(rosterMax, true)
table.insert(out, 1, current)
out[#out + 1] = occupancy(known == '' or known == current)
return out
`,
);

/**
 * RESTORE's tail, what a registry contributes, entry by entry:
 * `SHARE_ONLINE`, clientId, n; `SHARE_PAGE`, clientId, n, page, active;
 * `SHARE_ROOM`, userKey, n, room, userId, name, status, meta, since, active,
 * idle; `SHARE_HELD`, clientId, 1, kind, userKey, key, activity;
 * `SHARE_TYPING`, userKey, 1, room.
 */
export function shareEntries({ online, pages, rooms, held, typing }: PresenceContributions): (string | number)[] {
  const entries: (string | number)[] = [];
  for (const [clientId, n] of online) entries.push(SHARE_ONLINE, clientId, n);
  for (const [page, clientId, n, active] of pages) entries.push(SHARE_PAGE, clientId, n, page, active);
  for (const { room, userKey, member: m, states } of rooms) {
    entries.push(SHARE_ROOM, userKey, m.connections, room, m.userId, m.name, m.status, JSON.stringify(m.meta), m.since, states.active, states.idle);
  }
  for (const h of held) entries.push(SHARE_HELD, h.clientId, 1, h.kind, h.userKey, h.key, h.activity);
  for (const t of typing) entries.push(SHARE_TYPING, t.userKey, 1, t.room);
  return entries;
}

/**
 * Removes a process that stopped heartbeating, exactly once: only the caller
 * whose SREM succeeds takes its share back (its members gone as of `now`).
 * Answers `{ SAME }` (it is alive, or another caller removed it), or OK then
 * what changed (the records of `withdrawn_out`, with UPDATED ones for
 * members that stay with another activity), then the occupancy.
 */
export const REAP = luaScript(
  'reap',
  { node: 'string', rosterMax: 'number', now: 'number', recentMs: 'number', historyPages: 'number' },
  `${PRELUDE}
if redis.call('EXISTS', P .. 'alive:' .. node) == 1 then return { SAME } end
if redis.call('SREM', P .. 'nodes', node) == 0 then return { SAME } end
withdraw(node, now, recentMs)
finish()
local out = { OK }
for _, v in ipairs(withdrawn_out(rosterMax)) do out[#out + 1] = v end
out[#out + 1] = occupancy(true)
return out
`,
);

/** Withdraws a stopping process's share (its members gone as of `now`). Answers what changed, as REAP does (without its OK), then the occupancy. */
export const LEAVE = luaScript(
  'leave',
  { node: 'string', rosterMax: 'number', now: 'number', recentMs: 'number', historyPages: 'number' },
  `${PRELUDE}
redis.call('SREM', P .. 'nodes', node)
redis.call('DEL', P .. 'alive:' .. node)
withdraw(node, now, recentMs)
finish()
local out = withdrawn_out(rosterMax)
out[#out + 1] = occupancy(true)
return out
`,
);

/**
 * A member started typing in a room through this process (+1: its first
 * typing connection here) or stopped (-1). The member's typing processes
 * are counted; the change that makes them 1 answers STARTED, the one that
 * makes them 0 STOPPED (each announced once, by the process that made it),
 * SAME otherwise or in a large room (the room rules: kept, not announced).
 * A repeated change of a process changes nothing. Answers REBUILD when the
 * process holds no share.
 */
export const TYPING = luaScript(
  'typing',
  { node: 'string', room: 'string', userKey: 'string', delta: 'number' },
  `${PRELUDE}
${UNLESS_SHARED}
local field = SHARE_TYPING .. '|' .. ukfield(userKey, room)
local here = tonumber(redis.call('HGET', P .. 'node:' .. node, field) or '0')
if (delta == 1 and here > 0) or (delta == -1 and here <= 0) then return SAME end
node_add(node, field, delta)
local n = typing_add(room, userKey, delta)
if room_is_large(room) then return SAME end
if delta == 1 and n == 1 then return STARTED end
if delta == -1 and n <= 0 then return STOPPED end
return SAME
`,
);

/**
 * Who left a room in the last `recentMs` and is not back, most recent first,
 * at most `RECENT_MAX` (older ones are forgotten on the way). Answers
 * userId, name, leftAt, duration of each.
 */
export const RECENT = luaScript(
  'recent',
  { room: 'string', now: 'number', recentMs: 'number' },
  `${PRELUDE}
if recentMs <= 0 then return {} end
recent_prune(room, now - recentMs)
local ik = P .. 'r:' .. room .. ':I'
local out = {}
local entries = redis.call('ZREVRANGE', P .. 'r:' .. room .. ':R', 0, RECENT_MAX - 1, 'WITHSCORES')
for i = 1, #entries, 2 do
  local uk = entries[i]
  local info = redis.call('HMGET', ik, 'u:' .. uk, 'n:' .. uk, 'd:' .. uk)
  if info[1] then
    out[#out + 1] = info[1]
    out[#out + 1] = info[2] or ''
    out[#out + 1] = entries[i + 1]
    out[#out + 1] = info[3] or '0'
  end
end
return out
`,
);

/**
 * Refreshes a heartbeat. Answers OK, or REBUILD when the process no longer
 * holds a share (the store restarted, or the others took it for dead).
 */
export const HEARTBEAT = luaScript(
  'heartbeat',
  { node: 'string', ttlMs: 'number' },
  `
${UNLESS_SHARED}
redis.call('SET', P .. 'alive:' .. node, '1', 'PX', ttlMs)
return OK
`,
);

/** Counts of pages. Tail: the pages. Answers viewers, connections, active per page. */
export const COUNTS = luaScript(
  'counts',
  {},
  `
local out = {}
for i = TAIL, #ARGV do
  local key = P .. 'p:' .. ARGV[i]
  local conns = tonumber(redis.call('HGET', key, '#') or '0')
  local viewers = 0
  if conns > 0 then viewers = redis.call('HLEN', key) - 1 end
  out[#out + 1] = viewers
  out[#out + 1] = conns
  out[#out + 1] = redis.call('HLEN', P .. 'pa:' .. ARGV[i])
end
return out
`,
);

/**
 * The global stats with the first `places` top pages. Answers connections,
 * visitors, then page, viewers pairs of the pages that can be in the top
 * (every page with more viewers than the last place, and the first ones by
 * key among those tied with it); the caller orders them.
 */
export const STATS = luaScript(
  'stats',
  { places: 'number' },
  `
local key = P .. 'online'
local conns = tonumber(redis.call('HGET', key, '#') or '0')
local visitors = redis.call('HLEN', key)
if conns > 0 then visitors = visitors - 1 end
local out = { conns, visitors }
local top = redis.call('ZREVRANGE', P .. 'top', 0, places - 1, 'WITHSCORES')
if #top < 2 * places then
  for i = 1, #top do out[#out + 1] = top[i] end
  return out
end
local last = top[#top]
local above = redis.call('ZREVRANGEBYSCORE', P .. 'top', '+inf', '(' .. last, 'WITHSCORES')
for i = 1, #above do out[#out + 1] = above[i] end
local tied = redis.call('ZRANGEBYSCORE', P .. 'top', last, last, 'LIMIT', 0, places - #above / 2)
for i = 1, #tied do
  out[#out + 1] = tied[i]
  out[#out + 1] = last
end
return out
`,
);

/**
 * One vote in a declared poll, within the most options per poll. Answers
 * `{ UNDECLARED }` or `{ OPTIONS }` when it is refused, else OK and the
 * poll's tallies (option, votes pairs).
 */
export const POLL_VOTE = luaScript(
  'pollVote',
  { poll: 'string', option: 'string', maxOptions: 'number' },
  `
local key = P .. 'poll:' .. poll
if redis.call('SISMEMBER', P .. 'polls', poll) == 0 then return { UNDECLARED } end
if redis.call('HEXISTS', key, option) == 0 and redis.call('HLEN', key) >= maxOptions then return { OPTIONS } end
redis.call('HINCRBY', key, option, 1)
redis.call('PUBLISH', P .. CHANNEL, MSG_POLL .. poll)
local out = { OK }
for _, v in ipairs(redis.call('HGETALL', key)) do out[#out + 1] = v end
return out
`,
);

/**
 * The secret anonymous ids are derived with: `candidate` is stored unless one
 * already is; answers the stored one (every process adopts it).
 */
export const SECRET = luaScript(
  'sharedSecret',
  { candidate: 'string' },
  `
redis.call('SET', P .. 'anon-secret', candidate, 'NX')
return redis.call('GET', P .. 'anon-secret')
`,
);

/** Declares a poll (idempotent): OK, EXISTS, or POLLS past the most declared polls. */
export const POLL_DECLARE = luaScript(
  'pollDeclare',
  { poll: 'string', maxPolls: 'number' },
  `
if redis.call('SISMEMBER', P .. 'polls', poll) == 1 then return EXISTS end
if redis.call('SCARD', P .. 'polls') >= maxPolls then return POLLS end
redis.call('SADD', P .. 'polls', poll)
return OK
`,
);

/**
 * Closes a declared poll: `{ UNDECLARED }`, or OK and its final tallies
 * (option, votes pairs), which are deleted; every process is told.
 */
export const POLL_CLOSE = luaScript(
  'pollClose',
  { poll: 'string' },
  `
if redis.call('SREM', P .. 'polls', poll) == 0 then return { UNDECLARED } end
local key = P .. 'poll:' .. poll
local out = { OK }
for _, v in ipairs(redis.call('HGETALL', key)) do out[#out + 1] = v end
redis.call('DEL', key)
redis.call('PUBLISH', P .. CHANNEL, MSG_POLL_CLOSED .. poll)
return out
`,
);

/** A page's occupancy history as kept (`history-scripts.ts`). Answers Redis's time now (ms), then the history hash's fields and values. */
export const HISTORY = luaScript('history', { page: 'string' }, HISTORY_READ);

/** Every script, as the store defines them on its Redis client. */
export const SCRIPTS = [ONLINE, PAGE, HISTORY, HOLD, ACTIVITY, ROOM, SWITCH_USER, ROSTER, RESTORE, REAP, LEAVE, TYPING, RECENT, HEARTBEAT, COUNTS, STATS, POLL_VOTE, SECRET, POLL_DECLARE, POLL_CLOSE] as const;
