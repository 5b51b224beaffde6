-- admit.lua: rate limits (RPM + TPM, per key and per tenant) AND the worst-case spend reservation
-- against every applicable cap limit, in ONE atomic step on the tenant's slot.
--
-- Why one script: a request must either pass every check and be counted everywhere, or be counted
-- nowhere. Redis runs a script without interleaving, so counting, checking and (on a refusal) undoing
-- inside one script is exact across any number of gateway replicas, and costs one round trip.
-- Why Lua and not MULTI: the checks decide what to keep, and keys may expire in between.
--
-- Why this shape (ADR 0023): the script runs on every request, and Redis CPU is mostly the cost of
-- each redis.call. So the rate windows are incremented first and rolled back on the rare refusal
-- (one call per window instead of GET + INCRBY), a TTL is set only when a call has just created its
-- key (INCRBY/HINCRBY answered exactly the increment), and the reservation record is concatenated.
-- Arguments go to redis.call as the strings they arrived as: a Lua number passed to redis.call is
-- formatted with printf on every call, which profiling showed among Redis's top costs.
--
-- Every key shares the tenant's hash tag {t:<ns>/<name>} (Redis Cluster: one slot). Expired leases
-- are purged here: their spend keys are read from the stored reservation; they carry the same tag.
--
-- KEYS[1]  reservations HASH  (RedisKeys.reservations)       id -> JSON {"a": amount, "s": [spend keys]}
-- KEYS[2]  leases ZSET        (RedisKeys.reservationLeases)  id -> lease end (epoch ms)
-- KEYS[3]  key requests window    (RedisKeys.rateWindow k <key> req <minute>)
-- KEYS[4]  key tokens window      (RedisKeys.rateWindow k <key> tok <minute>)
-- KEYS[5]  tenant requests window (RedisKeys.rateWindow t - req <minute>)
-- KEYS[6]  tenant tokens window   (RedisKeys.rateWindow t - tok <minute>)
-- KEYS[7..] spend HASHes {spent, reserved} (RedisKeys.spend), one per applicable cap limit
--
-- ARGV[1]  now, epoch ms
-- ARGV[2]  reservation id (the request id)
-- ARGV[3]  reservation amount, micro-units (worst-case cap basis)
-- ARGV[4]  lease end, epoch ms (after it the reservation is released by the next admission)
-- ARGV[5]  rate window TTL, ms
-- ARGV[6..9] limits for KEYS[3..6] (0 = unlimited; the counter is then neither checked nor written)
-- ARGV[10] tokens charged to the TPM windows now (prompt estimate + max output)
-- ARGV[11] TTL of KEYS[1] and KEYS[2], seconds (>= every spend key's, so no release is ever lost)
-- ARGV[12] at most this many expired leases are purged per call
-- ARGV[13..] per spend key i (in KEYS order): limit micros, reject flag (1 Reject / 0 Alert), TTL s
--
-- Returns {1, c3, c4, c5, c6}         admitted; c = counter values after increment (-1 = unlimited)
--         {0, "rate", i, current}     KEYS[i] (3..6) would exceed its limit; nothing kept
--         {0, "cap", i, spent, reserved}  KEYS[i] (7..) would exceed its Reject limit; nothing kept

-- releases one stored reservation {a, s} from its spend keys (a key already gone is left alone)
local function release(raw)
  local r = cjson.decode(raw)
  for _, sk in ipairs(r.s) do
    if redis.call('EXISTS', sk) == 1 and redis.call('HINCRBY', sk, 'reserved', -r.a) < 0 then
      redis.call('HSET', sk, 'reserved', 0)
    end
  end
end

-- 1. release reservations whose lease ended (a replica died before settling)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', '0', ARGV[12])
for _, id in ipairs(expired) do
  local raw = redis.call('HGET', KEYS[1], id)
  if raw then
    release(raw)
    redis.call('HDEL', KEYS[1], id)
  end
  redis.call('ZREM', KEYS[2], id)
end

-- 2. rate limits: count, and undo everything counted here if any window is over its limit
local tokens = tonumber(ARGV[10])
local counts = {-1, -1, -1, -1}
local over = 0
for i = 3, 6 do
  if ARGV[i + 3] ~= '0' then
    local req = i == 3 or i == 5
    local v = redis.call('INCRBY', KEYS[i], req and '1' or ARGV[10])
    if v == (req and 1 or tokens) then
      redis.call('PEXPIRE', KEYS[i], ARGV[5]) -- created just now (or it was 0): give it its TTL
    end
    counts[i - 2] = v
    if over == 0 and v > tonumber(ARGV[i + 3]) then
      over = i
    end
  end
end
local function undo()
  for i = 3, 6 do
    if counts[i - 2] >= 0 then
      redis.call('DECRBY', KEYS[i], (i == 3 or i == 5) and '1' or ARGV[10])
    end
  end
end
if over > 0 then
  undo()
  return {0, 'rate', over, counts[over - 2] - ((over == 3 or over == 5) and 1 or tokens)}
end

-- 3. spend caps: spent + reserved + this request's worst case must fit every Reject limit
local amount = tonumber(ARGV[3])
local nspend = #KEYS - 6
for j = 1, nspend do
  local base = 13 + (j - 1) * 3
  if ARGV[base + 1] == '1' then
    local v = redis.call('HMGET', KEYS[6 + j], 'spent', 'reserved')
    local spent = tonumber(v[1] or '0')
    local reserved = tonumber(v[2] or '0')
    if spent + reserved + amount > tonumber(ARGV[base]) then
      undo()
      return {0, 'cap', 6 + j, spent, reserved}
    end
  end
end

-- 4. admitted: reserve on every cap limit and record the reservation
for j = 1, nspend do
  local sk = KEYS[6 + j]
  if redis.call('HINCRBY', sk, 'reserved', ARGV[3]) == amount then
    redis.call('EXPIRE', sk, ARGV[13 + (j - 1) * 3 + 2]) -- created just now (or was 0)
  end
end
-- recorded even without caps: settle uses it to run exactly once
-- JSON {"a":amount,"s":[spend keys]} built by concatenation (cjson.encode costs more): key names are
-- built by RedisKeys from Kubernetes names and never contain a quote or a backslash
local rec = '{"a":' .. ARGV[3] .. ',"s":[' .. (nspend > 0 and ('"' .. table.concat(KEYS, '","', 7) .. '"') or '') .. ']}'
redis.call('HSET', KEYS[1], ARGV[2], rec)
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
-- refreshed on every admission: a busy tenant's reservation structures must outlive every spend key
redis.call('EXPIRE', KEYS[1], ARGV[11])
redis.call('EXPIRE', KEYS[2], ARGV[11])
return {1, counts[1], counts[2], counts[3], counts[4]}
