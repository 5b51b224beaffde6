-- admit.lua: rate limits (RPM + TPM, per key and per tenant) AND the worst-case spend reservation
-- against every applicable cap limit, for a BATCH of requests of one tenant, in ONE atomic step on the
-- tenant's slot. The requests are decided one after the other, in order, exactly as if each had run
-- alone: request r sees the counts of every request admitted before it in this batch.
--
-- Why one script: a request must either pass every check and be counted everywhere, or be counted
-- nowhere. Redis runs a script without interleaving, so counting and checking inside one script is
-- exact across any number of gateway replicas.
-- Why batches (ADR 0025): Redis CPU is mostly the cost of each call and each redis.call. A gateway
-- replica sends the admissions of one tenant that arrive while its previous batch is in flight as one
-- call (group commit), and this script reads each counter once, decides every request in Lua, and
-- writes each counter once with the batch's total. A batch of one is the unloaded case.
-- Arguments are passed to redis.call as strings (a Lua number is printf-formatted; %d keeps integers
-- integral where a sum has to be passed).
--
-- Every key shares the tenant's hash tag {t:<ns>/<name>} (Redis Cluster: one slot). Expired leases
-- are purged here: their spend keys are read from the stored reservation; they carry the same tag.
--
-- KEYS[1]  reservations HASH  (RedisKeys.reservations)       id -> JSON {"a": amount, "s": [spend keys]},
--          or 'x': released after its lease, not settled yet (a tombstone, see 1.)
-- KEYS[2]  leases ZSET        (RedisKeys.reservationLeases)  id -> lease end (epoch ms)
-- KEYS[3..] every rate window (RedisKeys.rateWindow) and spend HASH {spent, reserved} (RedisKeys.spend)
--          the batch uses, each once; the requests refer to them by index
--
-- ARGV[1]  now, epoch ms
-- ARGV[2]  rate window TTL, ms
-- ARGV[3]  TTL of KEYS[1] and KEYS[2], seconds (>= every spend key's, so no release is ever lost, plus
--          TOMBSTONE_MS: a tombstone lives its time)
-- ARGV[4]  at most this many expired leases are purged per call
-- ARGV[5]  n, the number of requests; then n blocks, one per request, in order:
--   +0 reservation id (the request id; empty: a request counted against the rate windows only, e.g. a
--      free token count, which reserves nothing and is never settled, so no reservation is recorded)
--   +1 reservation amount, micro-units (worst-case cap basis)
--   +2 lease end, epoch ms               +3 tokens charged to the TPM windows (prompt estimate + max output)
--   +4..+11 four (KEYS index, limit) pairs: key requests, key tokens, tenant requests, tenant tokens
--           windows (limit 0 = unlimited: the window is neither checked nor written)
--   +12 m, the number of spend keys; then m (KEYS index, limit micros, reject flag 1 Reject / 0 Alert,
--       TTL s) quadruples; TTL 0: none (a Total limit's counter is billing state and never expires)
--
-- Returns one reply per request, in order:
--   {1, c1, c2, c3, c4}          admitted; c = window counts after it (-1 = unlimited)
--   {0, "rate", w, current}      window w (1..4) would exceed its limit; nothing kept for it
--   {0, "cap", j, spent, reserved}  its j-th spend key would exceed its Reject limit; nothing kept

local function int(x)
  return string.format('%d', x)
end

-- releases one stored reservation {a, s} from its spend keys (a key already gone is left alone)
local function release(raw)
  local r = cjson.decode(raw)
  for _, sk in ipairs(r.s) do
    if redis.call('EXISTS', sk) == 1 and redis.call('HINCRBY', sk, 'reserved', -r.a) < 0 then
      redis.call('HSET', sk, 'reserved', 0)
    end
  end
end

-- 1. release reservations whose lease ended (a replica died, or could not reach Redis before the
--    lease ended); before any spend key is read below. A released reservation leaves the tombstone
--    'x' in KEYS[1] for TOMBSTONE_MS (its lease entry moves to then): a settle arriving later (a
--    replica that outlived a long outage, a settle spooled at a stop and replayed) then still charges
--    and records the request, exactly once (settle.lua), instead of being taken for a retry whose
--    first attempt had landed. A tombstone whose time is up is deleted.
local TOMBSTONE_MS = 7 * 86400000   -- SpendLedger.TOMBSTONE_RETENTION
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', '0', ARGV[4])
local tombstones = 0
for _, id in ipairs(expired) do
  local raw = redis.call('HGET', KEYS[1], id)
  if raw and raw ~= 'x' then
    release(raw)
    redis.call('HSET', KEYS[1], id, 'x')
    redis.call('ZADD', KEYS[2], int(tonumber(ARGV[1]) + TOMBSTONE_MS), id)
    tombstones = tombstones + 1
  else
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
  end
end
if tombstones > 0 then
  -- (the operator's purge-only call passes no structures TTL): a tombstone outlives its time
  for k = 1, 2 do
    if redis.call('PTTL', KEYS[k]) < TOMBSTONE_MS then
      redis.call('PEXPIRE', KEYS[k], TOMBSTONE_MS)
    end
  end
end

-- counts as this batch sees them: read once, then kept in Lua
local window = {}   -- KEYS index -> count in Redis before the batch
local added = {}    -- KEYS index -> this batch's increment
local function count(k)
  if window[k] == nil then
    window[k] = tonumber(redis.call('GET', KEYS[k]) or '0')
    added[k] = 0
  end
  return window[k] + added[k]
end
local spent, reserved = {}, {}
local function load(s)
  if spent[s] == nil then
    local v = redis.call('HMGET', KEYS[s], 'spent', 'reserved')
    spent[s] = tonumber(v[1] or '0')
    reserved[s] = tonumber(v[2] or '0')
  end
end
local radd, sttl = {}, {}   -- KEYS index -> reserved by this batch, TTL
local results, records, leases = {}, {}, {}

local n = tonumber(ARGV[5])
local p = 6
for r = 1, n do
  local amount = tonumber(ARGV[p + 1])
  local tokens = tonumber(ARGV[p + 3])
  local m = tonumber(ARGV[p + 12])
  local q = p + 13
  -- 2. rate limits
  local counts = {-1, -1, -1, -1}
  local refused = nil
  for w = 1, 4 do
    local limit = tonumber(ARGV[p + 3 + 2 * w])
    if limit > 0 then
      local inc = (w % 2 == 1) and 1 or tokens
      local v = count(tonumber(ARGV[p + 2 + 2 * w])) + inc
      counts[w] = v
      if refused == nil and v > limit then
        refused = {0, 'rate', w, v - inc}
      end
    end
  end
  -- 3. spend caps: spent + reserved + this request's worst case must fit every Reject limit
  if refused == nil then
    for j = 1, m do
      local b = q + (j - 1) * 4
      if ARGV[b + 2] == '1' then
        local s = tonumber(ARGV[b])
        load(s)
        local held = reserved[s] + (radd[s] or 0)
        if spent[s] + held + amount > tonumber(ARGV[b + 1]) then
          refused = {0, 'cap', j, spent[s], held}
          break
        end
      end
    end
  end
  -- 4. admitted: count it, reserve on every cap limit, record the reservation
  if refused ~= nil then
    results[r] = refused
  else
    for w = 1, 4 do
      if counts[w] >= 0 then
        local k = tonumber(ARGV[p + 2 + 2 * w])
        added[k] = added[k] + ((w % 2 == 1) and 1 or tokens)
      end
    end
    local names = {}
    for j = 1, m do
      local b = q + (j - 1) * 4
      local s = tonumber(ARGV[b])
      radd[s] = (radd[s] or 0) + amount
      sttl[s] = ARGV[b + 3]
      names[j] = KEYS[s]
    end
    -- recorded even without caps: settle uses it to run exactly once. JSON {"a":amount,"s":[keys]}
    -- by concatenation (cjson.encode costs more): key names are built by RedisKeys from Kubernetes
    -- names and never contain a quote or a backslash
    if ARGV[p] ~= '' then
      local rec = '{"a":' .. ARGV[p + 1] .. ',"s":[' .. (m > 0 and ('"' .. table.concat(names, '","') .. '"') or '') .. ']}'
      records[#records + 1] = ARGV[p]
      records[#records + 1] = rec
      leases[#leases + 1] = ARGV[p + 2]
      leases[#leases + 1] = ARGV[p]
    end
    results[r] = {1, counts[1], counts[2], counts[3], counts[4]}
  end
  p = q + m * 4
end

-- 5. write each counter once, in KEYS order; a TTL only where the call has just created the key
--    (INCRBY/HINCRBY answered exactly the increment)
for k = 3, #KEYS do
  local a = added[k]
  if a ~= nil and a > 0 then
    local total = int(a)
    if redis.call('INCRBY', KEYS[k], total) == a then
      redis.call('PEXPIRE', KEYS[k], ARGV[2])
    end
  end
  a = radd[k]
  if a ~= nil and a > 0 then
    if redis.call('HINCRBY', KEYS[k], 'reserved', int(a)) == a and sttl[k] ~= '0' then
      redis.call('EXPIRE', KEYS[k], sttl[k])
    end
  end
end
if #records > 0 then
  redis.call('HSET', KEYS[1], unpack(records))
  redis.call('ZADD', KEYS[2], unpack(leases))
  -- refreshed on every admission: a busy tenant's reservation structures must outlive every spend key
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
return results
