/**
 * The occupancy history in Redis: the Lua the page scripts run when a page's
 * cluster-wide viewers move (part of the scripts' prelude), and the script
 * that reads a page's buckets. Time is Redis's `TIME`, so that every process
 * buckets the same minutes.
 *
 * Keys, under `P`:
 * - `P hs:<page>`  hash: `v` → the page's viewers since `l` → the moment they
 *                  last moved (ms); per slot `k` of the ring (the minute's
 *                  index modulo `HISTORY_POINTS`) `t<k>` → the minute's
 *                  start, `p<k>` → its peak, `i<k>` → viewers × ms accounted
 *                  in it so far. No expiry while the page has viewers (they
 *                  are in Redis too, withdrawn with their process); expires
 *                  `HISTORY_KEPT_MS` after its last viewer left.
 * - `P hist`       sorted set: the pages keeping history (at most
 *                  `historyPages`), by viewers; an empty page by
 *                  `-1 + emptiedAt / 1e13`, so that the one emptied longest
 *                  ago is the least busy of all.
 */

/** Part of the prelude: `history_move(page, viewers)`, called by `page_add` (scripts that run it take `historyPages`). */
export const HISTORY_PRELUDE = `
local history_time = nil
local function history_now()
  if not history_time then
    local t = redis.call('TIME')
    history_time = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return history_time
end

-- The slot of minute t, and its peak and viewers x ms (0 when the slot holds another minute).
local function history_bucket(key, t)
  local k = (t / HISTORY_INTERVAL_MS) % HISTORY_POINTS
  local b = redis.call('HMGET', key, 't' .. k, 'p' .. k, 'i' .. k)
  if tonumber(b[1]) ~= t then return k, 0, 0 end
  return k, tonumber(b[2]), tonumber(b[3])
end

local function history_forget(index, key)
  redis.call('ZREM', index, key)
  redis.call('DEL', P .. 'hs:' .. key)
end

-- The page's cluster-wide viewers became viewers: account the time since the last move, raise the peak.
local function history_move(page, viewers)
  local index = P .. 'hist'
  local now = history_now()
  local minute = now - now % HISTORY_INTERVAL_MS
  -- The empty pages whose last minute with viewers left the hour, a few at a time.
  local stale = redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. (-1 + (minute - HISTORY_KEPT_MS + HISTORY_INTERVAL_MS) / 1e13), 'LIMIT', 0, 4)
  for _, old in ipairs(stale) do history_forget(index, old) end
  if not redis.call('ZSCORE', index, page) then
    if viewers == 0 or historyPages <= 0 then return end
    if redis.call('ZCARD', index) >= historyPages then
      local least = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')
      if tonumber(least[2]) >= viewers then return end
      history_forget(index, least[1])
    end
  end
  local key = P .. 'hs:' .. page
  local state = redis.call('HMGET', key, 'v', 'l')
  local level, last = tonumber(state[1]) or 0, tonumber(state[2]) or now
  if level > 0 and now > last then
    -- A level that ends as a minute starts is not in that minute.
    local upto = minute
    if now == minute then upto = minute - HISTORY_INTERVAL_MS end
    local t = math.max(last - last % HISTORY_INTERVAL_MS, minute - (HISTORY_POINTS - 1) * HISTORY_INTERVAL_MS)
    while t <= upto do
      local k, peak, integral = history_bucket(key, t)
      local held = level * (math.min(now, t + HISTORY_INTERVAL_MS) - math.max(last, t))
      redis.call('HSET', key, 't' .. k, t, 'p' .. k, math.max(peak, level), 'i' .. k, integral + held)
      t = t + HISTORY_INTERVAL_MS
    end
  end
  if viewers > 0 then
    local k, peak, integral = history_bucket(key, minute)
    redis.call('HSET', key, 't' .. k, minute, 'p' .. k, math.max(peak, viewers), 'i' .. k, integral)
  end
  redis.call('HSET', key, 'v', viewers, 'l', now)
  if viewers > 0 then
    redis.call('PERSIST', key)
    redis.call('ZADD', index, viewers, page)
  else
    redis.call('PEXPIRE', key, HISTORY_KEPT_MS + HISTORY_INTERVAL_MS)
    redis.call('ZADD', index, -1 + now / 1e13, page)
  end
end
`;

/** A page's history as kept: Redis's time now, then the hash's fields and values (none: no history). */
export const HISTORY_READ = `
local t = redis.call('TIME')
local out = { tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) }
local fields = redis.call('HGETALL', P .. 'hs:' .. page)
for i = 1, #fields do out[#out + 1] = fields[i] end
return out
`;
