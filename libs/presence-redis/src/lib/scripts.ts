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
 * - `P node:<id>`     hash: what process `<id>` contributes, `o|<clientId>` and
 *                     `p|<clientId>|<page>` → connections, so that its share
 *                     can be taken back at once when it dies or rebuilds.
 * - `P nodes`         set of the processes that hold a share.
 * - `P alive:<id>`    the process's heartbeat, with a time to live.
 * - `P changes`       pub/sub channel: `p<page>` when a page's counts moved,
 *                     `s` when the global stats may have.
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

-- Takes back everything a process contributed, as recorded in its node hash.
local function withdraw(node)
  local key = P .. 'node:' .. node
  local entries = redis.call('HGETALL', key)
  for i = 1, #entries, 2 do
    local field, n = entries[i], tonumber(entries[i + 1])
    if string.sub(field, 1, 2) == 'o|' then
      online_add(string.sub(field, 3), -n)
    else
      local rest = string.sub(field, 3)
      local bar = string.find(rest, '|', 1, true)
      page_add(string.sub(rest, bar + 1), string.sub(rest, 1, bar - 1), -n)
    end
  end
  redis.call('DEL', key)
end

local function finish()
  if stats_changed then redis.call('PUBLISH', P .. 'changes', 's') end
end
`;

/**
 * One contribution change. ARGV: prefix, node, kind (`o` online, `p` page),
 * clientId, delta, page. Answers the page's `{viewers, connections}` for a
 * page change, nothing for an online one.
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
local page = ARGV[6]
page_add(page, cid, d)
node_add(node, 'p|' .. cid .. '|' .. page, d)
finish()
return 0
`;

/**
 * Rebuilds a process's share: takes back what it recorded (if anything is
 * left), then applies its current contributions, registers it and its
 * heartbeat. ARGV: prefix, node, ttlMs, then `o`, clientId, n or `p`,
 * clientId, n, page entries.
 */
export const RESTORE = `${PRELUDE}
local node, ttl = ARGV[2], ARGV[3]
withdraw(node)
local i = 4
while i <= #ARGV do
  local kind, cid, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if kind == 'o' then
    online_add(cid, n)
    node_add(node, 'o|' .. cid, n)
    i = i + 3
  else
    local page = ARGV[i + 3]
    page_add(page, cid, n)
    node_add(node, 'p|' .. cid .. '|' .. page, n)
    i = i + 4
  end
end
redis.call('SADD', P .. 'nodes', node)
redis.call('SET', P .. 'alive:' .. node, '1', 'PX', ttl)
finish()
return 1
`;

/**
 * Removes a process that stopped heartbeating, exactly once: only the caller
 * whose SREM succeeds takes its share back. ARGV: prefix, node. Answers 1 if
 * this call removed it.
 */
export const REAP = `${PRELUDE}
local node = ARGV[2]
if redis.call('EXISTS', P .. 'alive:' .. node) == 1 then return 0 end
if redis.call('SREM', P .. 'nodes', node) == 0 then return 0 end
withdraw(node)
finish()
return 1
`;

/** Withdraws a stopping process's share. ARGV: prefix, node. */
export const LEAVE = `${PRELUDE}
local node = ARGV[2]
redis.call('SREM', P .. 'nodes', node)
redis.call('DEL', P .. 'alive:' .. node)
withdraw(node)
finish()
return 1
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
