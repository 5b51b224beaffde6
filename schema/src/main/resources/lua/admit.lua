-- admit.lua: rate limits (RPM + TPM, per key and per tenant) AND the worst-case spend reservation
-- against every applicable cap limit, in ONE atomic step on the tenant's slot.
--
-- Why one script: a request must either pass every check and be counted everywhere, or be counted
-- nowhere. Checking first and incrementing afterwards inside one script makes that exact across any
-- number of gateway replicas (Redis runs a script without interleaving), and costs one round trip.
-- Why Lua and not MULTI: the checks decide whether to write at all, and keys may expire in between.
--
-- Every key shares the tenant's hash tag {t:<ns>/<name>} (Redis Cluster: one slot). Expired leases
-- are purged here: their spend keys are read from the stored reservation; they carry the same tag.
--
-- KEYS[1]  reservations HASH  (RedisKeys.reservations)       id -> JSON {a, s=[spend keys]}
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
--         {0, "rate", i, current}     KEYS[i] (3..6) would exceed its limit; nothing written
--         {0, "cap", i, spent, reserved}  KEYS[i] (7..) would exceed its Reject limit; nothing written

local now = tonumber(ARGV[1])

-- 1. release reservations whose lease ended (a replica died before settling)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[12]))
for _, id in ipairs(expired) do
  local raw = redis.call('HGET', KEYS[1], id)
  if raw then
    local r = cjson.decode(raw)
    for _, sk in ipairs(r.s) do
      if redis.call('EXISTS', sk) == 1 and redis.call('HINCRBY', sk, 'reserved', -r.a) < 0 then
        redis.call('HSET', sk, 'reserved', 0)
      end
    end
    redis.call('HDEL', KEYS[1], id)
  end
  redis.call('ZREM', KEYS[2], id)
end

-- 2. rate limits: check everything before writing anything
local tokens = tonumber(ARGV[10])
local counts = {-1, -1, -1, -1}
for i = 3, 6 do
  local limit = tonumber(ARGV[i + 3])
  if limit > 0 then
    local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
    local add = (i == 3 or i == 5) and 1 or tokens
    if cur + add > limit then
      return {0, 'rate', i, cur}
    end
    counts[i - 2] = cur + add
  end
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
      return {0, 'cap', 6 + j, spent, reserved}
    end
  end
end

-- 4. admitted: count and reserve
local ttl = tonumber(ARGV[5])
for i = 3, 6 do
  if counts[i - 2] >= 0 then
    local add = (i == 3 or i == 5) and 1 or tokens
    redis.call('INCRBY', KEYS[i], add)
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
local skeys = {}
for j = 1, nspend do
  local sk = KEYS[6 + j]
  skeys[j] = sk
  redis.call('HINCRBY', sk, 'reserved', amount)
  redis.call('EXPIRE', sk, tonumber(ARGV[13 + (j - 1) * 3 + 2]))
end
-- recorded even without caps: settle uses it to run exactly once
redis.call('HSET', KEYS[1], ARGV[2], cjson.encode({a = amount, s = skeys}))
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]), ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[11]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[11]))
return {1, counts[1], counts[2], counts[3], counts[4]}
