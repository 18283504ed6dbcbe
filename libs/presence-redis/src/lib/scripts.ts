/**
 * The Lua scripts of the Redis presence store. Each runs atomically in Redis,
 * so two processes changing one page never lose an update, and each costs one
 * round trip.
 *
 * Keys, under the store's prefix `P`:
 * - `P p:<page>`      hash: clientId → connections on the page, and `#` → all
 *                     connections (clientIds never contain `#`, so viewers =
 *                     fields − 1). Deleted when its connections reach 0.
 * - `P top`           sorted set: page → viewers, pages with viewers only.
 * - `P online`        hash: clientId → counted connections, `#` → all of them.
 * - `P node:<id>`     hash: what process `<id>` contributes, `o|<clientId>`,
 *                     `p|<clientId>|<page>`, `r|<len>|<userKey><room>` and
 *                     `h|<clientId>|<held field>` → connections, so that its
 *                     share can be taken back at once when it dies or rebuilds.
 * - `P r:<room>:c`     hash: userKey → connections of the member.
 * - `P r:<room>:m`     hash: `u:`, `n:`, `s:`, `m:`, `t:` + userKey → the member's
 *                     userId, name, status, meta (JSON) and since.
 * - `P r:<room>:o`     sorted set: userKey by since, the first-join order of
 *                     the roster a join ack lists.
 * - `P r:<room>:L`     set while the room is large (more than `ROSTER_MAX`
 *                     members, until it falls below 90 % of it).
 * - `P h:<clientId>`  hash: `<kind>|<node>|<len(userKey)>|<userKey><key>` →
 *                     connections held after a disconnect (kind `p` page, `r`
 *                     room), which a returning connection may take over.
 * - `P nodes`         set of the processes that hold a share.
 * - `P alive:<id>`    the process's heartbeat, with a time to live.
 * - `P poll:<poll>`   hash: option → votes (a live poll, a protocol extension).
 * - `P polls`         set of the polls with votes.
 * - `P changes`       pub/sub channel: `p<page>` when a page's counts moved,
 *                     `c<room>` when a large room's total moved, `v<poll>`
 *                     when a poll's tallies did,
 *                     `s` when the global stats may have, `t<node>|<kind>|
 *                     <clientId>|<len>|<userKey><key>` when a held
 *                     contribution of `<node>` was taken over.
 */

/** Helpers shared by the scripts that change figures. `P` is ARGV[1]. */
const PRELUDE = `
local P = ARGV[1]
local stats_changed = false

local function page_add(page, cid, d)
  local key = P .. 'p:' .. page
  local n = redis.call('HINCRBY', key, cid, d)
  local conns = redis.call('HINCRBY', key, '#', d)
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
  end
  redis.call('PUBLISH', P .. 'changes', 'p' .. page)
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

local function held_add(cid, kind, node, uk, key, d)
  local f = kind .. '|' .. node .. '|' .. ukfield(uk, key)
  local hkey = P .. 'h:' .. cid
  local n = redis.call('HINCRBY', hkey, f, d)
  if n <= 0 then redis.call('HDEL', hkey, f) end
  node_add(node, 'h|' .. cid .. '|' .. f, d)
end

local function is_held(cid, kind, node, uk, key)
  return redis.call('HEXISTS', P .. 'h:' .. cid, kind .. '|' .. node .. '|' .. ukfield(uk, key)) == 1
end

-- Another process holding this client's (and user's) contribution on key, if any.
local function find_holder(cid, kind, node, uk, key)
  local entries = redis.call('HGETALL', P .. 'h:' .. cid)
  local suffix = '|' .. ukfield(uk, key)
  for i = 1, #entries, 2 do
    local f = entries[i]
    if string.sub(f, 1, 2) == kind .. '|' then
      local rest = string.sub(f, 3)
      local bar = string.find(rest, '|', 1, true)
      local holder = string.sub(rest, 1, bar - 1)
      if holder ~= node and string.sub(rest, bar) == suffix then return holder end
    end
  end
  return nil
end

-- Moves a held contribution from its holder to node: no figure moves.
local function take_over(cid, kind, holder, node, uk, key, field)
  held_add(cid, kind, holder, uk, key, -1)
  node_add(holder, field, -1)
  node_add(node, field, 1)
  redis.call('PUBLISH', P .. 'changes', 't' .. holder .. '|' .. kind .. '|' .. cid .. '|' .. ukfield(uk, key))
end

local MEMBER_FIELDS = { 'u:', 'n:', 's:', 'm:', 't:' }

-- Takes n connections off a member; answers its userId when that was its last.
local function room_remove(room, uk, n)
  local ck = P .. 'r:' .. room .. ':c'
  local c = redis.call('HINCRBY', ck, uk, -n)
  if c > 0 then return nil end
  redis.call('HDEL', ck, uk)
  redis.call('ZREM', P .. 'r:' .. room .. ':o', uk)
  local mk = P .. 'r:' .. room .. ':m'
  local uid = redis.call('HGET', mk, 'u:' .. uk)
  for _, f in ipairs(MEMBER_FIELDS) do redis.call('HDEL', mk, f .. uk) end
  if uid then return uid end
  return nil
end

local left = {}
local left_keys = {}
local function note_left(room, uid)
  local k = room .. '\\0' .. uid
  if left_keys[k] then return end
  left_keys[k] = #left + 1
  left[#left + 1] = room
  left[#left + 1] = uid
end

-- Rooms whose members a withdraw or a rebuild changed, settled once the script's changes are all made.
local touched = {}
local function touch_room(room) touched[room] = true end

-- Takes back everything a process contributed, as recorded in its node hash.
local function withdraw(node)
  local key = P .. 'node:' .. node
  local entries = redis.call('HGETALL', key)
  for i = 1, #entries, 2 do
    local field, n = entries[i], tonumber(entries[i + 1])
    local kind, rest = string.sub(field, 1, 2), string.sub(field, 3)
    if kind == 'o|' then
      online_add(rest, -n)
    elseif kind == 'p|' then
      local bar = string.find(rest, '|', 1, true)
      page_add(string.sub(rest, bar + 1), string.sub(rest, 1, bar - 1), -n)
    elseif kind == 'r|' then
      local uk, room = split_uk(rest)
      local uid = room_remove(room, uk, n)
      if uid then note_left(room, uid) end
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
  if stats_changed then redis.call('PUBLISH', P .. 'changes', 's') end
end

-- A room's large-room state once its members changed, as the protocol's
-- "Large rooms" has it: above max members it is large and its total is
-- published (every process sends its sockets a coalesced room:count); below
-- max * 0.9 it is small again. Answers 'count' (large), 'sync' (it just
-- switched back: a snapshot goes out instead of member events), 'gone' (it
-- emptied while large: nobody to tell) or 'small'.
local function room_settle(room, max)
  local lk = P .. 'r:' .. room .. ':L'
  local n = redis.call('HLEN', P .. 'r:' .. room .. ':c')
  if redis.call('EXISTS', lk) == 1 then
    if n == 0 then
      redis.call('DEL', lk)
      return 'gone'
    end
    if n < max * 0.9 then
      redis.call('DEL', lk)
      return 'sync'
    end
  elseif n <= max then
    return 'small'
  else
    redis.call('SET', lk, '1')
  end
  redis.call('PUBLISH', P .. 'changes', 'c' .. room)
  return 'count'
end

-- The members that left, as room, userId pairs, once the touched rooms are
-- settled: a large room announces counts instead, a room that switched back
-- one snapshot (the pair room, '' asks for it).
local function left_out(max)
  local settled = {}
  for room in pairs(touched) do settled[room] = room_settle(room, max) end
  local out = {}
  for j = 1, #left, 2 do
    local room = left[j]
    if room and (settled[room] or 'small') == 'small' then
      out[#out + 1] = room
      out[#out + 1] = left[j + 1]
    end
  end
  for room, state in pairs(settled) do
    if state == 'sync' then
      out[#out + 1] = room
      out[#out + 1] = ''
    end
  end
  return out
end
`;

/**
 * One contribution change. ARGV: prefix, node, kind (`o` online, `p` page),
 * clientId, delta, then for a page: page, userKey, held (`1`: the
 * connection's grace ran out). A page +1 takes the place of a connection of
 * the same client and user held by another process, if there is one; a held
 * page -1 counts down only if it was not taken over. Answers -1 when the
 * process holds no share (it must rebuild).
 */
export const APPLY = `${PRELUDE}
local node, kind, cid, d = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('SISMEMBER', P .. 'nodes', node) == 0 then return -1 end
if kind == 'o' then
  online_add(cid, d)
  node_add(node, 'o|' .. cid, d)
  finish()
  return 0
end
local page, uk, held = ARGV[6], ARGV[7], ARGV[8]
local field = 'p|' .. cid .. '|' .. page
if d == 1 then
  local holder = find_holder(cid, 'p', node, uk, page)
  if holder then
    take_over(cid, 'p', holder, node, uk, page, field)
    return 0
  end
elseif held == '1' then
  if not is_held(cid, 'p', node, uk, page) then return 0 end
  held_add(cid, 'p', node, uk, page, -1)
end
page_add(page, cid, d)
node_add(node, field, d)
finish()
return 0
`;

/**
 * A page (`p`) or room (`r`) of a disconnected connection is held (+1) or no
 * longer (-1). ARGV: prefix, node, kind, clientId, userKey, key, delta.
 */
export const HOLD = `${PRELUDE}
local node, kind, cid, uk, key, d = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
if redis.call('SISMEMBER', P .. 'nodes', node) == 0 then return -1 end
held_add(cid, kind, node, uk, key, d)
return 0
`;

/**
 * A connection joins (+1), updates its profile in (0) or leaves (-1) a room.
 * ARGV: prefix, node, room, clientId, userKey, userId, delta, held, then the
 * profile of a new member (name, status, meta), then each field the change
 * sets, as flag and value (name, status, meta), then now, then `ROSTER_MAX`.
 * Answers the outcome (`joined`, `updated`, `left`, `same`; in a large room
 * `counted` for a new member, `same` for a profile change, and `sync` for the
 * leave that switched it back), and for `joined`, `updated` and `counted`
 * the member: userId, name, status, meta, since, connections; for `left` the
 * userId.
 */
export const ROOM = `${PRELUDE}
local node, room, cid, uk, uid, d, held = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7]), ARGV[8]
local max = tonumber(ARGV[19])
if redis.call('SISMEMBER', P .. 'nodes', node) == 0 then return { 'rebuild' } end
local ck, mk = P .. 'r:' .. room .. ':c', P .. 'r:' .. room .. ':m'
local field = 'r|' .. ukfield(uk, room)
if d == -1 then
  if held == '1' then
    if not is_held(cid, 'r', node, uk, room) then return { 'same' } end
    held_add(cid, 'r', node, uk, room, -1)
  end
  node_add(node, field, -1)
  local gone = room_remove(room, uk, 1)
  if not gone then return { 'same' } end
  local state = room_settle(room, max)
  if state == 'small' then return { 'left', gone } end
  if state == 'sync' then return { 'sync' } end
  return { 'same' }
end
local outcome = 'same'
if d == 1 then
  local holder = find_holder(cid, 'r', node, uk, room)
  if holder then
    take_over(cid, 'r', holder, node, uk, room, field)
  else
    node_add(node, field, 1)
    if redis.call('HINCRBY', ck, uk, 1) == 1 then
      redis.call('HSET', mk, 'u:' .. uk, uid, 'n:' .. uk, ARGV[9], 's:' .. uk, ARGV[10], 'm:' .. uk, ARGV[11], 't:' .. uk, ARGV[18])
      redis.call('ZADD', P .. 'r:' .. room .. ':o', ARGV[18], uk)
      outcome = 'joined'
      if room_settle(room, max) == 'count' then outcome = 'counted' end
    end
  end
end
if redis.call('HEXISTS', ck, uk) == 0 then return { 'same' } end
if outcome == 'same' then
  local sets = { { 'n:', 12 }, { 's:', 14 }, { 'm:', 16 } }
  for _, set in ipairs(sets) do
    if ARGV[set[2]] == '1' then
      local value = ARGV[set[2] + 1]
      if redis.call('HGET', mk, set[1] .. uk) ~= value then
        redis.call('HSET', mk, set[1] .. uk, value)
        outcome = 'updated'
      end
    end
  end
end
-- A large room's profile changes are kept, not announced.
if outcome == 'updated' and redis.call('EXISTS', P .. 'r:' .. room .. ':L') == 1 then outcome = 'same' end
local m = redis.call('HMGET', mk, 'u:' .. uk, 'n:' .. uk, 's:' .. uk, 'm:' .. uk, 't:' .. uk)
return { outcome, m[1], m[2], m[3], m[4], m[5], redis.call('HGET', ck, uk) }
`;

/**
 * What join acks list, without reading the whole room. ARGV: prefix, room,
 * how many (`ROSTER_MAX`; 0: every member), then the userKeys of the asking
 * members. Answers
 * the room's total, how many members are listed, which entry each asking
 * member is (0-based, -1: not in the room), then userId, name, status, meta,
 * since, connections of each entry: the listed ones, earliest first, then
 * the asking members who are not among them.
 */
export const ROSTER = `
local P, room, max = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ck, mk = P .. 'r:' .. room .. ':c', P .. 'r:' .. room .. ':m'
local asks = #ARGV - 3
local head = { redis.call('HLEN', ck), 0 }
for k = 1, asks do head[2 + k] = -1 end
local fields = {}
local entries = 0
local at = {}
local function add(uk)
  if at[uk] then return true end
  local m = redis.call('HMGET', mk, 'u:' .. uk, 'n:' .. uk, 's:' .. uk, 'm:' .. uk, 't:' .. uk)
  local c = redis.call('HGET', ck, uk)
  if not m[1] or not c then return false end
  for k = 1, 5 do fields[#fields + 1] = m[k] end
  fields[#fields + 1] = c
  at[uk] = entries
  entries = entries + 1
  return true
end
for _, uk in ipairs(redis.call('ZRANGE', P .. 'r:' .. room .. ':o', 0, max > 0 and max - 1 or -1)) do
  if add(uk) then head[2] = head[2] + 1 end
end
for k = 1, asks do
  local uk = ARGV[3 + k]
  if add(uk) then head[2 + k] = at[uk] end
end
for _, f in ipairs(fields) do head[#head + 1] = f end
return head
`;

/**
 * Rebuilds a process's share: takes back what it recorded (if anything is
 * left), then applies its current contributions, registers it and its
 * heartbeat. ARGV: prefix, node, ttlMs, `ROSTER_MAX`, then entries: `o`,
 * clientId, n; `p`, clientId, n, page; `r`, userKey, n, room, userId, name,
 * status, meta, since; `h`, clientId, n, kind, userKey, key. Answers the
 * members that are gone (room, userId pairs): in the old share and not in the
 * new one; a pair with an empty userId asks for a room's snapshot.
 */
export const RESTORE = `${PRELUDE}
local node, ttl, max = ARGV[2], ARGV[3], tonumber(ARGV[4])
withdraw(node)
local i = 5
while i <= #ARGV do
  local kind, id, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if kind == 'o' then
    online_add(id, n)
    node_add(node, 'o|' .. id, n)
    i = i + 3
  elseif kind == 'p' then
    local page = ARGV[i + 3]
    page_add(page, id, n)
    node_add(node, 'p|' .. id .. '|' .. page, n)
    i = i + 4
  elseif kind == 'r' then
    local room, uid = ARGV[i + 3], ARGV[i + 4]
    local ck, mk = P .. 'r:' .. room .. ':c', P .. 'r:' .. room .. ':m'
    if redis.call('HINCRBY', ck, id, n) == n then
      redis.call('HSET', mk, 'u:' .. id, uid, 'n:' .. id, ARGV[i + 5], 's:' .. id, ARGV[i + 6], 'm:' .. id, ARGV[i + 7], 't:' .. id, ARGV[i + 8])
      redis.call('ZADD', P .. 'r:' .. room .. ':o', ARGV[i + 8], id)
    end
    node_add(node, 'r|' .. ukfield(id, room), n)
    local k = left_keys[room .. '\\0' .. uid]
    if k then left[k] = false end
    touch_room(room)
    i = i + 9
  else
    local f = ARGV[i + 3] .. '|' .. node .. '|' .. ukfield(ARGV[i + 4], ARGV[i + 5])
    redis.call('HINCRBY', P .. 'h:' .. id, f, n)
    node_add(node, 'h|' .. id .. '|' .. f, n)
    i = i + 6
  end
end
redis.call('SADD', P .. 'nodes', node)
redis.call('SET', P .. 'alive:' .. node, '1', 'PX', ttl)
finish()
return left_out(max)
`;

/**
 * Removes a process that stopped heartbeating, exactly once: only the caller
 * whose SREM succeeds takes its share back. ARGV: prefix, node, `ROSTER_MAX`.
 * Answers 1 if this call removed it (else 0), then the members that left
 * (room, userId pairs, as RESTORE answers them).
 */
export const REAP = `${PRELUDE}
local node, max = ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', P .. 'alive:' .. node) == 1 then return { 0 } end
if redis.call('SREM', P .. 'nodes', node) == 0 then return { 0 } end
withdraw(node)
finish()
local out = { 1 }
for _, v in ipairs(left_out(max)) do out[#out + 1] = v end
return out
`;

/**
 * Withdraws a stopping process's share. ARGV: prefix, node, `ROSTER_MAX`.
 * Answers the members that left (room, userId pairs, as RESTORE answers them).
 */
export const LEAVE = `${PRELUDE}
local node, max = ARGV[2], tonumber(ARGV[3])
redis.call('SREM', P .. 'nodes', node)
redis.call('DEL', P .. 'alive:' .. node)
withdraw(node)
finish()
return left_out(max)
`;

/**
 * Refreshes a heartbeat. ARGV: prefix, node, ttlMs. Answers 0 when the
 * process no longer holds a share (the store restarted, or the others took it
 * for dead): it must rebuild.
 */
export const HEARTBEAT = `
local P, node = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', P .. 'nodes', node) == 0 then return 0 end
redis.call('SET', P .. 'alive:' .. node, '1', 'PX', ARGV[3])
return 1
`;

/** Counts of pages. ARGV: prefix, pages… Answers viewers, connections per page. */
export const COUNTS = `
local P = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local key = P .. 'p:' .. ARGV[i]
  local conns = tonumber(redis.call('HGET', key, '#') or '0')
  local viewers = 0
  if conns > 0 then viewers = redis.call('HLEN', key) - 1 end
  out[#out + 1] = viewers
  out[#out + 1] = conns
end
return out
`;

/**
 * The global stats. ARGV: prefix, how many top pages. Answers connections,
 * visitors, then page, viewers pairs of the pages that can be in the top
 * (every page with more viewers than the last place, and the first ones by
 * key among those tied with it); the caller orders them.
 */
export const STATS = `
local P, n = ARGV[1], tonumber(ARGV[2])
local key = P .. 'online'
local conns = tonumber(redis.call('HGET', key, '#') or '0')
local visitors = redis.call('HLEN', key)
if conns > 0 then visitors = visitors - 1 end
local out = { conns, visitors }
local top = redis.call('ZREVRANGE', P .. 'top', 0, n - 1, 'WITHSCORES')
if #top < 2 * n then
  for i = 1, #top do out[#out + 1] = top[i] end
  return out
end
local last = top[#top]
local above = redis.call('ZREVRANGEBYSCORE', P .. 'top', '+inf', '(' .. last, 'WITHSCORES')
for i = 1, #above do out[#out + 1] = above[i] end
local tied = redis.call('ZRANGEBYSCORE', P .. 'top', last, last, 'LIMIT', 0, n - #above / 2)
for i = 1, #tied do
  out[#out + 1] = tied[i]
  out[#out + 1] = last
end
return out
`;

/**
 * One vote. ARGV: prefix, poll, option, most polls, most options per poll.
 * Answers `polls` or `options` when a limit refuses it, else `ok` and the
 * poll's tallies (option, votes pairs).
 */
export const POLL_VOTE = `
local P, poll, option = ARGV[1], ARGV[2], ARGV[3]
local key = P .. 'poll:' .. poll
if redis.call('EXISTS', key) == 0 and redis.call('SCARD', P .. 'polls') >= tonumber(ARGV[4]) then return { 'polls' } end
if redis.call('HEXISTS', key, option) == 0 and redis.call('HLEN', key) >= tonumber(ARGV[5]) then return { 'options' } end
redis.call('HINCRBY', key, option, 1)
redis.call('SADD', P .. 'polls', poll)
redis.call('PUBLISH', P .. 'changes', 'v' .. poll)
local out = { 'ok' }
for _, v in ipairs(redis.call('HGETALL', key)) do out[#out + 1] = v end
return out
`;
