package dev.tollgate.gateway.metering;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.gateway.routing.Outcome;
import dev.tollgate.schema.LuaScript;
import dev.tollgate.gateway.store.RedisStore;
import dev.tollgate.gateway.store.ScriptBatcher;
import dev.tollgate.gateway.store.RedisUnavailableException;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import dev.tollgate.schema.UsageFields;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission (rate limits + worst-case spend reservation, {@code admit.lua}) and settlement ({@code
 * settle.lua}): each one script call on the tenant's slot, shared by the tenant's concurrent requests
 * ({@link ScriptBatcher}, ADR 0025). Exactness across replicas comes from the scripts; this class
 * only builds their keys and arguments and reads their answers.
 */
public final class SpendLedger {

  private static final Logger LOG = LoggerFactory.getLogger(SpendLedger.class);
  static final LuaScript ADMIT = LuaScript.load("admit.lua");
  static final LuaScript SETTLE = LuaScript.load("settle.lua");

  private static final long WINDOW_TTL_MS = 120_000;
  private static final int PURGE_BATCH = 20;
  private static final long TOTALS_TTL_SECONDS = Duration.ofDays(400).toSeconds();
  /** Settle retries after an outage: quickly at first, then every 5 s while the reservation can still be held. */
  private static final long[] SETTLE_RETRY_MS = {200, 1_000, 3_000, 5_000};
  /**
   * How long a reservation released after its lease stays marked as not settled (admit.lua's
   * TOMBSTONE_MS): a settle retried through an outage, or replayed from the spool, until then still
   * charges and records its request exactly once.
   */
  static final Duration TOMBSTONE_RETENTION = Duration.ofDays(7);
  /** Settle retries stop this long before the tombstone's time is up. */
  private static final long RETRY_MARGIN_MS = 60_000;
  /** The usage record's fields (schema UsageFields); the script pairs them with each request's values (sent once per call). */
  private static final String[] USAGE_FIELDS = UsageFields.ALL.toArray(String[]::new);
  /** Requests per script call at most (a batch's arguments stay small; ADR 0025). */
  private static final int MAX_BATCH = 64;

  private final Vertx vertx;
  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final ScriptBatcher<AdmitPart> admits;
  private final ScriptBatcher<SettlePart> settles;
  /**
   * Requests admitted whose settlement has not landed in Redis nor been given up (an answer still
   * streaming, a settle queued or retrying); event loop only.
   */
  private int pendingSettles;
  /** Settlements submitted that have neither landed nor been given up (spooled at a stop); event loop only. */
  private final Set<SettlePart> unlanded = new LinkedHashSet<>();
  private final SettleSpool spool;

  public SpendLedger(Vertx vertx, RedisStore redis, GatewayConfig config, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.admits = new ScriptBatcher<>(vertx, redis, ADMIT, new AdmitFraming(), MAX_BATCH);
    this.settles = new ScriptBatcher<>(vertx, redis, SETTLE, new SettleFraming(), MAX_BATCH);
    this.spool = config.settleSpoolDir() == null ? null : new SettleSpool(config.settleSpoolDir());
  }

  /**
   * One cap limit a request is reserved against; its spend key expires at {@code expiresAtSecond},
   * or never when that is 0 (a Total limit: billing state, ADR 0048).
   */
  private record CapLimit(CapDefinition cap, CapDefinition.Limit limit, String key, long expiresAtSecond) {}

  /**
   * One API key's Redis keys and applicable cap limits, as built by {@link RedisKeys}: rebuilt when
   * the minute, the UTC day or the tenant's caps change, instead of formatting dates and
   * concatenating key strings on every request. Per verticle, so only its event loop touches it.
   */
  private static final class KeyPlan {
    final TenantId tenant;
    final String keyName;
    final String reservations;
    final String leases;
    final String usage;
    long minute = -1;
    String keyReq;
    String keyTok;
    String tenReq;
    String tenTok;
    long dayEndMs = -1;
    List<CapDefinition> caps;
    List<CapLimit> limits;
    List<String> spendKeys;
    String totals;
    long maxExpiresAtSecond;

    KeyPlan(TenantId tenant, String keyName) {
      this.tenant = tenant;
      this.keyName = keyName;
      this.reservations = RedisKeys.reservations(tenant);
      this.leases = RedisKeys.reservationLeases(tenant);
      this.usage = RedisKeys.usage(tenant);
    }

    /** The plan for {@code now}; {@code currentCaps} null: only the rate windows are needed. */
    KeyPlan at(long now, List<CapDefinition> currentCaps) {
      long m = now / 60_000;
      if (m != minute) {
        minute = m;
        keyReq = RedisKeys.rateWindow(tenant, "k", keyName, "req", m);
        keyTok = RedisKeys.rateWindow(tenant, "k", keyName, "tok", m);
        tenReq = RedisKeys.rateWindow(tenant, "t", "-", "req", m);
        tenTok = RedisKeys.rateWindow(tenant, "t", "-", "tok", m);
      }
      if (currentCaps != null && (now >= dayEndMs || currentCaps != caps)) {
        Instant at = Instant.ofEpochMilli(now);
        caps = currentCaps;
        dayEndMs = Period.Day.reset(at).toEpochMilli();
        totals = RedisKeys.totals(tenant, Period.Month.key(at));
        List<CapLimit> l = new ArrayList<>();
        for (CapDefinition cap : currentCaps) {
          if (!counts(cap, keyName)) {
            continue;
          }
          for (CapDefinition.Limit lim : cap.limits()) {
            Period p = lim.period();
            l.add(new CapLimit(cap, lim, RedisKeys.spend(tenant, cap.name(), p.key(at)), p.counterExpiresAtSecond(at)));
          }
        }
        limits = List.copyOf(l);
        spendKeys = limits.stream().map(CapLimit::key).toList();
        // the reservation structures outlive every spend key, so no release is lost; a Total key never
        // expires: its reservations are released by a purge (the next admission, or the operator's
        // every resync), which has this long, as a month's key has (ADR 0048)
        long noTtl = at.plus(Period.Month.counterGrace()).getEpochSecond();
        maxExpiresAtSecond = limits.stream().mapToLong(c -> c.expiresAtSecond() == 0 ? noTtl : c.expiresAtSecond()).max().orElse(0);
      }
      return this;
    }
  }

  /**
   * The caps a request made with {@code keyName} is reserved against: those that apply to the key
   * with action Reject or Alert. Also what {@code GET /v1/tollgate/usage} shows the key.
   */
  static boolean counts(CapDefinition cap, String keyName) {
    return cap.appliesTo(keyName) && (CapDefinition.REJECT.equals(cap.action()) || CapDefinition.ALERT.equals(cap.action()));
  }

  /** Bounded: a replica serving more keys than this rebuilds plans, it does not grow without end. */
  private static final int MAX_PLANS = 10_000;
  private final Map<String, KeyPlan> plans = new HashMap<>();

  private KeyPlan plan(TenantRecord tenant, String keyName, long now, List<CapDefinition> caps) {
    String id = tenant.tenant() + "\n" + keyName;
    KeyPlan p = plans.get(id);
    if (p == null) {
      if (plans.size() >= MAX_PLANS) {
        plans.clear();
      }
      p = new KeyPlan(tenant.tenantId(), keyName);
      plans.put(id, p);
    }
    return p.at(now, caps);
  }

  /**
   * Counts the request against every rate limit and reserves {@code worstCaseMicros} on every cap
   * limit that applies. Fails with a 429 or 402 {@link GatewayError} when any would be exceeded.
   */
  public Future<Admission> admit(GatewayRequest req, List<CapDefinition> caps, long worstCaseMicros) {
    long now = System.currentTimeMillis();
    AdmitPart part = new AdmitPart(req, plan(req.tenant(), req.apiKey().keyName(), now, caps), now, worstCaseMicros, false);
    admits.submit(part.plan.tenant.id(), part);
    return part.promise.future();
  }

  /**
   * Counts a request that is never billed (a token count) against the key's and the tenant's RPM,
   * in the same atomic step as {@link #admit}: no TPM, no cap checked, nothing reserved, no
   * reservation recorded, so nothing to settle. Fails with a 429 {@link GatewayError} over a limit.
   */
  public Future<Void> countRequest(GatewayRequest req) {
    long now = System.currentTimeMillis();
    AdmitPart part = new AdmitPart(req, plan(req.tenant(), req.apiKey().keyName(), now, null), now, 0, true);
    admits.submit(part.plan.tenant.id(), part);
    // nothing to settle, but it is a request served: in the request metrics, with no cost
    return part.promise.future().onSuccess(a -> req.outcome().onSuccess(o -> metrics.settled(req, o, 0, 0))).mapEmpty();
  }

  /** One request's block of {@code admit.lua} (KEYS and ARGV as documented there) and its answer. */
  private final class AdmitPart implements ScriptBatcher.Part {
    final Promise<Admission> promise = Promise.promise();
    final GatewayRequest req;
    final KeyPlan plan;
    // the plan's keys as of admission: the shared plan moves to the next minute or day meanwhile
    final long minute;
    final String keyReq;
    final String keyTok;
    final String tenReq;
    final String tenTok;
    final String totals;
    final List<String> spendKeys;
    final List<CapLimit> limits;
    final long now;
    final long amount;
    final long tokens;
    final long[] rate;
    final long[] ttls;
    final long leasesTtl;
    final long leaseEnd;
    /** Counted against the RPM windows only ({@link #countRequest}). */
    final boolean requestOnly;

    AdmitPart(GatewayRequest req, KeyPlan plan, long now, long amount, boolean requestOnly) {
      this.requestOnly = requestOnly;
      this.req = req;
      this.plan = plan;
      this.minute = plan.minute;
      this.keyReq = plan.keyReq;
      this.keyTok = plan.keyTok;
      this.tenReq = plan.tenReq;
      this.tenTok = plan.tenTok;
      this.totals = plan.totals;
      this.spendKeys = requestOnly ? List.of() : plan.spendKeys;
      this.limits = requestOnly ? List.of() : plan.limits;
      this.now = now;
      this.amount = amount;
      this.tokens = requestOnly ? 0 : req.promptTokens() + req.maxOutputTokens();
      ApiKeyRecord key = req.apiKey();
      TenantRecord tenant = req.tenant();
      // a TPM limit of 0 is neither checked nor written (admit.lua)
      this.rate = new long[] {key.requestsPerMinute(), requestOnly ? 0 : key.tokensPerMinute(),
          tenant.requestsPerMinute(), requestOnly ? 0 : tenant.tokensPerMinute()};
      long nowSecond = now / 1000;
      this.ttls = new long[limits.size()];
      for (int i = 0; i < limits.size(); i++) {
        long expires = limits.get(i).expiresAtSecond();
        ttls[i] = expires == 0 ? 0 : Math.max(1, expires - nowSecond); // 0: no TTL (admit.lua, settle.lua)
      }
      this.leasesTtl = requestOnly ? 0 : Math.max(0, plan.maxExpiresAtSecond - nowSecond) + config.reservationLease().toSeconds()
          + TOMBSTONE_RETENTION.toSeconds();
      this.leaseEnd = now + config.reservationLease().toMillis();
    }

    @Override
    public void keys(ScriptBatcher.Keys keys) {
      keys.add(keyReq);
      keys.add(keyTok);
      keys.add(tenReq);
      keys.add(tenTok);
      for (String k : spendKeys) {
        keys.add(k);
      }
    }

    @Override
    public void args(ScriptBatcher.Keys keys, Request r) {
      r.arg(requestOnly ? "" : req.id()).arg(amount).arg(leaseEnd).arg(tokens)
          .arg(keys.index(keyReq)).arg(rate[0]).arg(keys.index(keyTok)).arg(rate[1])
          .arg(keys.index(tenReq)).arg(rate[2]).arg(keys.index(tenTok)).arg(rate[3])
          .arg(limits.size());
      for (int i = 0; i < limits.size(); i++) {
        CapLimit l = limits.get(i);
        r.arg(keys.index(l.key())).arg(l.limit().limitMicros()).arg(CapDefinition.REJECT.equals(l.cap().action()) ? 1 : 0).arg(ttls[i]);
      }
    }

    @Override
    public void complete(Response r) {
      long windowResetMs = (minute + 1) * 60_000 - now;
      if (r.get(0).toInteger() == 1) {
        rateHeaders(req.rateLimitHeaders(), rate, r, windowResetMs);
        if (!requestOnly) {
          pendingSettles++; // its settle lands or gives up later, exactly once
        }
        promise.complete(new Admission(plan.tenant, req.id(), plan.reservations, plan.leases, plan.usage,
            totals, keyTok, tenTok, tokens, amount, spendKeys, ttls, leaseEnd, now));
      } else if ("rate".equals(r.get(1).toString())) {
        int window = r.get(2).toInteger();
        promise.fail(rateLimited(window, rate[window - 1], r.get(3).toLong(), windowResetMs));
      } else {
        CapLimit hit = limits.get(r.get(2).toInteger() - 1);
        promise.fail(capExceeded(hit, r.get(3).toLong(), r.get(4).toLong(), amount, req.tenant().pricing(), Instant.ofEpochMilli(now)));
      }
    }

    @Override
    public void fail(Throwable cause) {
      promise.fail(cause);
    }
  }

  /** admit.lua's framing: the tenant's reservation structures, then now, TTLs, purge size, count. */
  private static final class AdmitFraming implements ScriptBatcher.Framing<AdmitPart> {
    @Override
    public void leadingKeys(AdmitPart first, ScriptBatcher.Keys keys) {
      keys.add(first.plan.reservations);
      keys.add(first.plan.leases);
    }

    @Override
    public void leadingArgs(List<AdmitPart> batch, Request r) {
      long leasesTtl = 0;
      for (AdmitPart p : batch) {
        leasesTtl = Math.max(leasesTtl, p.leasesTtl);
      }
      r.arg(System.currentTimeMillis()).arg(WINDOW_TTL_MS).arg(leasesTtl).arg(PURGE_BATCH).arg(batch.size());
    }
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

  /** {@code window}: 1 key requests, 2 key tokens, 3 tenant requests, 4 tenant tokens. */
  private static GatewayError rateLimited(int window, long limit, long current, long resetMs) {
    boolean requests = window % 2 == 1;
    String scope = window <= 2 ? "API key" : "tenant";
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
        // null for a Total limit, which never resets (the field stays, so the body keeps its shape)
        .put("resets_at", p.resets() ? p.reset(at).toString() : null);
    String msg = "Spend cap '" + hit.cap().name() + "' (" + hit.cap().scope() + ", "
        + (p.resets() ? "per " + p.name().toLowerCase() : "total") + ") would be exceeded: limit "
        + Money.format(hit.limit().limitMicros()) + " " + currency + ", spent " + Money.format(spent)
        + ", this request may cost up to " + Money.format(requested) + "."
        + (p.resets() ? " Resets at " + p.reset(at) + "." : " It does not reset.");
    return GatewayError.spendCapExceeded(msg, details);
  }

  /**
   * Completes once every request admitted so far has its settlement in Redis (or given up), or after
   * {@code within}: what a stopping gateway waits for before it closes its Redis connection, so the
   * requests it served, finished or cut, are billed. Settlements still pending then are logged; their reservations
   * expire with their leases.
   */
  public Future<Void> settled(Duration within) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + within.toNanos();
    if (pendingSettles == 0) {
      return Future.succeededFuture();
    }
    vertx.setPeriodic(20, id -> {
      if (pendingSettles == 0 || System.nanoTime() >= deadline) {
        vertx.cancelTimer(id);
        spoolUnlanded().onComplete(v -> {
          if (pendingSettles > 0) {
            LOG.error("stopping with {} settlements not in Redis; their usage records are lost and their reservations "
                + "are released when their leases end", pendingSettles);
          }
          done.complete();
        });
      }
    });
    return done.future();
  }

  /**
   * At a stop: the settlements Redis has not taken go to the spool, if one is configured (ADR 0045);
   * those Redis already failed are in it (their own files stay).
   */
  private Future<Void> spoolUnlanded() {
    if (spool == null || unlanded.isEmpty()) {
      return Future.succeededFuture();
    }
    List<SettlePart> parts = new ArrayList<>(unlanded);
    parts.stream().filter(p -> p.spooled != null).forEach(SettlePart::end);
    parts.removeIf(p -> p.spooled != null);
    if (parts.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Settlement> list = parts.stream().map(p -> p.s).toList();
    return vertx.executeBlocking(() -> spool.write(list))
        .onSuccess(file -> {
          LOG.warn("Redis did not take {} settlements before the stop; spooled to {}, replayed at the next start", list.size(), file);
          parts.forEach(SettlePart::end);
        })
        .onFailure(e -> LOG.error("cannot spool {} settlements to {}: {}", list.size(), spool.dir(), e.getMessage()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  private void deleteSpooled(Path file) {
    vertx.executeBlocking(() -> {
      spool.done(file);
      return null;
    }).onFailure(e -> LOG.warn("cannot delete spool file {}: {}", file, e.getMessage()));
  }

  /**
   * Replays the settlements stopped replicas spooled (ADR 0045), flagged as retries: one that had
   * landed after all changes nothing. A file is deleted once all of its settlements have landed,
   * been given up, or been spooled again by a stop.
   */
  public void replaySpool() {
    if (spool == null) {
      return;
    }
    vertx.executeBlocking(spool::claim)
        .onSuccess(files -> {
          for (SettleSpool.Claimed c : files) {
            LOG.info("replaying {} spooled settlements from {}", c.settlements().size(), c.file());
            int[] left = {c.settlements().size()};
            Runnable fileDone = () -> {
              if (--left[0] <= 0) {
                vertx.executeBlocking(() -> {
                  spool.done(c.file());
                  return null;
                }).onFailure(e -> LOG.error("cannot delete replayed spool file {}: {}", c.file(), e.getMessage()));
              }
            };
            if (left[0] == 0) {
              left[0] = 1;
              fileDone.run();
            }
            for (Settlement st : c.settlements()) {
              pendingSettles++;
              submit(new SettlePart(st, 1, fileDone));
            }
          }
        })
        .onFailure(e -> LOG.error("cannot read the settle spool {}: {}", spool.dir(), e.getMessage()));
  }

  /**
   * Charges what the request actually cost, releases the rest of the reservation, corrects TPM and
   * appends the usage record. Retried through an outage while its lease runs; a retry is a no-op if
   * an earlier attempt landed.
   */
  public void settle(GatewayRequest req, Outcome o) {
    Admission a = req.admission();
    Pricing pricing = req.tenant().pricing();
    long cost = o.costMicros();
    long billed = pricing.usageBilledMicros(cost, req.model());
    long capBasis = pricing.capBasisMicros(cost, req.model());
    long actualTokens = o.usage().totalTokens();
    long latencyMs = (System.nanoTime() - req.startNanos()) / 1_000_000;
    Usage.Images images = o.usage().images();
    RoutePlan.ImagePricing imagePrices = images == null || o.target() == null ? null : o.target().imagePricing();
    Long imagePrice = imagePrices == null ? null : imagePrices.chargedPerImageMicros(images.size(), images.quality());
    Usage.Audio audio = o.usage().audio();
    RoutePlan.AudioPricing audioPrices = audio == null || o.target() == null ? null : o.target().audioPricing();
    // the usage record's values, in USAGE_FIELDS order (docs/redis-schema.md)
    String[] record = {
        req.id(),
        // the admission's instant, not the arrival's: the month totals and cap periods are keyed by it,
        // so a request arriving at 23:59:59.9 and admitted at 00:00:00.1 is in one month everywhere
        Long.toString(a.admittedMillis()),
        a.tenant().id(),
        req.apiKey().keyName(),
        req.endpoint().label(),
        req.model(),
        o.target() == null ? "" : o.target().model(),
        o.provider() == null ? "" : o.provider(),
        Boolean.toString(req.stream()),
        Long.toString(o.usage().inputTokens()),
        Long.toString(o.usage().outputTokens()),
        o.usage().reportedByProvider() || o.target() != null ? o.usage().source() : "none",
        Long.toString(cost),
        Long.toString(billed),
        Long.toString(capBasis),
        Long.toString(a.reservedMicros()),
        pricing.currency(),
        o.target() == null ? "0" : Long.toString(o.target().inputMicrosPerMillion()),
        o.target() == null ? "0" : Long.toString(o.target().outputMicrosPerMillion()),
        req.plan().policy() == null ? "" : req.plan().policy(),
        req.plan().version() == null ? "" : req.plan().version(),
        Long.toString(req.plan().generation()),
        Integer.toString(o.attempts()),
        Long.toString(latencyMs),
        Integer.toString(o.status()),
        o.code() == null ? "" : o.code(),
        Long.toString(o.usage().cachedInputTokens()),
        Long.toString(o.usage().cacheWriteTokens()),
        o.target() == null ? "0" : Long.toString(o.target().effectiveCachedInputMicrosPerMillion()),
        o.target() == null ? "0" : Long.toString(o.target().effectiveCacheWriteMicrosPerMillion()),
        Long.toString(o.usage().cacheWriteLongTokens()),
        o.target() == null ? "0" : Long.toString(o.target().effectiveCacheWriteLongMicrosPerMillion()),
        Long.toString(o.usage().webSearchCalls()),
        // empty: the target has no web search price (searches it ran anyway were not charged)
        o.target() == null || o.target().webSearchMicrosPerThousand() == null ? "" : Long.toString(o.target().webSearchMicrosPerThousand()),
        // the images fields: empty for every other endpoint (ADR 0049)
        images == null ? "" : Long.toString(images.count()),
        images == null || images.size() == null ? "" : images.size(),
        images == null || images.quality() == null ? "" : images.quality(),
        imagePrice == null ? "" : Long.toString(imagePrice),
        images == null ? "" : Long.toString(images.imageInputTokens()),
        imagePrices == null ? "" : Long.toString(imagePrices.effectiveImageInputMicrosPerMillion(o.target().inputMicrosPerMillion())),
        // the audio fields: empty for every other endpoint, a price empty when the target does not set it (ADR 0054)
        audio == null ? "" : Long.toString(audio.characters()),
        audio == null ? "" : Long.toString(audio.seconds()),
        audio == null ? "" : Long.toString(audio.audioInputTokens()),
        audioPrices == null || audioPrices.characterMicrosPerMillion() == null ? "" : Long.toString(audioPrices.characterMicrosPerMillion()),
        audioPrices == null || audioPrices.minuteMicros() == null ? "" : Long.toString(audioPrices.minuteMicros()),
        audioPrices == null ? "" : Long.toString(audioPrices.effectiveAudioInputMicrosPerMillion(o.target().inputMicrosPerMillion()))};
    metrics.settled(req, o, cost, billed);
    submit(new SettlePart(new Settlement(a, req.apiKey().keyName(), capBasis, actualTokens - a.tokensCharged(),
        o.usage().inputTokens(), o.usage().outputTokens(), cost, billed, List.of(record)), 0, null));
  }

  private void submit(SettlePart part) {
    unlanded.add(part);
    settles.submit(part.a.tenant().id(), part);
  }

  /** One request's block of {@code settle.lua} (KEYS and ARGV as documented there). */
  private final class SettlePart implements ScriptBatcher.Part {
    final Settlement s;
    final Admission a;
    /** Run once it has landed, been given up or been spooled (a replayed file's countdown), or null. */
    final Runnable done;
    /** Above 0: a retry (or a replay), which settles only if its first attempt has not landed. */
    int attempt;
    /** Its own spool file, written when Redis first failed it (so a crash does not lose it), or null. */
    Path spooled;

    SettlePart(Settlement s, int attempt, Runnable done) {
      this.s = s;
      this.a = s.admission();
      this.attempt = attempt;
      this.done = done;
    }

    @Override
    public void keys(ScriptBatcher.Keys keys) {
      keys.add(a.totalsKey());
      keys.add(a.keyTokensWindow());
      keys.add(a.tenantTokensWindow());
      for (String k : a.spendKeys()) {
        keys.add(k);
      }
    }

    @Override
    public void args(ScriptBatcher.Keys keys, Request r) {
      // a retry follows a failure that may have landed: it only settles if the reservation (or the
      // tombstone a purge left of it) is still there; the reservation negated here: the script passes
      // it to HINCRBY as is (Redis rejects "-0")
      r.arg(a.reservationId()).arg(attempt > 0 ? 1 : 0).arg(s.capBasisMicros()).arg(s.tpmCorrection())
          .arg(s.tokensIn()).arg(s.tokensOut()).arg(s.costMicros()).arg(s.billedMicros())
          .arg(s.keyName()).arg(-a.reservedMicros())
          .arg(keys.index(a.totalsKey())).arg(keys.index(a.keyTokensWindow())).arg(keys.index(a.tenantTokensWindow()))
          .arg(a.spendKeys().size());
      for (int i = 0; i < a.spendKeys().size(); i++) {
        r.arg(keys.index(a.spendKeys().get(i))).arg(a.spendTtlSeconds()[i]);
      }
      // as many values as names: a settlement spooled by an older gateway lacks the newest fields
      for (int i = 0; i < USAGE_FIELDS.length; i++) {
        r.arg(i < s.record().size() ? s.record().get(i) : "");
      }
    }

    @Override
    public void complete(Response answer) {
      // 1, 2 or 0 (a retry whose first attempt had landed): settled exactly once either way
      finish();
    }

    @Override
    public void fail(Throwable e) {
      // Redis unreachable: retried until the tombstone a purge leaves of its reservation is gone
      // (a week after the lease); each retry settles exactly once (settle.lua)
      long delay = SETTLE_RETRY_MS[Math.min(attempt, SETTLE_RETRY_MS.length - 1)];
      long horizon = a.leaseEndMillis() + TOMBSTONE_RETENTION.toMillis() - RETRY_MARGIN_MS;
      if (e instanceof RedisUnavailableException && System.currentTimeMillis() + delay < horizon) {
        if (attempt == 0) {
          LOG.warn("settle of request {} (tenant {}) waits for Redis: {}", a.reservationId(), a.tenant().id(), e.getMessage());
          spoolAhead();
        }
        attempt++;
        vertx.setTimer(delay, id -> {
          if (unlanded.contains(this)) { // not spooled by a stop meanwhile
            settles.submit(a.tenant().id(), this);
          }
        });
        return;
      }
      finish();
      metrics.settleFailed();
      LOG.error("settle failed for request {} (tenant {}, key {}); its usage record is lost and its reservation is released when its lease ends: {}",
          a.reservationId(), a.tenant().id(), s.keyName(), e.getMessage());
    }

    /**
     * Writes it to the spool as soon as Redis fails it, not only at a stop: a replica killed during
     * the outage (SIGKILL, OOM, a lost node) then loses nothing either, as long as its spool folder
     * survives (ADR 0045). Only the failure path writes; the file goes when the settlement lands.
     */
    private void spoolAhead() {
      if (spool == null || spooled != null) {
        return;
      }
      vertx.executeBlocking(() -> spool.write(List.of(s))).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("cannot spool the settlement of request {} to {}: {}", a.reservationId(), spool.dir(), ar.cause().getMessage());
        } else if (unlanded.contains(this)) {
          spooled = ar.result();
        } else {
          deleteSpooled(ar.result()); // landed while the file was being written
        }
      });
    }

    /** Landed or given up: no longer this replica's to settle, and its own spool file goes. */
    void finish() {
      if (end() && spooled != null) {
        deleteSpooled(spooled);
      }
    }

    /** No longer this replica's to settle; false if it already was not. */
    boolean end() {
      if (!unlanded.remove(this)) {
        return false;
      }
      pendingSettles--;
      if (done != null) {
        done.run();
      }
      return true;
    }
  }

  /** settle.lua's framing: the tenant's reservation structures and usage stream, then count, TTLs and the usage record's field names. */
  private final class SettleFraming implements ScriptBatcher.Framing<SettlePart> {
    @Override
    public void leadingKeys(SettlePart first, ScriptBatcher.Keys keys) {
      keys.add(first.a.reservationsKey());
      keys.add(first.a.leasesKey());
      keys.add(first.a.usageKey());
    }

    @Override
    public void leadingArgs(List<SettlePart> batch, Request r) {
      r.arg(batch.size()).arg(TOTALS_TTL_SECONDS).arg(config.usageStreamMaxLen()).arg(WINDOW_TTL_MS).arg(USAGE_FIELDS.length);
      for (String f : USAGE_FIELDS) {
        r.arg(f);
      }
    }
  }
}
