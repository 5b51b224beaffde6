-- settle.lua: the end of one admitted request. Releases its reservation, charges the actual cost to
-- every cap limit it was reserved against, corrects the TPM windows with the actual token count, adds
-- to the month's totals and appends ONE usage record. Runs once per request; a retry after an
-- ambiguous failure passes ARGV[2]=1 and becomes a no-op when the reservation is already gone.
--
-- Every key shares the tenant's hash tag {t:<ns>/<name>} (Redis Cluster: one slot).
-- Why this shape (ADR 0023): it runs on every request, and Redis CPU is mostly the cost of each
-- redis.call, so a TTL is (re)applied only where a call may just have created its key: HINCRBY or
-- INCRBY answering exactly the increment, or a release finding no reservation left to release; and
-- arguments go to redis.call as the strings they arrived as (a Lua number is printf-formatted).
--
-- KEYS[1]  reservations HASH (RedisKeys.reservations)
-- KEYS[2]  leases ZSET       (RedisKeys.reservationLeases)
-- KEYS[3]  usage STREAM      (RedisKeys.usage)
-- KEYS[4]  totals HASH       (RedisKeys.totals, the month the request started in)
-- KEYS[5]  key tokens window, KEYS[6] tenant tokens window (those of the admission window)
-- KEYS[7..] spend HASHes the request was reserved against (same order as at admission)
--
-- ARGV[1]  reservation id (request id)
-- ARGV[2]  1 = only settle if the reservation still exists (a retry), 0 = always
-- ARGV[3]  actual cap-basis cost, micro-units, added to 'spent' of KEYS[7..]
-- ARGV[4]  TPM correction: actual tokens - tokens charged at admission (may be negative)
-- ARGV[5]  tokens in, ARGV[6] tokens out, ARGV[7] provider cost micros, ARGV[8] billed micros
-- ARGV[9]  API key name (totals also keep k:<key>:<field>)
-- ARGV[10] TTL of KEYS[4], seconds
-- ARGV[11] approximate MAXLEN of the usage stream; 0 = never trim (the default: usage is billing data)
-- ARGV[12] the amount reserved at admission, negated ("-52"; "0" when nothing was reserved)
-- ARGV[13] rate window TTL, ms (a TPM correction that recreates an expired window gives it this TTL)
-- ARGV[14] number n of spend keys; ARGV[15..14+n] their TTLs, seconds (applied when a key is
--          recreated here: a flushed key must not live forever)
-- ARGV[15+n..] usage record as field, value, field, value ...
--
-- Returns 1 settled with its reservation, 2 settled after the reservation had expired (released by
--         a purge), 0 nothing done (a retry whose first attempt had settled)

local id = ARGV[1]
-- the reservation's presence is what makes settle run once; its amount is the caller's own figure
local held = redis.call('HDEL', KEYS[1], id) == 1
if not held and ARGV[2] == '1' then
  return 0
end
if held then
  redis.call('ZREM', KEYS[2], id)
end

local release = ARGV[12]
local actual = ARGV[3]
local n = tonumber(ARGV[14])
for j = 1, n do
  local sk = KEYS[6 + j]
  if held then
    local left = redis.call('HINCRBY', sk, 'reserved', release)
    if left < 0 or (left == 0 and release == '0') then
      -- the key lost this reservation (flushed, or released by a purge): floor at 0, keep a TTL
      redis.call('HSET', sk, 'reserved', '0')
      redis.call('EXPIRE', sk, ARGV[14 + j])
    end
  end
  if actual ~= '0' then
    local spent = redis.call('HINCRBY', sk, 'spent', actual)
    if not held and spent == tonumber(actual) then
      redis.call('EXPIRE', sk, ARGV[14 + j]) -- may have been created just now
    end
  end
end

if ARGV[4] ~= '0' then
  local delta = tonumber(ARGV[4])
  for i = 5, 6 do
    local v = redis.call('INCRBY', KEYS[i], ARGV[4])
    if v == delta then
      redis.call('PEXPIRE', KEYS[i], ARGV[13]) -- the window had expired: recreated here
    end
    if v < 0 then
      redis.call('SET', KEYS[i], '0', 'KEEPTTL')
    end
  end
end

-- totals (every field written, zero included: readers see 0, not a missing field); the TTL is set
-- when the month's hash is created
local totals = KEYS[4]
if redis.call('HINCRBY', totals, 'requests', '1') == 1 then
  redis.call('EXPIRE', totals, ARGV[10])
end
local k = 'k:' .. ARGV[9] .. ':'
redis.call('HINCRBY', totals, k .. 'requests', '1')
local fields = {'tokensIn', ARGV[5], 'tokensOut', ARGV[6], 'costMicros', ARGV[7], 'billedMicros', ARGV[8]}
for f = 1, #fields, 2 do
  redis.call('HINCRBY', totals, fields[f], fields[f + 1])
  redis.call('HINCRBY', totals, k .. fields[f], fields[f + 1])
end

if ARGV[11] == '0' then
  redis.call('XADD', KEYS[3], '*', unpack(ARGV, 15 + n))
else
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[11], '*', unpack(ARGV, 15 + n))
end
if held then
  return 1
end
return 2
