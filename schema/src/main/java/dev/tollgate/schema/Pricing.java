package dev.tollgate.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A tenant's billing plan, exact in micro-units.
 *
 * @param plan {@link #PERCENTAGE_MARKUP}, {@link #FIXED_FEE_PLUS_MARKUP} or {@link #FLAT}
 * @param currency ISO 4217 code; every price and cap of the tenant is in this currency
 * @param markupPpm markup on provider cost in parts per million (20% = 200000); not used by Flat
 * @param monthlyFeeMicros fixed monthly fee of FixedFeePlusMarkup, or the flat monthly price of Flat
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Pricing(String plan, String currency, long markupPpm, long monthlyFeeMicros) {

  public static final String PERCENTAGE_MARKUP = "PercentageMarkup";
  public static final String FIXED_FEE_PLUS_MARKUP = "FixedFeePlusMarkup";
  public static final String FLAT = "Flat";

  public static Pricing passThrough(String currency) {
    return new Pricing(PERCENTAGE_MARKUP, currency, 0, 0);
  }

  /**
   * What one request is billed to the tenant, given its provider cost: cost plus markup; 0 for a
   * Flat plan (the tenant pays the monthly price whatever it uses).
   */
  public long usageBilledMicros(long providerCostMicros) {
    if (FLAT.equals(plan)) {
      return 0;
    }
    return Math.addExact(providerCostMicros, Money.applyPpm(providerCostMicros, markupPpm));
  }

  /**
   * What a spend cap counts for one request: the billed amount, except on a Flat plan, where caps
   * count provider cost (they protect the reseller's margin).
   */
  public long capBasisMicros(long providerCostMicros) {
    if (FLAT.equals(plan)) {
      return providerCostMicros;
    }
    return usageBilledMicros(providerCostMicros);
  }
}
