package dev.tollgate.operator.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A tenant's billing plan. Amounts are decimal strings in {@code currency} units. */
@ValidationRule(value = "self.plan != 'Flat' || !has(self.markupPercent)", message = "markupPercent does not apply to a Flat plan")
@ValidationRule(value = "self.plan != 'Flat' || !has(self.modelMarkups) || size(self.modelMarkups) == 0", message = "modelMarkups do not apply to a Flat plan")
@ValidationRule(value = "self.plan == 'PercentageMarkup' || has(self.monthlyFee)", message = "monthlyFee is required for FixedFeePlusMarkup and Flat plans")
@ValidationRule(value = "self.plan != 'PercentageMarkup' || !has(self.monthlyFee)", message = "monthlyFee does not apply to a PercentageMarkup plan; use FixedFeePlusMarkup")
@ValidationRule(value = "self.currency == oldSelf.currency", message = "billing.currency is immutable: caps and recorded usage are in this currency")
public class Billing {

  /** The three pricing models a reseller offers. */
  public enum Plan {
    PercentageMarkup,
    FixedFeePlusMarkup,
    Flat
  }

  @Required
  @JsonPropertyDescription("`PercentageMarkup` (provider cost + markupPercent), `FixedFeePlusMarkup` (monthlyFee + provider cost + markupPercent) or `Flat` (monthlyFee whatever the usage; spend caps then count provider cost).")
  private Plan plan;

  @Default("USD")
  @Pattern(Formats.CURRENCY)
  @JsonPropertyDescription("ISO 4217 currency of every price, fee and cap of this tenant. Default `USD`. Immutable.")
  private String currency = "USD";

  @Pattern(Formats.PERCENT)
  @JsonPropertyDescription("Markup on provider cost in percent, decimal string with at most 4 decimals, e.g. \"20\" or \"12.5\". Default \"0\". Not allowed on Flat.")
  private String markupPercent;

  @Size(max = 100)
  @JsonPropertyDescription("Markups for some requested models instead of markupPercent, e.g. premium models at a higher margin: `[{model: \"gpt-4o\", markupPercent: \"40\"}, {model: \"claude-opus-*\", markupPercent: \"50\"}]`. The first entry whose model matches the requested model (the name the client asks for, whichever target serves it) applies; other models get markupPercent. Reservations against spend caps use the same markup. Not allowed on Flat. Default: none.")
  private List<ModelMarkup> modelMarkups = new ArrayList<>();

  @Pattern(Formats.AMOUNT)
  @JsonPropertyDescription("Monthly fee (FixedFeePlusMarkup) or flat monthly price (Flat), decimal string in `currency` units with at most 6 decimals, e.g. \"499.00\".")
  private String monthlyFee;

  public Billing() {}

  public Billing(Plan plan, String currency, String markupPercent, String monthlyFee) {
    this.plan = plan;
    this.currency = currency;
    this.markupPercent = markupPercent;
    this.monthlyFee = monthlyFee;
  }

  public Plan getPlan() {
    return plan;
  }

  public void setPlan(Plan plan) {
    this.plan = plan;
  }

  public String getCurrency() {
    return currency;
  }

  public void setCurrency(String currency) {
    this.currency = currency;
  }

  public String getMarkupPercent() {
    return markupPercent;
  }

  public void setMarkupPercent(String markupPercent) {
    this.markupPercent = markupPercent;
  }

  public List<ModelMarkup> getModelMarkups() {
    return modelMarkups;
  }

  public void setModelMarkups(List<ModelMarkup> modelMarkups) {
    this.modelMarkups = modelMarkups == null ? new ArrayList<>() : modelMarkups;
  }

  public String getMonthlyFee() {
    return monthlyFee;
  }

  public void setMonthlyFee(String monthlyFee) {
    this.monthlyFee = monthlyFee;
  }
}
