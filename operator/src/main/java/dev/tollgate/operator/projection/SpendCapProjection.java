package dev.tollgate.operator.projection;

import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.SpendCap;
import dev.tollgate.operator.api.v1alpha1.SpendCapSpec;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.schema.CapDefinition;
import dev.tollgate.schema.Period;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** SpendCap (+ its Tenant and, for scope ApiKey, its ApiKey) → {@link CapDefinition}. Pure. */
public final class SpendCapProjection {

  private SpendCapProjection() {}

  /** @param apiKey the referenced ApiKey for scope ApiKey, else null */
  public static CapDefinition of(SpendCap cap, Tenant tenant, ApiKey apiKey) {
    SpendCapSpec spec = Specs.require(cap.getSpec());
    String tenantCurrency = TenantProjection.currency(tenant);
    if (spec.getCurrency() != null && !spec.getCurrency().equals(tenantCurrency)) {
      throw Problem.invalid("currency " + spec.getCurrency() + " differs from tenant " + tenant.getMetadata().getName()
          + "'s currency " + tenantCurrency);
    }
    SpendCapSpec.Scope scope = spec.getScope() == null ? SpendCapSpec.Scope.Tenant : spec.getScope();
    String keyName = null;
    if (scope == SpendCapSpec.Scope.ApiKey) {
      if (spec.getApiKeyRef() == null || apiKey == null) {
        throw Problem.invalid("apiKeyRef is required when scope is ApiKey");
      }
      String keyTenant = apiKey.getSpec() == null || apiKey.getSpec().getTenantRef() == null
          ? null : apiKey.getSpec().getTenantRef().getName();
      if (!tenant.getMetadata().getName().equals(keyTenant)) {
        throw Problem.invalid("ApiKey " + apiKey.getMetadata().getName() + " belongs to tenant " + keyTenant
            + ", not " + tenant.getMetadata().getName());
      }
      keyName = apiKey.getMetadata().getName();
    } else if (spec.getApiKeyRef() != null) {
      throw Problem.invalid("apiKeyRef is only allowed when scope is ApiKey");
    }
    if (spec.getLimits().isEmpty()) {
      throw Problem.invalid("limits must hold at least one limit");
    }
    EnumSet<Period> seen = EnumSet.noneOf(Period.class);
    List<CapDefinition.Limit> limits = new ArrayList<>();
    for (SpendCapSpec.Limit l : spec.getLimits()) {
      if (l.getPeriod() == null) {
        throw Problem.invalid("every limit needs a period (Day, Week, Month or Total)");
      }
      if (!seen.add(l.getPeriod())) {
        throw Problem.invalid("at most one limit per period");
      }
      limits.add(new CapDefinition.Limit(l.getPeriod(), Specs.micros("limits[].amount", l.getAmount())));
    }
    List<Integer> thresholds = new ArrayList<>(spec.getAlertThresholdsPercent());
    for (Integer p : thresholds) {
      if (p == null || p < 1 || p > 100) {
        throw Problem.invalid("alert thresholds are percentages between 1 and 100");
      }
    }
    thresholds = thresholds.stream().distinct().sorted().toList();
    return new CapDefinition(
        cap.getMetadata().getName(),
        scope == SpendCapSpec.Scope.ApiKey ? CapDefinition.SCOPE_API_KEY : CapDefinition.SCOPE_TENANT,
        keyName,
        spec.getAction() == SpendCapSpec.Action.Alert ? CapDefinition.ALERT : CapDefinition.REJECT,
        tenantCurrency,
        limits,
        thresholds,
        Specs.generation(cap));
  }
}
