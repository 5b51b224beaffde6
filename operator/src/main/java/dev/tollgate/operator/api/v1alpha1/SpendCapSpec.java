package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.tollgate.schema.Period;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Desired state of a SpendCap. */
@ValidationRule(value = "self.scope == 'Tenant' || has(self.apiKeyRef)", message = "apiKeyRef is required when scope is ApiKey")
@ValidationRule(value = "self.scope == 'ApiKey' || !has(self.apiKeyRef)", message = "apiKeyRef is only allowed when scope is ApiKey")
@ValidationRule(value = "self.scope == oldSelf.scope", message = "scope is immutable")
public class SpendCapSpec {

  /** What the cap counts. */
  public enum Scope {
    Tenant,
    ApiKey
  }

  /** What happens when a limit is reached. */
  public enum Action {
    Reject,
    Alert
  }

  @Required
  @ValidationRule(value = "self == oldSelf", message = "tenantRef is immutable")
  @JsonPropertyDescription("The Tenant (same namespace) whose spend is capped. Immutable.")
  private LocalRef tenantRef;

  @Default("Tenant")
  @JsonPropertyDescription("`Tenant` (default): all keys of the tenant together; `ApiKey`: only the key named by apiKeyRef. Immutable.")
  private Scope scope = Scope.Tenant;

  @ValidationRule(value = "self == oldSelf", message = "apiKeyRef is immutable")
  @JsonPropertyDescription("The ApiKey (same namespace, same tenant) capped when scope is ApiKey. Immutable.")
  private LocalRef apiKeyRef;

  @Required
  @Size(min = 1, max = 4)
  @ValidationRule(value = "self.all(l, self.exists_one(m, m.period == l.period))", message = "at most one limit per period")
  @JsonPropertyDescription("One limit per period: at most `amount` may be spent per UTC day, ISO week, UTC calendar month and/or in total (prepaid credit).")
  private List<Limit> limits = new ArrayList<>();

  @Pattern(Formats.CURRENCY)
  @JsonPropertyDescription("ISO 4217 currency of the amounts. Must equal the tenant's billing currency (else InvalidSpec). Default: the tenant's currency.")
  private String currency;

  @Default("Reject")
  @JsonPropertyDescription("`Reject` (default): requests that would exceed a limit get HTTP 402 `spend_cap_exceeded`. `Alert`: requests pass; only alerts are raised.")
  private Action action = Action.Reject;

  @Size(max = 10)
  @ValidationRule(value = "self.all(p, p >= 1 && p <= 100)", message = "alert thresholds are percentages between 1 and 100")
  @JsonPropertyDescription("Percentages of a limit at which an alert is raised, e.g. [50, 80, 100]. Default: none.")
  private List<Integer> alertThresholdsPercent = new ArrayList<>();

  public LocalRef getTenantRef() {
    return tenantRef;
  }

  public void setTenantRef(LocalRef tenantRef) {
    this.tenantRef = tenantRef;
  }

  public Scope getScope() {
    return scope;
  }

  public void setScope(Scope scope) {
    this.scope = scope;
  }

  public LocalRef getApiKeyRef() {
    return apiKeyRef;
  }

  public void setApiKeyRef(LocalRef apiKeyRef) {
    this.apiKeyRef = apiKeyRef;
  }

  public List<Limit> getLimits() {
    return limits;
  }

  public void setLimits(List<Limit> limits) {
    this.limits = limits == null ? new ArrayList<>() : limits;
  }

  public String getCurrency() {
    return currency;
  }

  public void setCurrency(String currency) {
    this.currency = currency;
  }

  public Action getAction() {
    return action;
  }

  public void setAction(Action action) {
    this.action = action;
  }

  public List<Integer> getAlertThresholdsPercent() {
    return alertThresholdsPercent;
  }

  public void setAlertThresholdsPercent(List<Integer> alertThresholdsPercent) {
    this.alertThresholdsPercent = alertThresholdsPercent == null ? new ArrayList<>() : alertThresholdsPercent;
  }

  /** One limit: an amount per period. */
  public static class Limit {

    @Required
    @JsonPropertyDescription("`Day` (UTC day), `Week` (ISO week, Monday 00:00 UTC), `Month` (UTC calendar month): the counter resets at the period's start. `Total`: never resets (prepaid credit or a lifetime budget; raise `amount` to top up).")
    private Period period;

    @Required
    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Maximum spend per period (for `Total`: ever), decimal string in `currency` units with at most 6 decimals, e.g. \"250.00\".")
    private String amount;

    public Limit() {}

    public Limit(Period period, String amount) {
      this.period = period;
      this.amount = amount;
    }

    public Period getPeriod() {
      return period;
    }

    public void setPeriod(Period period) {
      this.period = period;
    }

    public String getAmount() {
      return amount;
    }

    public void setAmount(String amount) {
      this.amount = amount;
    }
  }
}
