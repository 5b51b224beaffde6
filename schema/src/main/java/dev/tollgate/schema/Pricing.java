package dev.tollgate.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A tenant's billing plan, exact in micro-units.
 *
 * @param plan {@link #PERCENTAGE_MARKUP}, {@link #FIXED_FEE_PLUS_MARKUP} or {@link #FLAT}
 * @param currency ISO 4217 code; every price and cap of the tenant is in this currency
 * @param markupPpm markup on provider cost in parts per million (20% = 200000); not used by Flat
 * @param monthlyFeeMicros fixed monthly fee of FixedFeePlusMarkup, or the flat monthly price of Flat
 * @param modelMarkups markups for some requested models instead of {@code markupPpm}, the first
 *     whose pattern matches wins (premium models sold at a higher margin); empty: one markup for
 *     all; left out of the stored JSON when empty, so existing projections keep their bytes
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Pricing(
    String plan,
    String currency,
    long markupPpm,
    long monthlyFeeMicros,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ModelMarkup> modelMarkups) {

  /**
   * The markup for the requested models {@code model} matches (an exact name or a glob such as
   * {@code gpt-4o*}, as in allowed models), in parts per million.
   */
  public record ModelMarkup(String model, long markupPpm) {}

  public Pricing {
    modelMarkups = modelMarkups == null ? List.of() : List.copyOf(modelMarkups);
  }

  public Pricing(String plan, String currency, long markupPpm, long monthlyFeeMicros) {
    this(plan, currency, markupPpm, monthlyFeeMicros, List.of());
  }

  public static final String PERCENTAGE_MARKUP = "PercentageMarkup";
  public static final String FIXED_FEE_PLUS_MARKUP = "FixedFeePlusMarkup";
  public static final String FLAT = "Flat";

  public static Pricing passThrough(String currency) {
    return new Pricing(PERCENTAGE_MARKUP, currency, 0, 0);
  }

  /** The markup that applies to a request for {@code requestedModel}, in parts per million. */
  public long markupPpm(String requestedModel) {
    if (requestedModel != null) {
      for (ModelMarkup m : modelMarkups) {
        if (ModelPattern.matches(m.model(), requestedModel)) {
          return m.markupPpm();
        }
      }
    }
    return markupPpm;
  }

  /**
   * What one request for {@code requestedModel} (the name the client asked for: what the reseller
   * sells, whichever target served it) is billed to the tenant, given its provider cost: cost plus
   * the model's markup; 0 for a Flat plan (the tenant pays the monthly price whatever it uses).
   */
  public long usageBilledMicros(long providerCostMicros, String requestedModel) {
    if (FLAT.equals(plan)) {
      return 0;
    }
    return Math.addExact(providerCostMicros, Money.applyPpm(providerCostMicros, markupPpm(requestedModel)));
  }

  /** As {@link #usageBilledMicros(long, String)} for a request no model markup applies to. */
  public long usageBilledMicros(long providerCostMicros) {
    return usageBilledMicros(providerCostMicros, null);
  }

  /**
   * What a spend cap counts for one request: the billed amount, except on a Flat plan, where caps
   * count provider cost (they protect the reseller's margin).
   */
  public long capBasisMicros(long providerCostMicros, String requestedModel) {
    if (FLAT.equals(plan)) {
      return providerCostMicros;
    }
    return usageBilledMicros(providerCostMicros, requestedModel);
  }

  /** As {@link #capBasisMicros(long, String)} for a request no model markup applies to. */
  public long capBasisMicros(long providerCostMicros) {
    return capBasisMicros(providerCostMicros, null);
  }
}
