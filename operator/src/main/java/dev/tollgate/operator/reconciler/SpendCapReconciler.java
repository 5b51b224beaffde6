package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.SpendCap;
import dev.tollgate.operator.api.v1alpha1.SpendCapSpec;
import dev.tollgate.operator.api.v1alpha1.SpendCapStatus;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.projection.Problem;
import dev.tollgate.operator.projection.SpendCapProjection;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.CounterFields;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Projects a SpendCap into its field of the tenant's caps hash and reports live spend. */
public final class SpendCapReconciler extends ProjectingReconciler<SpendCap, SpendCapStatus> {

  static final String SPEND_THRESHOLD_REACHED = "SpendThresholdReached";
  static final String SPEND_COUNTER_RESTORED = "SpendCounterRestored";
  static final String USED_RATIO = "tollgate_spend_cap_used_ratio";

  /** Spent / limit per cap and period, in parts per million, for the gauge (leader only: it reconciles). */
  private final Map<List<String>, AtomicLong> usedPpm = new ConcurrentHashMap<>();
  private final MeterRegistry meters;

  public SpendCapReconciler(ConfigWriter writer, Duration resync, Clock clock, MeterRegistry meters) {
    super(writer, resync, clock);
    this.meters = meters;
  }

  @Override
  public List<EventSource<?, SpendCap>> prepareEventSources(EventSourceContext<SpendCap> context) {
    return List.of(
        References.watch(Tenant.class, context, (c, name) -> name.equals(tenantName(c))),
        References.watch(ApiKey.class, context, (c, name) ->
            c.getSpec() != null && c.getSpec().getApiKeyRef() != null && name.equals(c.getSpec().getApiKeyRef().getName())));
  }

  @Override
  protected Outcome sync(SpendCap cap, SpendCapStatus status, Context<SpendCap> context) {
    String ns = namespace(cap);
    if (tenantName(cap) == null) {
      throw Problem.invalid("tenantRef is required");
    }
    Tenant tenant = References.require(context, Tenant.class, ns, tenantName(cap), Problem.TENANT_NOT_FOUND);
    ApiKey key = null;
    if (cap.getSpec().getScope() == SpendCapSpec.Scope.ApiKey && cap.getSpec().getApiKeyRef() != null) {
      key = References.require(context, ApiKey.class, ns, cap.getSpec().getApiKeyRef().getName(), Problem.API_KEY_NOT_FOUND);
    }
    CapDefinition definition = SpendCapProjection.of(cap, tenant, key);
    TenantId id = new TenantId(ns, tenant.getMetadata().getName());
    writer.putField(RedisKeys.caps(id), definition.name(), definition, new ConfigChange(ConfigChange.SPEND_CAP, id.id()));
    writer.releaseExpiredReservations(id);
    List<SpendCapStatus.PeriodSpend> spend = spend(id, definition, clock.instant(), status.getSpend(), cap, context);
    raiseAlerts(cap, definition, status.getSpend(), spend, context);
    status.setSpend(spend);
    return Outcome.ready("cap written to Redis");
  }

  /**
   * Each alert threshold (and 100 % for an {@code Alert} cap, whose requests pass the limit) is raised
   * once per period as a Warning Event on the SpendCap, when a reconcile (at least every resync) sees
   * the settled spend at or over it; {@code alertsRaised} in status remembers which, so a restart or
   * another replica taking over raises nothing twice. A new period starts with none. A threshold the
   * spend is no longer at (the limit was raised: a top-up of a Total limit) is dropped from it, so it
   * is raised again when crossed again; one still reached at the new limit is not raised twice
   * (settled spend only grows within a period, so only a changed limit drops one; ADR 0048).
   */
  private void raiseAlerts(SpendCap cap, CapDefinition definition, List<SpendCapStatus.PeriodSpend> before,
      List<SpendCapStatus.PeriodSpend> now, Context<SpendCap> context) {
    TreeSet<Integer> thresholds = new TreeSet<>(definition.alertThresholdsPercent());
    if (CapDefinition.ALERT.equals(definition.action())) {
      thresholds.add(100);
    }
    for (SpendCapStatus.PeriodSpend s : now) {
      List<Integer> raised = new ArrayList<>();
      for (SpendCapStatus.PeriodSpend b : before) {
        if (s.getPeriod().equals(b.getPeriod()) && s.getPeriodKey().equals(b.getPeriodKey())) {
          b.getAlertsRaised().stream().filter(t -> s.getUsedPercent() >= t).forEach(raised::add);
        }
      }
      for (int t : thresholds) {
        if (s.getUsedPercent() >= t && !raised.contains(t)) {
          raised.add(t);
          events.warning(context.getClient(), cap, SPEND_THRESHOLD_REACHED, String.format(
              "%s spend reached %d%% of its limit: %s of %s %s spent in %s (%d%%), %s", s.getPeriod(), t,
              s.getSpent(), s.getLimit(), definition.currency(), s.getPeriodKey(), s.getUsedPercent(),
              s.getResetsAt() == null ? "never resets, " + s.getRemaining() + " left" : "resets at " + s.getResetsAt()));
        }
      }
      Collections.sort(raised);
      s.setAlertsRaised(raised);
    }
  }

  /**
   * Each limit's spend in its current period, for status and the used-ratio gauge. A counter below
   * what status last showed for the same period was lost by Redis (settled spend only grows within a
   * period): it is raised back to that figure, with a Warning Event, so a flush, an empty Redis or a
   * failover that lost writes does not reset a cap mid-period nor give back prepaid credit (ADR 0053).
   */
  private List<SpendCapStatus.PeriodSpend> spend(TenantId id, CapDefinition cap, Instant now,
      List<SpendCapStatus.PeriodSpend> before, SpendCap resource, Context<SpendCap> context) {
    List<SpendCapStatus.PeriodSpend> out = new ArrayList<>();
    for (CapDefinition.Limit limit : cap.limits()) {
      String periodKey = limit.period().key(now);
      String key = RedisKeys.spend(id, cap.name(), periodKey);
      Map<String, String> counters = writer.readCounters(key);
      long spent = TenantReconciler.number(counters, CounterFields.SPENT);
      long seen = lastSeen(before, limit.period().name(), periodKey);
      if (spent < seen) {
        long restored = writer.restoreSpent(key, seen, limit.period().counterExpiresAtSecond(now));
        if (restored > 0) {
          spent += restored;
          events.warning(context.getClient(), resource, SPEND_COUNTER_RESTORED, String.format(
              "%s spend counter of %s was %s %s in Redis, below the %s last seen: Redis lost it (flushed, replaced or"
                  + " failed over); raised back to %s (spend settled since the loss may be missing)",
              limit.period(), periodKey, Money.format(seen - restored), cap.currency(), Money.format(seen), Money.format(seen)));
        }
      }
      gauge(id.namespace(), cap.name(), id.id(), limit.period().name())
          .set(limit.limitMicros() == 0 ? 1_000_000 : spent * 1_000_000 / limit.limitMicros());
      SpendCapStatus.PeriodSpend s = new SpendCapStatus.PeriodSpend();
      s.setPeriod(limit.period().name());
      s.setPeriodKey(periodKey);
      s.setLimit(Money.format(limit.limitMicros()));
      s.setSpent(Money.format(spent));
      s.setRemaining(Money.format(Math.max(0, limit.limitMicros() - spent)));
      s.setReserved(Money.format(TenantReconciler.number(counters, CounterFields.RESERVED)));
      s.setUsedPercent(limit.limitMicros() == 0 ? 100 : Math.min(100_000, spent * 100 / limit.limitMicros()));
      // a Total limit never resets: no reset time
      s.setResetsAt(limit.period().resets() ? Conditions.format(limit.period().reset(now)) : null);
      out.add(s);
    }
    return out;
  }

  /** The settled spend status showed for this period at the last reconcile, micro-units (0: none). */
  private static long lastSeen(List<SpendCapStatus.PeriodSpend> before, String period, String periodKey) {
    for (SpendCapStatus.PeriodSpend b : before == null ? List.<SpendCapStatus.PeriodSpend>of() : before) {
      if (period.equals(b.getPeriod()) && periodKey.equals(b.getPeriodKey()) && b.getSpent() != null) {
        try {
          return Money.parseMicros(b.getSpent());
        } catch (IllegalArgumentException e) {
          return 0; // a status edited by hand: nothing to trust
        }
      }
    }
    return 0;
  }

  /** The gauge of one cap's period, registered on first use. */
  private AtomicLong gauge(String namespace, String cap, String tenant, String period) {
    return usedPpm.computeIfAbsent(List.of(namespace, cap, tenant, period), k -> {
      AtomicLong ppm = new AtomicLong();
      Gauge.builder(USED_RATIO, ppm, v -> v.get() / 1_000_000.0)
          .description("Settled spend / limit of a SpendCap in its current period (1 = at the limit), as of the last reconcile")
          .tags("namespace", namespace, "spendcap", cap, "tenant", tenant, "period", period)
          .register(meters);
      return ppm;
    });
  }

  @Override
  public DeleteControl cleanup(SpendCap cap, Context<SpendCap> context) {
    usedPpm.keySet().removeIf(k -> {
      boolean gone = k.get(0).equals(namespace(cap)) && k.get(1).equals(cap.getMetadata().getName());
      if (gone) {
        meters.find(USED_RATIO).tags("namespace", k.get(0), "spendcap", k.get(1), "tenant", k.get(2), "period", k.get(3))
            .meters().forEach(meters::remove);
      }
      return gone;
    });
    if (tenantName(cap) != null) {
      TenantId id = new TenantId(namespace(cap), tenantName(cap));
      writer.deleteField(RedisKeys.caps(id), cap.getMetadata().getName(), new ConfigChange(ConfigChange.SPEND_CAP, id.id()));
    }
    return DeleteControl.defaultDelete();
  }

  private static String tenantName(SpendCap cap) {
    return cap.getSpec() == null || cap.getSpec().getTenantRef() == null ? null : cap.getSpec().getTenantRef().getName();
  }

  @Override
  protected boolean hasReferences() {
    return true;
  }

  @Override
  protected SpendCapStatus newStatus() {
    return new SpendCapStatus();
  }
}
