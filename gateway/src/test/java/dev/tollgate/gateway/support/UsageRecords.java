package dev.tollgate.gateway.support;

import static org.awaitility.Awaitility.await;

import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.resps.StreamEntry;

/** Reads a tenant's usage records (settle appends them after the response, so reads wait). */
public final class UsageRecords {

  private UsageRecords() {}

  /** The tenant's records once there are at least {@code n}, oldest first. */
  public static List<Map<String, String>> atLeast(UnifiedJedis redis, TenantId tenant, int n) {
    await().atMost(Duration.ofSeconds(10)).until(() -> all(redis, tenant).size() >= n);
    return all(redis, tenant);
  }

  /** The newest record once there are at least {@code n}. */
  public static Map<String, String> nth(UnifiedJedis redis, TenantId tenant, int n) {
    return atLeast(redis, tenant, n).get(n - 1);
  }

  public static List<Map<String, String>> all(UnifiedJedis redis, TenantId tenant) {
    return redis.xrange(RedisKeys.usage(tenant), (StreamEntryID) null, (StreamEntryID) null).stream()
        .map(StreamEntry::getFields).toList();
  }
}
