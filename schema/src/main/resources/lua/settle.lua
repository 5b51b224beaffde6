-- settle.lua: the end of a BATCH of admitted requests of one tenant. For each request: releases its
-- reservation, charges the actual cost to every cap limit it was reserved against, corrects the TPM
-- windows with the actual token count, adds to the month's totals and appends ONE usage record. Runs
-- once per request; a retry after an ambiguous failure is flagged and becomes a no-op when its
-- reservation is already gone (a reservation released after its lease leaves a tombstone for a week,
-- admit.lua, so a late settle is told from a retry whose first attempt landed).
--
-- Every key shares the tenant's hash tag {t:<ns>/<name>} (Redis Cluster: one slot).
-- Why batches (ADR 0025): Redis CPU is mostly the cost of each call and each redis.call, so the
-- requests' deltas are summed in Lua and each counter is written once per batch; only the usage
-- record is one command per request. A TTL is (re)applied only where a call may just have created
-- its key; arguments go to redis.call as strings (%d where a sum is passed).
--
-- KEYS[1]  reservations HASH (RedisKeys.reservations)
-- KEYS[2]  leases ZSET       (RedisKeys.reservationLeases)
-- KEYS[3]  usage STREAM      (RedisKeys.usage)
-- KEYS[4..] every totals HASH (RedisKeys.totals, the month a request was admitted in, its record's ts), TPM window and
--          spend HASH the batch touches, each once; the requests refer to them by index
--
-- ARGV[1]  n, the number of requests
-- ARGV[2]  TTL of a totals HASH, seconds
-- ARGV[3]  approximate MAXLEN of the usage stream; 0 = never trim (the default: usage is billing data)
-- ARGV[4]  rate window TTL, ms (a TPM correction that recreates an expired window gives it this TTL)
-- ARGV[5]  f, the number of usage record fields; ARGV[6..5+f] their names (once per call, not per request)
-- ARGV[6+f..] n blocks, one per request:
--   +0 reservation id (request id)   +1 1 = a retry: only settle if the reservation still exists
--   +2 actual cap-basis cost, micro-units, added to 'spent' of its spend keys
--   +3 TPM correction: actual tokens - tokens charged at admission (may be negative)
--   +4 tokens in   +5 tokens out   +6 provider cost micros   +7 billed micros
--   +8 API key name (totals also keep k:<key>:<field>)
--   +9 the amount reserved at admission, negated ("-52"; "0" when nothing was reserved)
--   +10 KEYS index of its totals HASH, +11 of its key TPM window, +12 of its tenant TPM window
--   +13 m, the number of spend keys; then m (KEYS index, TTL s) pairs (the TTL is applied when a
--       key is recreated here: a flushed key must not live forever; TTL 0: none, a Total limit's
--       counter is billing state and never expires)
--   then the f values of its usage record, in the order of the names
--
-- Returns one integer per request: 1 settled with its reservation, 2 settled after the reservation
-- had expired (released by a purge: its tombstone, or nothing left of it), 0 nothing done (a retry whose first attempt had settled)

local function int(x)
  return string.format('%d', x)
end

local n = tonumber(ARGV[1])
local nfields = tonumber(ARGV[5])
local at, ms, ids = {}, {}, {}
local p = 6 + nfields
for r = 1, n do
  at[r] = p
  ids[r] = ARGV[p]
  ms[r] = tonumber(ARGV[p + 13])
  p = p + 14 + 2 * ms[r] + nfields
end

-- the reservation's presence is what makes settle run once; its amount is the caller's own figure
-- (a tombstone 'x' is a reservation released after its lease: the request is not settled yet)
local found = redis.call('HMGET', KEYS[1], unpack(ids))
local gone = {}
for r = 1, n do
  if found[r] then
    gone[#gone + 1] = ids[r]
  end
end
if #gone > 0 then
  redis.call('HDEL', KEYS[1], unpack(gone))
  redis.call('ZREM', KEYS[2], unpack(gone))
end

local release, hadRelease, charge, ttl = {}, {}, {}, {}   -- per spend key
local tpm = {}                                             -- per TPM window
local totals = {}                                          -- per totals HASH: field -> sum, in order
local function add(t, field, v)
  local h = totals[t]
  if h == nil then
    h = {order = {}, sum = {}}
    totals[t] = h
  end
  if h.sum[field] == nil then
    h.order[#h.order + 1] = field
    h.sum[field] = 0
  end
  h.sum[field] = h.sum[field] + v
end
local results = {}
for r = 1, n do
  local p = at[r]
  local held = found[r] ~= false and found[r] ~= 'x'
  if found[r] == false and ARGV[p + 1] == '1' then
    results[r] = 0
  else
    results[r] = held and 1 or 2
    local actual = tonumber(ARGV[p + 2])
    local m = ms[r]
    for j = 1, m do
      local s = tonumber(ARGV[p + 12 + 2 * j])
      ttl[s] = ARGV[p + 13 + 2 * j]
      if held then
        release[s] = (release[s] or 0) + tonumber(ARGV[p + 9])
        hadRelease[s] = true
      end
      charge[s] = (charge[s] or 0) + actual
    end
    local correction = tonumber(ARGV[p + 3])
    if correction ~= 0 then
      for i = 11, 12 do
        local w = tonumber(ARGV[p + i])
        tpm[w] = (tpm[w] or 0) + correction
      end
    end
    -- totals: every field written, zero included (readers see 0, not a missing field)
    local t = tonumber(ARGV[p + 10])
    local k = 'k:' .. ARGV[p + 8] .. ':'
    add(t, 'requests', 1)
    add(t, k .. 'requests', 1)
    local fields = {'tokensIn', ARGV[p + 4], 'tokensOut', ARGV[p + 5], 'costMicros', ARGV[p + 6], 'billedMicros', ARGV[p + 7]}
    for f = 1, #fields, 2 do
      add(t, fields[f], tonumber(fields[f + 1]))
      add(t, k .. fields[f], tonumber(fields[f + 1]))
    end
  end
end

-- each counter once, in KEYS order
for s = 4, #KEYS do
  local fresh = false
  if hadRelease[s] then
    local left = redis.call('HINCRBY', KEYS[s], 'reserved', int(release[s]))
    if left < 0 or (left == 0 and release[s] == 0) then
      -- the key lost reservations (flushed, or released by a purge): floor at 0, keep a TTL
      redis.call('HSET', KEYS[s], 'reserved', '0')
      fresh = true
    end
  end
  if charge[s] ~= nil and charge[s] ~= 0 then
    if redis.call('HINCRBY', KEYS[s], 'spent', int(charge[s])) == charge[s] then
      fresh = true -- may have been created just now
    end
  end
  if fresh and ttl[s] ~= '0' then
    redis.call('EXPIRE', KEYS[s], ttl[s])
  end
  local c = tpm[s]
  if c ~= nil and c ~= 0 then
    local v = redis.call('INCRBY', KEYS[s], int(c))
    if v == c then
      redis.call('PEXPIRE', KEYS[s], ARGV[4]) -- the window had expired: recreated here
    end
    if v < 0 then
      redis.call('SET', KEYS[s], '0', 'KEEPTTL')
    end
  end
  local h = totals[s]
  if h ~= nil then
    -- 'requests' comes first: the month's hash gets its TTL when this call creates it
    for i, field in ipairs(h.order) do
      local v = redis.call('HINCRBY', KEYS[s], field, int(h.sum[field]))
      if i == 1 and v == h.sum[field] then
        redis.call('EXPIRE', KEYS[s], ARGV[2])
      end
    end
  end
end

-- one usage record per request: field, value, field, value ...
local entry = {}
for r = 1, n do
  if results[r] ~= 0 then
    local first = at[r] + 13 + 2 * ms[r]
    for i = 1, nfields do
      entry[2 * i - 1] = ARGV[5 + i]
      entry[2 * i] = ARGV[first + i]
    end
    if ARGV[3] == '0' then
      redis.call('XADD', KEYS[3], '*', unpack(entry))
    else
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(entry))
    end
  end
end
return results
