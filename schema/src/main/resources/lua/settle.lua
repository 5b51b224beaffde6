-- settle.lua: the end of one admitted request. Releases its reservation, charges the actual cost to
-- every cap limit it was reserved against, corrects the TPM windows with the actual token count, adds
-- to the month's totals and appends ONE usage record. Runs once per request; a retry after an
-- ambiguous failure passes ARGV[2]=1 and becomes a no-op when the reservation is already gone.
--
-- Every key shares the tenant's hash tag {t:<ns>/<name>} (Redis Cluster: one slot).
--
-- KEYS[1]  reservations HASH (RedisKeys.reservations)
-- KEYS[2]  leases ZSET       (RedisKeys.reservationLeases)
-- KEYS[3]  usage STREAM      (RedisKeys.usage)
-- KEYS[4]  totals HASH       (RedisKeys.totals, the month the request started in)
-- KEYS[5]  key tokens window, KEYS[6] tenant tokens window (those of the admission window;
--          always real keys, a counter that was never created is left alone)
-- KEYS[7..] spend HASHes the request was reserved against (same order as at admission)
--
-- ARGV[1]  reservation id (request id)
-- ARGV[2]  1 = only settle if the reservation still exists (a retry), 0 = always
-- ARGV[3]  actual cap-basis cost, micro-units, added to 'spent' of KEYS[7..]
-- ARGV[4]  TPM correction: actual tokens - tokens charged at admission (may be negative)
-- ARGV[5]  tokens in, ARGV[6] tokens out, ARGV[7] provider cost micros, ARGV[8] billed micros
-- ARGV[9]  API key name (totals also keep k:<key>:<field>)
-- ARGV[10] TTL of KEYS[4], seconds
-- ARGV[11] approximate MAXLEN of the usage stream
-- ARGV[12] number n of spend keys; ARGV[13..12+n] their TTLs, seconds (re-applied: a flushed key
--          recreated here must not live forever)
-- ARGV[13+n..] usage record as field, value, field, value ...
--
-- Returns 1 settled with its reservation, 2 settled after the reservation had expired (released by
--         a purge), 0 nothing done (a retry whose first attempt had settled)

local id = ARGV[1]
local raw = redis.call('HGET', KEYS[1], id)
if not raw and ARGV[2] == '1' then
  return 0
end
local n = tonumber(ARGV[12])
if raw then
  local r = cjson.decode(raw)
  for j = 1, n do
    local sk = KEYS[6 + j]
    if redis.call('EXISTS', sk) == 1 and redis.call('HINCRBY', sk, 'reserved', -r.a) < 0 then
      redis.call('HSET', sk, 'reserved', 0)
    end
  end
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end

local actual = tonumber(ARGV[3])
for j = 1, n do
  local sk = KEYS[6 + j]
  if actual > 0 then
    redis.call('HINCRBY', sk, 'spent', actual)
  end
  if redis.call('TTL', sk) < 0 and redis.call('EXISTS', sk) == 1 then
    redis.call('EXPIRE', sk, tonumber(ARGV[12 + j]))
  end
end

local delta = tonumber(ARGV[4])
if delta ~= 0 then
  for i = 5, 6 do
    -- only while the window lives: a correction must not create a counter without its TTL
    if redis.call('EXISTS', KEYS[i]) == 1 then
      if redis.call('INCRBY', KEYS[i], delta) < 0 then
        redis.call('SET', KEYS[i], 0, 'KEEPTTL')
      end
    end
  end
end

local k = 'k:' .. ARGV[9] .. ':'
local fields = {'requests', 1, 'tokensIn', ARGV[5], 'tokensOut', ARGV[6], 'costMicros', ARGV[7], 'billedMicros', ARGV[8]}
for f = 1, #fields, 2 do
  redis.call('HINCRBY', KEYS[4], fields[f], fields[f + 1])
  redis.call('HINCRBY', KEYS[4], k .. fields[f], fields[f + 1])
end
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[10]))

local rec = {}
for f = 13 + n, #ARGV do
  rec[#rec + 1] = ARGV[f]
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[11], '*', unpack(rec))
if raw then
  return 1
end
return 2
