package dev.tollgate.operator.projection;

import dev.tollgate.operator.api.v1alpha1.Billing;
import dev.tollgate.operator.api.v1alpha1.Formats;
import dev.tollgate.operator.api.v1alpha1.ModelMarkup;
import dev.tollgate.operator.api.v1alpha1.RateLimits;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.api.v1alpha1.TenantSpec;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import java.util.ArrayList;
import java.util.List;

/** Tenant → {@link TenantRecord}. Pure; throws {@link ProblemException} (InvalidSpec) on bad input. */
public final class TenantProjection {

  private TenantProjection() {}

  public static TenantRecord of(Tenant tenant) {
    TenantSpec spec = Specs.require(tenant.getSpec());
    TenantId id = Specs.tenantId(tenant.getMetadata().getNamespace(), tenant.getMetadata().getName());
    if (spec.getRoutePolicyRef() == null || spec.getRoutePolicyRef().getName() == null) {
      throw Problem.invalid("routePolicyRef is required");
    }
    Specs.checkModels(spec.getAllowedModels());
    RateLimits limits = spec.getLimits() == null ? new RateLimits() : spec.getLimits();
    String displayName = spec.getDisplayName() == null || spec.getDisplayName().isBlank()
        ? tenant.getMetadata().getName() : spec.getDisplayName();
    TenantSpec.State state = spec.getState() == null ? TenantSpec.State.Active : spec.getState();
    return new TenantRecord(
        id.id(),
        displayName,
        state == TenantSpec.State.Suspended ? TenantRecord.SUSPENDED : TenantRecord.ACTIVE,
        spec.getAllowedModels(),
        spec.getRoutePolicyRef().getName(),
        limits.getRequestsPerMinute(),
        limits.getTokensPerMinute(),
        pricing(spec.getBilling()),
        Specs.generation(tenant));
  }

  /** The tenant's currency (USD when no billing is given). */
  public static String currency(Tenant tenant) {
    Billing b = tenant.getSpec() == null ? null : tenant.getSpec().getBilling();
    return b == null || b.getCurrency() == null ? "USD" : b.getCurrency();
  }

  static Pricing pricing(Billing billing) {
    if (billing == null) {
      return Pricing.passThrough("USD");
    }
    String currency = billing.getCurrency() == null ? "USD" : billing.getCurrency();
    if (!currency.matches("^[A-Z]{3}$")) {
      throw Problem.invalid("billing.currency must be an ISO 4217 code such as USD, got '" + currency + "'");
    }
    if (billing.getPlan() == null) {
      throw Problem.invalid("billing.plan is required");
    }
    String fee = billing.getMonthlyFee();
    String markup = billing.getMarkupPercent();
    List<Pricing.ModelMarkup> modelMarkups = modelMarkups(billing.getModelMarkups());
    return switch (billing.getPlan()) {
      case PercentageMarkup -> {
        if (fee != null) {
          throw Problem.invalid("monthlyFee does not apply to a PercentageMarkup plan; use FixedFeePlusMarkup");
        }
        yield new Pricing(Pricing.PERCENTAGE_MARKUP, currency, ppm(markup), 0, modelMarkups);
      }
      case FixedFeePlusMarkup -> new Pricing(Pricing.FIXED_FEE_PLUS_MARKUP, currency, ppm(markup), requiredFee(fee), modelMarkups);
      case Flat -> {
        if (markup != null) {
          throw Problem.invalid("markupPercent does not apply to a Flat plan");
        }
        if (!modelMarkups.isEmpty()) {
          throw Problem.invalid("modelMarkups do not apply to a Flat plan");
        }
        yield new Pricing(Pricing.FLAT, currency, 0, requiredFee(fee));
      }
    };
  }

  private static List<Pricing.ModelMarkup> modelMarkups(List<ModelMarkup> entries) {
    List<Pricing.ModelMarkup> out = new ArrayList<>();
    if (entries != null) {
      for (ModelMarkup m : entries) {
        if (m == null || m.getModel() == null || !m.getModel().matches(Formats.MODEL) || m.getMarkupPercent() == null) {
          throw Problem.invalid("billing.modelMarkups entries need a model name or glob and a markupPercent");
        }
        out.add(new Pricing.ModelMarkup(m.getModel(), ppm(m.getMarkupPercent())));
      }
    }
    return out;
  }

  private static long ppm(String markupPercent) {
    try {
      return markupPercent == null ? 0 : Money.percentToPpm(markupPercent);
    } catch (IllegalArgumentException e) {
      throw Problem.invalid("billing.markupPercent: " + e.getMessage());
    }
  }

  private static long requiredFee(String fee) {
    if (fee == null) {
      throw Problem.invalid("monthlyFee is required for FixedFeePlusMarkup and Flat plans");
    }
    return Specs.micros("billing.monthlyFee", fee);
  }
}
