package dev.tollgate.operator.projection;

import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.ApiKeySpec;
import dev.tollgate.operator.api.v1alpha1.RateLimits;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ModelPattern;
import dev.tollgate.schema.TenantId;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/** ApiKey (+ its resolved Tenant) → {@link ApiKeyRecord}. Pure. */
public final class ApiKeyProjection {

  private ApiKeyProjection() {}

  public static ApiKeyRecord of(ApiKey key, Tenant tenant) {
    ApiKeySpec spec = Specs.require(key.getSpec());
    String ns = key.getMetadata().getNamespace();
    TenantId tenantId = Specs.tenantId(ns, tenant.getMetadata().getName());
    Specs.checkModels(spec.getAllowedModels());
    List<String> tenantModels = tenant.getSpec() == null ? List.of() : tenant.getSpec().getAllowedModels();
    for (String m : spec.getAllowedModels()) {
      if (!tenantModels.isEmpty() && tenantModels.stream().noneMatch(t -> ModelPattern.covers(t, m))) {
        throw Problem.invalid("allowedModels entry '" + m + "' is wider than tenant " + tenant.getMetadata().getName()
            + " allows " + tenantModels);
      }
    }
    RateLimits limits = spec.getLimits() == null ? new RateLimits() : spec.getLimits();
    return new ApiKeyRecord(
        tenantId.id(),
        key.getMetadata().getName(),
        spec.getState() == ApiKeySpec.State.Suspended ? ApiKeyRecord.SUSPENDED : ApiKeyRecord.ACTIVE,
        notAfterMs(spec),
        spec.getAllowedModels(),
        limits.getRequestsPerMinute(),
        limits.getTokensPerMinute(),
        spec.getRoutePolicyRef() == null ? null : spec.getRoutePolicyRef().getName(),
        Specs.generation(key));
  }

  /** The same record for a superseded key: it ends at {@code endMs} (or at the key's expiry, if earlier). */
  public static ApiKeyRecord superseded(ApiKeyRecord current, long endMs) {
    long notAfter = current.notAfterMs() == 0 ? endMs : Math.min(current.notAfterMs(), endMs);
    return new ApiKeyRecord(current.tenant(), current.keyName(), current.state(), notAfter, current.allowedModels(),
        current.requestsPerMinute(), current.tokensPerMinute(), current.routePolicy(), current.generation());
  }

  /**
   * A stored record narrowed by what the spec withdraws, for when the rest of the spec cannot be
   * projected: suspended if {@code suspend}, ending at {@code expiryMs} if that is earlier (0 = none).
   * Never widens: an Active state or a later end is not taken from the spec.
   */
  public static ApiKeyRecord withdrawn(ApiKeyRecord stored, boolean suspend, long expiryMs) {
    String state = suspend ? ApiKeyRecord.SUSPENDED : stored.state();
    long notAfter = expiryMs == 0 ? stored.notAfterMs()
        : stored.notAfterMs() == 0 ? expiryMs : Math.min(stored.notAfterMs(), expiryMs);
    return new ApiKeyRecord(stored.tenant(), stored.keyName(), state, notAfter, stored.allowedModels(),
        stored.requestsPerMinute(), stored.tokensPerMinute(), stored.routePolicy(), stored.generation());
  }

  /** Epoch ms of spec.expiresAt; 0 = never. */
  public static long notAfterMs(ApiKeySpec spec) {
    if (spec.getExpiresAt() == null || spec.getExpiresAt().isBlank()) {
      return 0;
    }
    try {
      return OffsetDateTime.parse(spec.getExpiresAt()).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw Problem.invalid("expiresAt must be an RFC 3339 time such as 2027-01-31T23:59:59Z, got '" + spec.getExpiresAt() + "'");
    }
  }

  /** How long a superseded key keeps working (rotation.overlap, default 24h). */
  public static Duration overlap(ApiKeySpec spec) {
    String text = spec.getRotation() == null || spec.getRotation().getOverlap() == null ? "24h" : spec.getRotation().getOverlap();
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw Problem.invalid("rotation.overlap: " + e.getMessage());
    }
  }

  /** The Secret the key is written into: spec.secretName or {@code <name>-key}. */
  public static String secretName(ApiKey key) {
    String s = key.getSpec() == null ? null : key.getSpec().getSecretName();
    return s == null || s.isBlank() ? key.getMetadata().getName() + "-key" : s;
  }
}
