package dev.tollgate.operator.reconciler;

import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.api.v1alpha1.TenantSpec;
import dev.tollgate.operator.api.v1alpha1.TenantStatus;
import dev.tollgate.operator.projection.Problem;
import dev.tollgate.operator.projection.TenantProjection;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.CounterFields;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Projects a Tenant into its {@link TenantRecord} and reports month-to-date usage. */
public final class TenantReconciler extends ProjectingReconciler<Tenant, TenantStatus> {

  public TenantReconciler(ConfigWriter writer, Duration resync, Clock clock) {
    super(writer, resync, clock);
  }

  @Override
  public List<EventSource<?, Tenant>> prepareEventSources(EventSourceContext<Tenant> context) {
    return List.of(References.watch(RoutePolicy.class, context, (t, name) ->
        t.getSpec() != null && t.getSpec().getRoutePolicyRef() != null && name.equals(t.getSpec().getRoutePolicyRef().getName())));
  }

  @Override
  protected Outcome sync(Tenant tenant, TenantStatus status, Context<Tenant> context) {
    String ns = namespace(tenant);
    if (tenant.getSpec() != null && tenant.getSpec().getRoutePolicyRef() != null) {
      References.require(context, RoutePolicy.class, ns, tenant.getSpec().getRoutePolicyRef().getName(),
          Problem.ROUTE_POLICY_NOT_FOUND);
    }
    TenantRecord record = TenantProjection.of(tenant);
    TenantId id = record.tenantId();
    writer.put(RedisKeys.tenant(id), record, new ConfigChange(ConfigChange.TENANT, id.id()));
    status.setMonthToDate(monthToDate(id, record.pricing(), clock.instant()));
    if (TenantRecord.SUSPENDED.equals(record.state())) {
      return Outcome.inactive("Suspended", "tenant is suspended: requests with its keys are refused");
    }
    return Outcome.ready("tenant written to Redis");
  }

  @Override
  protected void withdrawWhileBlocked(Tenant tenant, TenantStatus status, Problem problem) {
    if (tenant.getSpec() == null || tenant.getSpec().getState() != TenantSpec.State.Suspended) {
      return;
    }
    TenantId id = new TenantId(namespace(tenant), tenant.getMetadata().getName());
    TenantRecord stored = writer.get(RedisKeys.tenant(id), TenantRecord.class);
    if (stored != null && !TenantRecord.SUSPENDED.equals(stored.state())) {
      writer.put(RedisKeys.tenant(id), new TenantRecord(stored.tenant(), stored.displayName(), TenantRecord.SUSPENDED,
          stored.allowedModels(), stored.routePolicy(), stored.requestsPerMinute(), stored.tokensPerMinute(),
          stored.pricing(), stored.generation()), new ConfigChange(ConfigChange.TENANT, id.id()));
    }
  }

  private TenantStatus.MonthToDate monthToDate(TenantId id, Pricing pricing, Instant now) {
    Map<String, String> totals = MonthTotals.read(writer, id, now);
    TenantStatus.MonthToDate m = MonthTotals.usage(totals, UnaryOperator.identity(), pricing.currency(), now);
    if (m == null) {
      return null;
    }
    long cost = number(totals, CounterFields.COST_MICROS);
    long billed = number(totals, CounterFields.BILLED_MICROS);
    long invoice = Pricing.PERCENTAGE_MARKUP.equals(pricing.plan()) ? billed : Math.addExact(billed, pricing.monthlyFeeMicros());
    m.setInvoice(Money.format(invoice));
    m.setMargin(signed(invoice - cost));
    return m;
  }

  static long number(Map<String, String> hash, String field) {
    try {
      String v = hash.get(field);
      return v == null ? 0 : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String signed(long micros) {
    return micros < 0 ? "-" + Money.format(-micros) : Money.format(micros);
  }

  @Override
  public DeleteControl cleanup(Tenant tenant, Context<Tenant> context) {
    TenantId id = new TenantId(namespace(tenant), tenant.getMetadata().getName());
    writer.delete(RedisKeys.tenant(id), new ConfigChange(ConfigChange.TENANT, id.id()));
    return DeleteControl.defaultDelete();
  }

  @Override
  protected boolean hasReferences() {
    return true;
  }

  @Override
  protected TenantStatus newStatus() {
    return new TenantStatus();
  }
}
