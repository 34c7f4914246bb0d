// The Lua script that keeps one budget in Redis. Internal.
//
// KEYS[1]: window hash {end = window end (Unix ms), rem = remaining, pre = admissions made before
//          any limit was known}; expires after end + margin + grace.
// KEYS[2]: meta hash {limit, cap (largest remaining + 1 seen), len (window length ms), end (last
//          window end, the alignment anchor)}; expires meta_ttl after the last write.
// ARGV: op ('a' acquire | 'u' update), now (Unix ms), unanswered, default window length (ms),
//       reset margin (ms), grace (ms), meta_ttl (ms), seed limit (-1: none),
//       and for 'u': limit, remaining, reset (Unix ms, 0: unknown).
// Returns {admitted, window end, limit (-1: unknown), remaining, window budget, window length}.
//
// Same rules as pipeline::local_budget_store (see the budget_store contract): acquire rolls an
// ended window forward on the alignment grid and starts it with budget - unanswered; update lowers
// the current window's remaining, replaces it with a later window (learning a shorter window
// length from the gap of two resets; the very first snapshot also subtracts every process'
// admissions made before a limit was known), follows the server when it reports an earlier window that
// is still running, and otherwise only learns the limit. Windows within 500 ms are the same.
#pragma once

namespace intercom::redis::detail {

inline constexpr const char* budget_script = R"lua(
local op = ARGV[1]
local now = tonumber(ARGV[2])
local unanswered = tonumber(ARGV[3])
local len = tonumber(ARGV[4])
local margin = tonumber(ARGV[5])
local grace = tonumber(ARGV[6])
local meta_ttl = tonumber(ARGV[7])
local m = redis.call('HMGET', KEYS[2], 'limit', 'cap', 'len', 'end')
local limit = tonumber(m[1])
local cap = tonumber(m[2]) or 0
if tonumber(m[3]) then len = tonumber(m[3]) end
local anchor = tonumber(m[4])
local w = redis.call('HMGET', KEYS[1], 'end', 'rem')
local wend = tonumber(w[1])
local rem = tonumber(w[2])

local function budget()
  if cap > 0 and cap < limit then return cap end
  return limit
end
local function save_meta()
  redis.call('HSET', KEYS[2], 'limit', limit, 'cap', cap, 'len', len)
  if wend then redis.call('HSET', KEYS[2], 'end', wend) end
  redis.call('PEXPIRE', KEYS[2], meta_ttl)
end
local function save()
  redis.call('HSET', KEYS[1], 'end', wend, 'rem', rem)
  redis.call('PEXPIRE', KEYS[1], math.max(1, wend + margin + grace - now))
  save_meta()
end

if op == 'a' then
  if not limit then
    local seed = tonumber(ARGV[8])
    if seed < 0 then
      -- admitted blind: count it, so the first snapshot can subtract what the fleet already sent
      redis.call('HINCRBY', KEYS[1], 'pre', 1)
      redis.call('PEXPIRE', KEYS[1], len + margin + grace)
      return {1, 0, -1, 0, 0, len}
    end
    limit = seed
  end
  if not wend or not rem then
    if anchor then
      -- the window key expired after its end: roll forward from the last known end
      wend = anchor
      rem = 0
    else
      wend = now + len
      rem = budget()
    end
  end
  if now >= wend + margin then
    wend = wend + (math.floor((now - wend) / len) + 1) * len
    rem = math.max(0, budget() - unanswered)
  end
  local admitted = 0
  if rem > 0 then
    rem = rem - 1
    admitted = 1
  end
  save()
  return {admitted, wend, limit, rem, budget(), len}
end

local s_limit = tonumber(ARGV[9])
local s_rem = tonumber(ARGV[10])
local s_end = tonumber(ARGV[11])
local has_reset = s_end ~= 0
if not has_reset then s_end = now + len end
if s_rem + 1 > cap then cap = s_rem + 1 end
local known = limit ~= nil
local live = wend ~= nil and rem ~= nil
if not known or (live and s_end > wend + 500) or (not live and s_end > now) then
  local prev = wend or anchor
  if known and prev and has_reset then
    local gap = s_end - prev
    if gap >= 1000 and gap < len then len = gap end
  end
  limit = s_limit
  wend = s_end
  rem = math.max(0, s_rem - unanswered)
  if not known then
    -- the first snapshot ever: other processes' blind admissions are not in our `unanswered`
    local pre = tonumber(redis.call('HGET', KEYS[1], 'pre'))
    if pre then
      rem = math.max(0, math.min(rem, budget() - pre))
      redis.call('HDEL', KEYS[1], 'pre')
    end
  end
elseif not live then
  limit = s_limit
  save_meta()
  return {0, 0, limit, -1, budget(), len}
else
  limit = s_limit
  if s_end >= wend - 500 then
    rem = math.min(rem, s_rem)
    -- same window: a later end reported by the server wins over our guess (rolling over late
    -- wastes a little time; rolling over early would cause 429s)
    if s_end > wend then wend = s_end end
  elseif s_end > now then
    wend = s_end
    rem = math.min(rem, s_rem)
  end
end
save()
return {0, wend, limit, rem, budget(), len}
)lua";

} // namespace intercom::redis::detail
