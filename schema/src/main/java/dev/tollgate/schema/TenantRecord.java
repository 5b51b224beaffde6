package dev.tollgate.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A tenant as the gateway sees it, stored at {@link RedisKeys#tenant}.
 *
 * @param tenant {@code <ns>/<name>}
 * @param displayName human name for logs and reports
 * @param state {@link #ACTIVE} or {@link #SUSPENDED}
 * @param allowedModels model names/patterns ({@link ModelPattern}); empty = every model its route policy serves
 * @param routePolicy name of the default RoutePolicy in the tenant's namespace
 * @param requestsPerMinute shared by all keys of the tenant; 0 = unlimited
 * @param tokensPerMinute shared by all keys of the tenant; 0 = unlimited
 * @param pricing how provider cost turns into what the tenant is billed
 * @param generation the Tenant's metadata.generation this record was projected from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TenantRecord(
    String tenant,
    String displayName,
    String state,
    List<String> allowedModels,
    String routePolicy,
    long requestsPerMinute,
    long tokensPerMinute,
    Pricing pricing,
    long generation) {

  public static final String ACTIVE = "Active";
  public static final String SUSPENDED = "Suspended";

  public TenantRecord {
    allowedModels = allowedModels == null ? List.of() : List.copyOf(allowedModels);
    pricing = pricing == null ? Pricing.passThrough("USD") : pricing;
  }

  public TenantId tenantId() {
    return TenantId.parse(tenant);
  }
}
