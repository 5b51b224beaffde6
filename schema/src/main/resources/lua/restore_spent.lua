-- restore_spent.lua: raises a spend counter that Redis lost back to what the operator last saw
-- (ADR 0053). Settled spend only grows within a period, so a counter below the operator's last
-- reading means Redis lost it (a flush, an empty replacement, a failover that lost writes); without
-- this a cap would reset mid-period (a prepaid Total credit would be given back). The counter is
-- raised to that reading, never lowered: spend settled after the loss and before this call is
-- absorbed, so the restore can under-count by that much, never over-charge.
--
-- KEYS[1] the spend HASH of one cap limit's period
-- ARGV[1] 'spent' the operator last read for this period, micro-units
-- ARGV[2] when a counter it recreates expires, epoch seconds; 0 none (a Total counter)
-- returns how much 'spent' was raised by (0: nothing lost)
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent') or '0')
local seen = tonumber(ARGV[1])
if spent >= seen then
  return 0
end
redis.call('HINCRBY', KEYS[1], 'spent', ARGV[1] - spent)
if ARGV[2] ~= '0' and redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIREAT', KEYS[1], ARGV[2])
end
return seen - spent
