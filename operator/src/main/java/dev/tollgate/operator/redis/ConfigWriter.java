package dev.tollgate.operator.redis;

import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.LuaScript;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Writes the operator's config keys: only what changed (the stored JSON is compared first), deletes
 * exactly the keys and fields it names, and publishes a {@link ConfigChange} after every change so
 * gateways drop their cached copy at once. Reads of the gateway's counters live here too: this is the
 * operator's only door to Redis.
 */
public final class ConfigWriter {

  private static final LuaScript ADMIT = LuaScript.load("admit.lua");
  private static final LuaScript RESTORE_SPENT = LuaScript.load("restore_spent.lua");

  private final UnifiedJedis redis;
  private final MeterRegistry meters;

  public ConfigWriter(UnifiedJedis redis) {
    this(redis, Metrics.globalRegistry);
  }

  public ConfigWriter(UnifiedJedis redis, MeterRegistry meters) {
    this.redis = redis;
    this.meters = meters;
    // Evaluated at scrape time: the probes stay independent of Redis (ADR 0011), the metric does not.
    Gauge.builder("tollgate_operator_redis_up", this, w -> w.ping() ? 1 : 0)
        .description("1 if Redis answered PING at scrape time")
        .register(meters);
  }

  /** SET {@code key} to the record's JSON unless it already holds exactly that; true if written. */
  public boolean put(String key, Object record, ConfigChange change) {
    String json = ConfigCodec.toJson(record);
    return put(key, json, json::equals, change);
  }

  /** SET {@code key} to {@code json} unless {@code upToDate} accepts what is stored (null when absent). */
  public boolean put(String key, String json, Predicate<String> upToDate, ConfigChange change) {
    String stored = redis.get(key);
    if (stored != null && upToDate.test(stored)) {
      return false;
    }
    redis.set(key, json);
    changed("set", change);
    return true;
  }

  /** The record stored at {@code key}, or null when absent or unreadable (a {@link #put} replaces it). */
  public <T> T get(String key, Class<T> type) {
    String json = redis.get(key);
    try {
      return json == null ? null : ConfigCodec.fromJson(json, type);
    } catch (IllegalArgumentException unreadable) {
      return null;
    }
  }

  /** HSET {@code key field} to the record's JSON unless it already holds exactly that. */
  public boolean putField(String key, String field, Object record, ConfigChange change) {
    String json = ConfigCodec.toJson(record);
    if (json.equals(redis.hget(key, field))) {
      return false;
    }
    redis.hset(key, field, json);
    changed("hset", change);
    return true;
  }

  /** DEL {@code key}; a missing key is fine. True if something was removed. */
  public boolean delete(String key, ConfigChange change) {
    if (redis.del(key) == 0) {
      return false;
    }
    changed("del", change);
    return true;
  }

  /** HDEL {@code key field}; a missing field is fine. True if something was removed. */
  public boolean deleteField(String key, String field, ConfigChange change) {
    if (redis.hdel(key, field) == 0) {
      return false;
    }
    changed("hdel", change);
    return true;
  }

  /**
   * Releases the tenant's reservations whose lease has ended (a gateway replica died before
   * settling) with the gateway's own {@code admit.lua}, called with no requests: only its purge runs,
   * atomically, and a reservation settled meanwhile is not touched. Gateways do the same at the
   * tenant's next admission; this keeps a SpendCap's {@code reserved} in status from showing money
   * held by a dead replica while the tenant is idle.
   */
  public void releaseExpiredReservations(TenantId tenant) {
    List<String> keys = List.of(RedisKeys.reservations(tenant), RedisKeys.reservationLeases(tenant));
    // ARGV as documented in admit.lua: now, window TTL, structures TTL (unused: nothing is recorded),
    // at most this many leases purged, zero requests
    List<String> args = List.of(Long.toString(System.currentTimeMillis()), "0", "0", "1000", "0");
    try {
      redis.evalsha(ADMIT.sha1(), keys, args);
    } catch (JedisDataException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
        throw e;
      }
      redis.eval(ADMIT.source(), keys, args);
    }
  }

  /** A counter HASH written by the gateway (spend, totals); empty when absent. */
  public Map<String, String> readCounters(String key) {
    return redis.hgetAll(key);
  }

  /**
   * Raises a spend counter Redis lost to {@code seenMicros}, the {@code spent} last read for its period
   * (never lowers it; {@code restore_spent.lua}, ADR 0053).
   *
   * @param expiresAtSecond when a recreated counter expires (epoch seconds); 0 for a Total counter
   * @return how much was restored, 0 when nothing was lost
   */
  public long restoreSpent(String key, long seenMicros, long expiresAtSecond) {
    List<String> keys = List.of(key);
    List<String> args = List.of(Long.toString(seenMicros), Long.toString(expiresAtSecond));
    Object restored = redis.eval(RESTORE_SPENT.source(), keys, args);
    return restored instanceof Long l ? l : 0;
  }

  /** True if Redis answers. */
  public boolean ping() {
    try {
      return "PONG".equalsIgnoreCase(redis.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void changed(String op, ConfigChange change) {
    meters.counter("tollgate_operator_redis_writes", "op", op, "kind", change.kind()).increment();
    redis.publish(RedisKeys.CONFIG_CHANNEL, change.encode());
    meters.counter("tollgate_operator_config_changes_published", "kind", change.kind()).increment();
  }
}
