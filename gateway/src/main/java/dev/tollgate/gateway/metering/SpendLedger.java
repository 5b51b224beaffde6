package dev.tollgate.gateway.metering;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.routing.Outcome;
import dev.tollgate.gateway.store.LuaScript;
import dev.tollgate.gateway.store.RedisStore;
import dev.tollgate.gateway.store.RedisUnavailableException;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission (rate limits + worst-case spend reservation, {@code admit.lua}) and settlement ({@code
 * settle.lua}): one Redis round trip each, both on the tenant's slot. Exactness across replicas comes
 * from the scripts; this class only builds their keys and arguments and reads their answers.
 */
public final class SpendLedger {

  private static final Logger LOG = LoggerFactory.getLogger(SpendLedger.class);
  static final LuaScript ADMIT = LuaScript.load("admit.lua");
  static final LuaScript SETTLE = LuaScript.load("settle.lua");

  private static final long WINDOW_TTL_MS = 120_000;
  private static final int PURGE_BATCH = 20;
  private static final Duration DAY_GRACE = Duration.ofDays(8);
  // long enough for the operator to report on the previous month
  private static final Duration MONTH_GRACE = Duration.ofDays(40);
  private static final long TOTALS_TTL_SECONDS = Duration.ofDays(400).toSeconds();
  private static final long[] SETTLE_RETRY_MS = {200, 1_000, 3_000};

  private final Vertx vertx;
  private final RedisStore redis;
  private final GatewayConfig config;
  private final GatewayMetrics metrics;

  public SpendLedger(Vertx vertx, RedisStore redis, GatewayConfig config, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.redis = redis;
    this.config = config;
    this.metrics = metrics;
  }

  /** One cap limit a request is reserved against. */
  private record CapLimit(CapDefinition cap, CapDefinition.Limit limit, String key, long ttlSeconds) {}

  /**
   * Counts the request against every rate limit and reserves {@code worstCaseMicros} on every cap
   * limit that applies. Fails with a 429 or 402 {@link GatewayError} when any would be exceeded.
   */
  public Future<Admission> admit(GatewayRequest req, List<CapDefinition> caps, long worstCaseMicros) {
    ApiKeyRecord key = req.apiKey();
    TenantRecord tenantRec = req.tenant();
    TenantId tenant = tenantRec.tenantId();
    long now = System.currentTimeMillis();
    Instant at = Instant.ofEpochMilli(now);
    long minute = now / 60_000;
    long tokens = req.promptTokens() + req.maxOutputTokens();

    List<CapLimit> limits = new ArrayList<>();
    for (CapDefinition cap : caps) {
      if (!cap.appliesTo(key.keyName()) || !(CapDefinition.REJECT.equals(cap.action()) || CapDefinition.ALERT.equals(cap.action()))) {
        continue;
      }
      for (CapDefinition.Limit l : cap.limits()) {
        long ttl = Duration.between(at, l.period().reset(at)).plus(l.period() == Period.Day ? DAY_GRACE : MONTH_GRACE).toSeconds();
        limits.add(new CapLimit(cap, l, RedisKeys.spend(tenant, cap.name(), l.period().key(at)), ttl));
      }
    }
    String keyReq = RedisKeys.rateWindow(tenant, "k", key.keyName(), "req", minute);
    String keyTok = RedisKeys.rateWindow(tenant, "k", key.keyName(), "tok", minute);
    String tenReq = RedisKeys.rateWindow(tenant, "t", "-", "req", minute);
    String tenTok = RedisKeys.rateWindow(tenant, "t", "-", "tok", minute);
    List<String> keys = new ArrayList<>(List.of(
        RedisKeys.reservations(tenant), RedisKeys.reservationLeases(tenant), keyReq, keyTok, tenReq, tenTok));
    long maxTtl = 0;
    for (CapLimit l : limits) {
      keys.add(l.key());
      maxTtl = Math.max(maxTtl, l.ttlSeconds());
    }
    long leaseMs = config.reservationLease().toMillis();
    long[] rate = {key.requestsPerMinute(), key.tokensPerMinute(), tenantRec.requestsPerMinute(), tenantRec.tokensPerMinute()};
    List<String> args = new ArrayList<>(List.of(
        Long.toString(now),
        req.id(),
        Long.toString(worstCaseMicros),
        Long.toString(now + leaseMs),
        Long.toString(WINDOW_TTL_MS),
        Long.toString(rate[0]),
        Long.toString(rate[1]),
        Long.toString(rate[2]),
        Long.toString(rate[3]),
        Long.toString(tokens),
        Long.toString(maxTtl + leaseMs / 1000 + 3600),
        Integer.toString(PURGE_BATCH)));
    for (CapLimit l : limits) {
      args.add(Long.toString(l.limit().limitMicros()));
      args.add(CapDefinition.REJECT.equals(l.cap().action()) ? "1" : "0");
      args.add(Long.toString(l.ttlSeconds()));
    }
    long windowResetMs = (minute + 1) * 60_000 - now;
    return redis.eval(ADMIT, keys, args).compose(r -> {
      if (r.get(0).toInteger() == 1) {
        rateHeaders(req.rateLimitHeaders(), rate, r, windowResetMs);
        return Future.succeededFuture(new Admission(
            tenant, req.id(), Period.Month.key(at), keyTok, tenTok, tokens, worstCaseMicros,
            limits.stream().map(CapLimit::key).toList(), limits.stream().map(CapLimit::ttlSeconds).toList()));
      }
      if ("rate".equals(r.get(1).toString())) {
        int index = r.get(2).toInteger();
        return Future.failedFuture(rateLimited(index, rate[index - 3], r.get(3).toLong(), windowResetMs));
      }
      CapLimit hit = limits.get(r.get(2).toInteger() - 7);
      return Future.failedFuture(capExceeded(hit, r.get(3).toLong(), r.get(4).toLong(), worstCaseMicros, tenantRec.pricing(), at));
    });
  }

  private static void rateHeaders(Map<String, String> headers, long[] rate, Response r, long resetMs) {
    // the tighter of the key's and the tenant's limit is what the client runs into first
    for (int metric = 0; metric < 2; metric++) {
      long bestLimit = 0;
      long bestRemaining = Long.MAX_VALUE;
      for (int scope = 0; scope < 2; scope++) {
        int i = scope * 2 + metric;
        long limit = rate[i];
        if (limit > 0) {
          long remaining = Math.max(0, limit - r.get(1 + i).toLong());
          if (remaining < bestRemaining) {
            bestRemaining = remaining;
            bestLimit = limit;
          }
        }
      }
      if (bestLimit > 0) {
        String suffix = metric == 0 ? "requests" : "tokens";
        headers.put("x-ratelimit-limit-" + suffix, Long.toString(bestLimit));
        headers.put("x-ratelimit-remaining-" + suffix, Long.toString(bestRemaining));
        headers.put("x-ratelimit-reset-" + suffix, resetText(resetMs));
      }
    }
  }

  private static GatewayError rateLimited(int keyIndex, long limit, long current, long resetMs) {
    boolean requests = keyIndex == 3 || keyIndex == 5;
    String scope = keyIndex <= 4 ? "API key" : "tenant";
    String suffix = requests ? "requests" : "tokens";
    Map<String, String> h = new LinkedHashMap<>();
    h.put("retry-after", Long.toString(Math.max(1, (resetMs + 999) / 1000)));
    h.put("x-ratelimit-limit-" + suffix, Long.toString(limit));
    h.put("x-ratelimit-remaining-" + suffix, Long.toString(Math.max(0, limit - current)));
    h.put("x-ratelimit-reset-" + suffix, resetText(resetMs));
    String msg = "Rate limit reached: " + limit + " " + suffix + " per minute for this " + scope
        + ". Retry after " + h.get("retry-after") + "s.";
    return GatewayError.rateLimited(msg, h);
  }

  /** OpenAI's duration form: {@code 1s}, {@code 17s}, rounded up. */
  private static String resetText(long ms) {
    return Math.max(1, (ms + 999) / 1000) + "s";
  }

  private static GatewayError capExceeded(CapLimit hit, long spent, long reserved, long requested, Pricing pricing, Instant at) {
    Period p = hit.limit().period();
    String currency = hit.cap().currency() != null ? hit.cap().currency() : pricing.currency();
    JsonObject details = new JsonObject()
        .put("cap", hit.cap().name())
        .put("scope", hit.cap().scope())
        .put("period", p.name())
        .put("limit", Money.format(hit.limit().limitMicros()))
        .put("spent", Money.format(spent))
        .put("reserved", Money.format(reserved))
        .put("requested", Money.format(requested))
        .put("currency", currency)
        .put("resets_at", p.reset(at).toString());
    String msg = "Spend cap '" + hit.cap().name() + "' (" + hit.cap().scope() + ", per " + p.name().toLowerCase()
        + ") would be exceeded: limit " + Money.format(hit.limit().limitMicros()) + " " + currency + ", spent "
        + Money.format(spent) + ", this request may cost up to " + Money.format(requested) + ". Resets at " + p.reset(at) + ".";
    return GatewayError.spendCapExceeded(msg, details);
  }

  /**
   * Charges what the request actually cost, releases the rest of the reservation, corrects TPM and
   * appends the usage record. Retried on an outage; a retry is a no-op if the first attempt landed.
   */
  public void settle(GatewayRequest req, Outcome o) {
    Admission a = req.admission();
    Pricing pricing = req.tenant().pricing();
    long cost = o.costMicros();
    long billed = pricing.usageBilledMicros(cost);
    long capBasis = pricing.capBasisMicros(cost);
    long actualTokens = o.usage().totalTokens();
    List<String> keys = new ArrayList<>(List.of(
        RedisKeys.reservations(a.tenant()), RedisKeys.reservationLeases(a.tenant()), RedisKeys.usage(a.tenant()),
        RedisKeys.totals(a.tenant(), a.monthKey()), a.keyTokensWindow(), a.tenantTokensWindow()));
    keys.addAll(a.spendKeys());
    long latencyMs = (System.nanoTime() - req.startNanos()) / 1_000_000;
    List<String> args = new ArrayList<>(List.of(
        a.reservationId(),
        "0",
        Long.toString(capBasis),
        Long.toString(actualTokens - a.tokensCharged()),
        Long.toString(o.usage().inputTokens()),
        Long.toString(o.usage().outputTokens()),
        Long.toString(cost),
        Long.toString(billed),
        req.apiKey().keyName(),
        Long.toString(TOTALS_TTL_SECONDS),
        Long.toString(config.usageStreamMaxLen()),
        Integer.toString(a.spendKeys().size())));
    a.spendTtlSeconds().forEach(t -> args.add(Long.toString(t)));
    String[] record = {
        "requestId", req.id(),
        "ts", Long.toString(req.startMillis()),
        "tenant", a.tenant().id(),
        "apiKey", req.apiKey().keyName(),
        "endpoint", req.endpoint().label(),
        "requestedModel", req.model(),
        "servedModel", o.target() == null ? "" : o.target().model(),
        "provider", o.provider() == null ? "" : o.provider(),
        "stream", Boolean.toString(req.stream()),
        "tokensIn", Long.toString(o.usage().inputTokens()),
        "tokensOut", Long.toString(o.usage().outputTokens()),
        "usageSource", o.usage().reportedByProvider() ? "provider" : (o.target() == null ? "none" : "estimated"),
        "costMicros", Long.toString(cost),
        "billedMicros", Long.toString(billed),
        "capBasisMicros", Long.toString(capBasis),
        "reservedMicros", Long.toString(a.reservedMicros()),
        "currency", pricing.currency(),
        "inputPriceMicrosPerMillion", o.target() == null ? "0" : Long.toString(o.target().inputMicrosPerMillion()),
        "outputPriceMicrosPerMillion", o.target() == null ? "0" : Long.toString(o.target().outputMicrosPerMillion()),
        "policy", req.plan().policy() == null ? "" : req.plan().policy(),
        "policyVersion", req.plan().version() == null ? "" : req.plan().version(),
        "policyGeneration", Long.toString(req.plan().generation()),
        "attempts", Integer.toString(o.attempts()),
        "latencyMs", Long.toString(latencyMs),
        "status", Integer.toString(o.status()),
        "errorCode", o.code() == null ? "" : o.code()};
    args.addAll(List.of(record));
    metrics.settled(req, o, cost, billed);
    runSettle(req, keys, args, 0);
  }

  private void runSettle(GatewayRequest req, List<String> keys, List<String> args, int attempt) {
    redis.eval(SETTLE, keys, args).onFailure(e -> {
      if (e instanceof RedisUnavailableException && attempt < SETTLE_RETRY_MS.length) {
        args.set(1, "1"); // the failed attempt may have landed: only settle if the reservation is still there
        vertx.setTimer(SETTLE_RETRY_MS[attempt], id -> runSettle(req, keys, args, attempt + 1));
        return;
      }
      metrics.settleFailed();
      LOG.error("settle failed for request {} (tenant {}, key {}); its reservation expires with its lease: {}",
          req.id(), req.tenant().tenant(), req.apiKey().keyName(), e.getMessage());
    });
  }
}
