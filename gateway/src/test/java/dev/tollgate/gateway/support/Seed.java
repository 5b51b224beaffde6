package dev.tollgate.gateway.support;

import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.CredentialSealer;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.UnifiedJedis;

/**
 * Writes the operator's projection straight into Redis (records through {@link ConfigCodec} at
 * {@link RedisKeys}), as the operator would, so gateway tests do not need the operator.
 */
public final class Seed {

  public static final String CREDENTIALS_KEY = CredentialSealer.newKeyBase64();
  public static final String UPSTREAM_KEY = "sk-upstream-secret";
  public static final String MODEL = "gpt-4o-mini";
  /** $0.15 / $0.60 per million tokens, in micros. */
  public static final long IN_PRICE = 150_000;
  public static final long OUT_PRICE = 600_000;

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final UnifiedJedis redis;
  public final TenantId tenant;
  public final String policy = "default";

  public Seed(UnifiedJedis redis) {
    this(redis, new TenantId("ns" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet(), "acme"));
  }

  private Seed(UnifiedJedis redis, TenantId tenant) {
    this.redis = redis;
    this.tenant = tenant;
  }

  /** The same tenant through another client (e.g. after a Redis restart). */
  public Seed using(UnifiedJedis client) {
    return new Seed(client, tenant);
  }

  public Seed tenant(long rpm, long tpm, Pricing pricing, List<String> allowed, String state) {
    TenantRecord t = new TenantRecord(tenant.id(), "Acme", state, allowed, policy, rpm, tpm, pricing, 1);
    redis.set(RedisKeys.tenant(tenant), ConfigCodec.toJson(t));
    publish(ConfigChange.TENANT, tenant.id());
    return this;
  }

  public Seed tenant() {
    return tenant(0, 0, Pricing.passThrough("USD"), List.of(), TenantRecord.ACTIVE);
  }

  /** A new key; returns the raw key (only its hash is stored). */
  public String key(String name, long rpm, long tpm, List<String> allowed, String state, long notAfterMs) {
    return key(ApiKeys.generate(), name, rpm, tpm, allowed, state, notAfterMs);
  }

  /** Stores {@code raw} (e.g. again, after Redis lost its data, as the operator's resync would). */
  public String key(String raw, String name, long rpm, long tpm, List<String> allowed, String state, long notAfterMs) {
    ApiKeyRecord k = new ApiKeyRecord(tenant.id(), name, state, notAfterMs, allowed, rpm, tpm, null, 1);
    redis.set(RedisKeys.apiKey(ApiKeys.sha256Hex(raw)), ConfigCodec.toJson(k));
    return raw;
  }

  public String key(String name) {
    return key(name, 0, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
  }

  /** A plan routing {@link #MODEL} (and {@code text-embedding-3-small}) to the fake provider. */
  public Seed plan(String baseUrl) {
    return plan(Map.of("fake", provider(baseUrl)), List.of(
        new RoutePlan.Route(MODEL, List.of(target("fake", "upstream-mini")), List.of()),
        new RoutePlan.Route("text-embedding-3-small", List.of(new RoutePlan.Target("fake", "upstream-embed", 0, 1, 20_000, 0, 0)), List.of()),
        new RoutePlan.Route("gpt-4o", List.of(target("fake", "upstream-4o")), List.of())), null);
  }

  public Seed plan(Map<String, RoutePlan.Provider> providers, List<RoutePlan.Route> routes, RoutePlan.Timeouts timeouts) {
    return plan(providers, routes, null, timeouts);
  }

  public Seed plan(Map<String, RoutePlan.Provider> providers, List<RoutePlan.Route> routes, RoutePlan.Retry retry,
      RoutePlan.Timeouts timeouts) {
    return plan(providers, routes, retry, timeouts, null);
  }

  /** A plan with cooldown settings (null: the defaults). */
  public Seed plan(Map<String, RoutePlan.Provider> providers, List<RoutePlan.Route> routes, RoutePlan.Retry retry,
      RoutePlan.Timeouts timeouts, RoutePlan.Cooldown cooldown) {
    String policyId = tenant.namespace() + "/" + policy;
    RoutePlan p = new RoutePlan(policyId, 1, "v-" + COUNTER.incrementAndGet(), providers, routes, retry, timeouts, cooldown);
    redis.set(RedisKeys.routePolicy(tenant.namespace(), policy), ConfigCodec.toJson(p));
    publish(ConfigChange.ROUTE_POLICY, policyId);
    return this;
  }

  public RoutePlan.Provider provider(String baseUrl) {
    return provider("openai-compatible", baseUrl, null);
  }

  /** A provider of any type whose credential is {@link #UPSTREAM_KEY}. */
  public RoutePlan.Provider provider(String type, String baseUrl, String apiVersion) {
    String sealed = CredentialSealer.fromBase64(CREDENTIALS_KEY).seal(UPSTREAM_KEY, tenant.namespace() + "/" + policy);
    return new RoutePlan.Provider(type, baseUrl, apiVersion, sealed, Map.of());
  }

  /** A vertex-ai provider whose credential is the service-account key file {@code keyJson}. */
  public RoutePlan.Provider vertexProvider(String baseUrl, String keyJson, String project, String location) {
    String sealed = CredentialSealer.fromBase64(CREDENTIALS_KEY).seal(keyJson, tenant.namespace() + "/" + policy);
    return new RoutePlan.Provider("vertex-ai", baseUrl, null, sealed, Map.of(), project, location);
  }

  public static RoutePlan.Target target(String provider, String model) {
    return new RoutePlan.Target(provider, model, 0, 1, IN_PRICE, OUT_PRICE, 128_000);
  }

  public Seed cap(String name, String scope, String apiKey, String action, Period period, long limitMicros) {
    CapDefinition c = new CapDefinition(name, scope, apiKey, action, "USD",
        List.of(new CapDefinition.Limit(period, limitMicros)), List.of(), 1);
    redis.hset(RedisKeys.caps(tenant), name, ConfigCodec.toJson(c));
    publish(ConfigChange.SPEND_CAP, tenant.id());
    return this;
  }

  private void publish(String kind, String id) {
    redis.publish(RedisKeys.CONFIG_CHANNEL, new ConfigChange(kind, id).encode());
  }
}
