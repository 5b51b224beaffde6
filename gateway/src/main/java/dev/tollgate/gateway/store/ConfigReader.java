package dev.tollgate.gateway.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Reads the operator's projection (API keys, tenants, caps, route plans) through local caches, so a
 * warm request costs no Redis round trip for configuration. Entries are dropped at once when a
 * {@link ConfigChange} arrives (see {@link ConfigSubscriber}) and expire after a short TTL as a
 * safety net. Unknown keys are cached too (as empty), so a flood of bad keys does not reach Redis.
 */
public final class ConfigReader {

  private final RedisStore redis;
  private final Cache<String, Optional<ApiKeyRecord>> keys;
  private final Cache<TenantId, Optional<TenantRecord>> tenants;
  private final Cache<TenantId, List<CapDefinition>> caps;
  private final Cache<String, Optional<RoutePlan>> plans;
  // Bumped by every invalidation: a load that started before it must not repopulate stale data.
  private final AtomicLong epoch = new AtomicLong();

  public ConfigReader(RedisStore redis, Duration ttl) {
    this.redis = redis;
    this.keys = cache(ttl, 200_000);
    this.tenants = cache(ttl, 50_000);
    this.caps = cache(ttl, 50_000);
    this.plans = cache(ttl, 10_000);
  }

  private static <K, V> Cache<K, V> cache(Duration ttl, long size) {
    return Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(size).build();
  }

  public Future<Optional<ApiKeyRecord>> apiKey(String sha256Hex) {
    return cached(keys, sha256Hex, h -> getJson(RedisKeys.apiKey(h), ApiKeyRecord.class));
  }

  public Future<Optional<TenantRecord>> tenant(TenantId tenant) {
    return cached(tenants, tenant, t -> getJson(RedisKeys.tenant(t), TenantRecord.class));
  }

  /** The tenant's caps, sorted by name (a stable order for the scripts' keys). */
  public Future<List<CapDefinition>> caps(TenantId tenant) {
    return cached(caps, tenant, t -> redis.send(Request.cmd(Command.HGETALL).arg(RedisKeys.caps(t))).map(ConfigReader::decodeCaps));
  }

  public Future<Optional<RoutePlan>> routePlan(String namespace, String name) {
    return cached(plans, namespace + "/" + name, id -> getJson(RedisKeys.routePolicy(namespace, name), RoutePlan.class));
  }

  private <K, V> Future<V> cached(Cache<K, V> cache, K key, Function<K, Future<V>> load) {
    V hit = cache.getIfPresent(key);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    long before = epoch.get();
    return load.apply(key).onSuccess(v -> {
      if (epoch.get() == before) {
        cache.put(key, v);
      }
    });
  }

  private <T> Future<Optional<T>> getJson(String key, Class<T> type) {
    return redis.send(Request.cmd(Command.GET).arg(key))
        .map(r -> r == null ? Optional.<T>empty() : Optional.of(ConfigCodec.fromJson(r.toString(), type)));
  }

  private static List<CapDefinition> decodeCaps(Response r) {
    List<CapDefinition> out = new ArrayList<>();
    if (r != null) {
      // RESP2 answers a flat [field, value, ...] list; RESP3 a map.
      for (String field : r.getKeys()) {
        out.add(ConfigCodec.fromJson(r.get(field).toString(), CapDefinition.class));
      }
    }
    out.sort(Comparator.comparing(CapDefinition::name));
    return List.copyOf(out);
  }

  /** Drops what a change can affect. */
  public void onChange(ConfigChange change) {
    epoch.incrementAndGet();
    try {
      switch (change.kind()) {
        case ConfigChange.API_KEY -> keys.invalidate(change.id());
        case ConfigChange.TENANT -> tenants.invalidate(TenantId.parse(change.id()));
        case ConfigChange.SPEND_CAP -> caps.invalidate(TenantId.parse(change.id()));
        case ConfigChange.ROUTE_POLICY -> plans.invalidate(change.id());
        default -> invalidateAll();
      }
    } catch (IllegalArgumentException e) {
      invalidateAll(); // an id we cannot parse: be conservative
    }
  }

  public void invalidateAll() {
    epoch.incrementAndGet();
    keys.invalidateAll();
    tenants.invalidateAll();
    caps.invalidateAll();
    plans.invalidateAll();
  }
}
