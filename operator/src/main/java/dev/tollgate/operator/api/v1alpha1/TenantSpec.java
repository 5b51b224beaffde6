package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Desired state of a Tenant. */
public class TenantSpec {

  /** Whether a tenant's keys may be used. */
  public enum State {
    Active,
    Suspended
  }

  @Size(max = 200)
  @JsonPropertyDescription("Human name of the client, shown in logs and reports. Default: the object's name.")
  private String displayName;

  @Default("Active")
  @JsonPropertyDescription("`Active` (default) or `Suspended`. A suspended tenant's keys are refused (HTTP 403) at once; nothing is deleted.")
  private State state = State.Active;

  @Size(max = 100)
  @ValidationRule(
      value = "self.all(m, m.matches('" + Formats.MODEL + "'))",
      message = "allowedModels entries must be model names or globs such as gpt-4o or claude-*")
  @JsonPropertyDescription("Model names or globs (`*` matches any run of characters) the tenant may request, e.g. `gpt-4o-mini`, `claude-*`. Empty (default) = every model its RoutePolicy serves.")
  private List<String> allowedModels = new ArrayList<>();

  @Required
  @JsonPropertyDescription("The RoutePolicy (same namespace) that maps the tenant's requested models to providers. It must exist: until it does the tenant is `Ready=False` (RoutePolicyNotFound) and nothing is written.")
  private LocalRef routePolicyRef;

  @JsonPropertyDescription("Request and token rate limits per minute shared by all keys of the tenant. Default: none.")
  private RateLimits limits;

  @JsonPropertyDescription("How provider cost turns into what the tenant is billed. Default: PercentageMarkup at 0% in USD (pass-through).")
  private Billing billing;

  public String getDisplayName() {
    return displayName;
  }

  public void setDisplayName(String displayName) {
    this.displayName = displayName;
  }

  public State getState() {
    return state;
  }

  public void setState(State state) {
    this.state = state;
  }

  public List<String> getAllowedModels() {
    return allowedModels;
  }

  public void setAllowedModels(List<String> allowedModels) {
    this.allowedModels = allowedModels == null ? new ArrayList<>() : allowedModels;
  }

  public LocalRef getRoutePolicyRef() {
    return routePolicyRef;
  }

  public void setRoutePolicyRef(LocalRef routePolicyRef) {
    this.routePolicyRef = routePolicyRef;
  }

  public RateLimits getLimits() {
    return limits;
  }

  public void setLimits(RateLimits limits) {
    this.limits = limits;
  }

  public Billing getBilling() {
    return billing;
  }

  public void setBilling(Billing billing) {
    this.billing = billing;
  }
}
