package dev.tollgate.gateway.metrics;

import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.routing.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
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

  public GatewayMetrics(PrometheusMeterRegistry registry, int maxTenants) {
    this.registry = registry;
    this.tenants = new BoundedLabel(maxTenants);
    this.models = new BoundedLabel(maxTenants);
    this.redisRoundTrips = Counter.builder("tollgate_redis_round_trips")
        .description("Commands and scripts sent to Redis (pings and config reads included)").register(registry);
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

  /** A request answered with an error before or instead of an upstream call. */
  public void rejected(GatewayRequest req, String code) {
    Counter.builder("tollgate_rejections")
        .description("Requests refused by the gateway, by reason")
        .tag("reason", code)
        .tag("tenant", tenants.of(req.tenant() == null ? null : req.tenant().tenant()))
        .register(registry)
        .increment();
  }

  /** A request that reached settle. */
  public void settled(GatewayRequest req, Outcome o, long costMicros, long billedMicros) {
    String tenant = tenants.of(req.tenant().tenant());
    String model = models.of(req.model());
    String provider = providers.of(o.provider());
    String status = Integer.toString(o.status());
    Counter.builder("tollgate_requests").description("Admitted requests by outcome")
        .tags("tenant", tenant, "model", model, "provider", provider, "status", status)
        .register(registry).increment();
    if (o.usage().inputTokens() > 0) {
      tokens(tenant, model, provider, "input").increment(o.usage().inputTokens());
    }
    if (o.usage().outputTokens() > 0) {
      tokens(tenant, model, provider, "output").increment(o.usage().outputTokens());
    }
    if (costMicros > 0) {
      Counter.builder("tollgate_provider_cost_micros").description("Provider cost, micro-units of the tenant's currency")
          .tags("tenant", tenant, "model", model, "provider", provider).register(registry).increment(costMicros);
    }
    if (billedMicros > 0) {
      Counter.builder("tollgate_billed_micros").description("Usage billed to tenants, micro-units")
          .tags("tenant", tenant).register(registry).increment(billedMicros);
    }
    Timer.builder("tollgate_request_duration")
        .description("Time from request to end of response, admitted requests")
        .tags("provider", provider, "status", status)
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry)
        .record(System.nanoTime() - req.startNanos(), TimeUnit.NANOSECONDS);
  }

  private Counter tokens(String tenant, String model, String provider, String direction) {
    return Counter.builder("tollgate_tokens").description("Tokens billed")
        .tags("tenant", tenant, "model", model, "provider", provider, "direction", direction).register(registry);
  }

  /** One call to an upstream; {@code outcome} is ok or the fallback trigger class. */
  public void attempt(String provider, String outcome) {
    Counter.builder("tollgate_upstream_attempts").description("Upstream calls by result")
        .tags("provider", providers.of(provider), "outcome", outcome).register(registry).increment();
  }

  /** One command (or script) sent to Redis: the hot path's cost, checked by the benchmark. */
  public void redisRoundTrip() {
    redisRoundTrips.increment();
  }

  public void settleFailed() {
    Counter.builder("tollgate_settle_failures").description("Settlements that could not be written (reservation left to its lease)")
        .register(registry).increment();
  }
}
