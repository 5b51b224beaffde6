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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Projects a SpendCap into its field of the tenant's caps hash and reports live spend. */
public final class SpendCapReconciler extends ProjectingReconciler<SpendCap, SpendCapStatus> {

  public SpendCapReconciler(ConfigWriter writer, Duration resync, Clock clock) {
    super(writer, resync, clock);
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
    status.setSpend(spend(id, definition, clock.instant()));
    return Outcome.ready("cap written to Redis");
  }

  private List<SpendCapStatus.PeriodSpend> spend(TenantId id, CapDefinition cap, Instant now) {
    List<SpendCapStatus.PeriodSpend> out = new ArrayList<>();
    for (CapDefinition.Limit limit : cap.limits()) {
      String periodKey = limit.period().key(now);
      Map<String, String> counters = writer.readCounters(RedisKeys.spend(id, cap.name(), periodKey));
      long spent = TenantReconciler.number(counters, CounterFields.SPENT);
      SpendCapStatus.PeriodSpend s = new SpendCapStatus.PeriodSpend();
      s.setPeriod(limit.period().name());
      s.setPeriodKey(periodKey);
      s.setLimit(Money.format(limit.limitMicros()));
      s.setSpent(Money.format(spent));
      s.setReserved(Money.format(TenantReconciler.number(counters, CounterFields.RESERVED)));
      s.setUsedPercent(limit.limitMicros() == 0 ? 100 : Math.min(100_000, spent * 100 / limit.limitMicros()));
      s.setResetsAt(Conditions.format(limit.period().reset(now)));
      out.add(s);
    }
    return out;
  }

  @Override
  public DeleteControl cleanup(SpendCap cap, Context<SpendCap> context) {
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
