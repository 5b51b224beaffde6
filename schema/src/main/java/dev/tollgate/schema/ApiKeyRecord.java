package dev.tollgate.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the gateway knows about one client key, stored at {@link RedisKeys#apiKey} under the key's
 * SHA-256. The raw key is never stored anywhere in Redis.
 *
 * @param tenant tenant id {@code <ns>/<name>}
 * @param keyName name of the {@code ApiKey} object (unique within the tenant's namespace)
 * @param state {@link #ACTIVE} or {@link #SUSPENDED}
 * @param notAfterMs epoch ms after which the key no longer authenticates (expiry, or the end of a
 *     rotation overlap for a superseded key); 0 = never
 * @param allowedModels model names/patterns ({@link ModelPattern}); empty = whatever the tenant allows
 * @param requestsPerMinute 0 = no per-key request limit
 * @param tokensPerMinute 0 = no per-key token limit
 * @param routePolicy name of a RoutePolicy in the same namespace overriding the tenant's; null = tenant's
 * @param generation the ApiKey's metadata.generation this record was projected from
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiKeyRecord(
    String tenant,
    String keyName,
    String state,
    long notAfterMs,
    List<String> allowedModels,
    long requestsPerMinute,
    long tokensPerMinute,
    String routePolicy,
    long generation) {

  public static final String ACTIVE = "Active";
  public static final String SUSPENDED = "Suspended";

  public ApiKeyRecord {
    allowedModels = allowedModels == null ? List.of() : List.copyOf(allowedModels);
  }

  public TenantId tenantId() {
    return TenantId.parse(tenant);
  }

  /** True if the key may authenticate at {@code nowMs} (active and not past its end). */
  public boolean usableAt(long nowMs) {
    return ACTIVE.equals(state) && (notAfterMs == 0 || nowMs < notAfterMs);
  }
}
