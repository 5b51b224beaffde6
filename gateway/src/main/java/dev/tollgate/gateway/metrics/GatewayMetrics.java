package dev.tollgate.gateway.metrics;

import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.routing.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's Prometheus metrics. Tenant and model labels go through {@link BoundedLabel}; provider
 * names come from route policies (few). Shared by every verticle of a process (thread-safe).
 */
public final class GatewayMetrics {

  private final PrometheusMeterRegistry registry;
  private final BoundedLabel tenants;
  private final BoundedLabel models;
  private final BoundedLabel providers = new BoundedLabel(100);
  private final Counter redisRoundTrips;
  private final Counter settleFailures;

  public GatewayMetrics(PrometheusMeterRegistry registry, int maxTenants) {
    this.registry = registry;
    this.tenants = new BoundedLabel(maxTenants);
    this.models = new BoundedLabel(maxTenants);
    this.redisRoundTrips = Counter.builder("tollgate_redis_round_trips")
        .description("Commands and scripts sent to Redis (pings and config reads included)").register(registry);
    this.settleFailures = Counter.builder("tollgate_settle_failures")
        .description("Settlements that could not be written (reservation left to its lease)").register(registry);
  }

  public static GatewayMetrics create(int maxTenants) {
    return new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), maxTenants);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  // Meters are looked up per label set in these maps, not rebuilt per request: building and
  // registering a meter (tag sorting, registry lookup) cost more than the increment itself.
  private record Key(String a, String b, String c, String d, String e) {
    Key(String a, String b, String c, String d) {
      this(a, b, c, d, null);
    }
  }

  /** The per (tenant, model, provider) counters of one settled request. */
  private record Usage(Counter tokensIn, Counter tokensOut, Counter cacheRead, Counter cacheWrite, Counter cost) {}

  private final Map<Key, Counter> rejections = new ConcurrentHashMap<>();
  private final Map<Key, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Key, Usage> usage = new ConcurrentHashMap<>();
  private final Map<String, Counter> billed = new ConcurrentHashMap<>();
  private final Map<Key, Timer> durations = new ConcurrentHashMap<>();
  private final Map<Key, Counter> attempts = new ConcurrentHashMap<>();

  /** A request answered with an error before or instead of an upstream call. */
  public void rejected(GatewayRequest req, String code) {
    String tenant = tenants.of(req.tenant() == null ? null : req.tenant().tenant());
    rejections.computeIfAbsent(new Key(code, tenant, null, null), k -> Counter.builder("tollgate_rejections")
        .description("Requests refused by the gateway, by reason")
        .tag("reason", k.a())
        .tag("tenant", k.b())
        .register(registry)).increment();
  }

  /** A request that reached settle. */
  public void settled(GatewayRequest req, Outcome o, long costMicros, long billedMicros) {
    String tenant = tenants.of(req.tenant().tenant());
    String model = models.of(req.model());
    String provider = providers.of(o.provider());
    String status = Integer.toString(o.status());
    String endpoint = req.endpoint().label();
    requests.computeIfAbsent(new Key(tenant, model, provider, status, endpoint), k -> Counter.builder("tollgate_requests")
        .description("Admitted requests by outcome")
        .tags("tenant", k.a(), "model", k.b(), "provider", k.c(), "status", k.d(), "endpoint", k.e())
        .register(registry)).increment();
    Usage u = usage.computeIfAbsent(new Key(tenant, model, provider, null), k -> new Usage(
        tokens(k, "input"), tokens(k, "output"), cacheTokens(k, "read"), cacheTokens(k, "write"),
        Counter.builder("tollgate_provider_cost_micros").description("Provider cost, micro-units of the tenant's currency")
            .tags("tenant", k.a(), "model", k.b(), "provider", k.c()).register(registry)));
    if (o.usage().inputTokens() > 0) {
      u.tokensIn().increment(o.usage().inputTokens());
    }
    if (o.usage().outputTokens() > 0) {
      u.tokensOut().increment(o.usage().outputTokens());
    }
    if (o.usage().cachedInputTokens() > 0) {
      u.cacheRead().increment(o.usage().cachedInputTokens());
    }
    if (o.usage().cacheWriteTokens() > 0) {
      u.cacheWrite().increment(o.usage().cacheWriteTokens());
    }
    if (costMicros > 0) {
      u.cost().increment(costMicros);
    }
    if (billedMicros > 0) {
      billed.computeIfAbsent(tenant, t -> Counter.builder("tollgate_billed_micros").description("Usage billed to tenants, micro-units")
          .tags("tenant", t).register(registry)).increment(billedMicros);
    }
    durations.computeIfAbsent(new Key(provider, status, endpoint, null), k -> Timer.builder("tollgate_request_duration")
            .description("Time from request to end of response, admitted requests")
            .tags("provider", k.a(), "status", k.b(), "endpoint", k.c())
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry))
        .record(System.nanoTime() - req.startNanos(), TimeUnit.NANOSECONDS);
  }

  private Counter tokens(Key k, String direction) {
    return Counter.builder("tollgate_tokens").description("Tokens billed")
        .tags("tenant", k.a(), "model", k.b(), "provider", k.c(), "direction", direction).register(registry);
  }

  /** Prompt tokens read from or written to a provider's prompt cache: a part of the input tokens, priced apart. */
  private Counter cacheTokens(Key k, String kind) {
    return Counter.builder("tollgate_prompt_cache_tokens").description("Input tokens read from (read) or written to (write) the provider's prompt cache")
        .tags("tenant", k.a(), "model", k.b(), "provider", k.c(), "kind", kind).register(registry);
  }

  /** One call to an upstream; {@code outcome} is ok or the fallback trigger class. */
  public void attempt(String provider, String outcome) {
    attempts.computeIfAbsent(new Key(providers.of(provider), outcome, null, null), k -> Counter.builder("tollgate_upstream_attempts")
        .description("Upstream calls by result")
        .tags("provider", k.a(), "outcome", k.b()).register(registry)).increment();
  }

  /** One command (or script) sent to Redis: the hot path's cost, checked by the benchmark. */
  public void redisRoundTrip() {
    redisRoundTrips.increment();
  }

  public void settleFailed() {
    settleFailures.increment();
  }
}
