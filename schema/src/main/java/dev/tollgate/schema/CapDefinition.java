package dev.tollgate.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One SpendCap, stored as a field (its name) of {@link RedisKeys#caps}.
 *
 * @param name SpendCap object name (unique in the tenant's namespace)
 * @param scope {@link #SCOPE_TENANT} or {@link #SCOPE_API_KEY}
 * @param apiKey name of the ApiKey for scope ApiKey; null for scope Tenant
 * @param action {@link #REJECT} (HTTP 402 when the cap would be exceeded) or {@link #ALERT} (count only)
 * @param currency ISO 4217 code, equal to the tenant's pricing currency
 * @param limits one limit per period
 * @param alertThresholdsPercent percentages of a limit at which an alert is raised, ascending
 * @param generation the SpendCap's metadata.generation
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CapDefinition(
    String name,
    String scope,
    String apiKey,
    String action,
    String currency,
    List<Limit> limits,
    List<Integer> alertThresholdsPercent,
    long generation) {

  public static final String SCOPE_TENANT = "Tenant";
  public static final String SCOPE_API_KEY = "ApiKey";
  public static final String REJECT = "Reject";
  public static final String ALERT = "Alert";

  public CapDefinition {
    limits = limits == null ? List.of() : List.copyOf(limits);
    alertThresholdsPercent = alertThresholdsPercent == null ? List.of() : List.copyOf(alertThresholdsPercent);
  }

  /** True if this cap applies to a request made with {@code keyName}. */
  public boolean appliesTo(String keyName) {
    return SCOPE_TENANT.equals(scope) || (apiKey != null && apiKey.equals(keyName));
  }

  /** One limit of a cap: at most {@code limitMicros} per {@code period}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Limit(Period period, long limitMicros) {}
}
