package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Desired state of an ApiKey. */
@ValidationRule(
    value = "!has(self.importFrom) || !has(self.rotation) || self.rotation.generation == 0",
    message = "rotation.generation cannot be used with importFrom: rotate an imported key by changing the referenced Secret")
@ValidationRule(
    value = "has(self.importFrom) == has(oldSelf.importFrom)",
    message = "importFrom cannot be added or removed after creation")
public class ApiKeySpec {

  /** Whether the key may be used. */
  public enum State {
    Active,
    Suspended
  }

  @Required
  @ValidationRule(value = "self == oldSelf", message = "tenantRef is immutable")
  @JsonPropertyDescription("The Tenant (same namespace) this key belongs to. Immutable. Until it exists the key is `Ready=False` (TenantNotFound) and nothing is written.")
  private LocalRef tenantRef;

  @Size(max = 253)
  @Pattern(Formats.NAME)
  @ValidationRule(value = "self == oldSelf", message = "secretName is immutable")
  @JsonPropertyDescription("Secret (same namespace, owned by this ApiKey) the operator writes the key into, under data key `apiKey`. Default `<apikey-name>-key`. Immutable.")
  private String secretName;

  @JsonPropertyDescription("Import an existing key instead of generating one (teams migrating from another gateway keep their clients' keys). The value is copied into `secretName`; only its SHA-256 reaches Redis. Changing the referenced Secret's value rotates the key with `rotation.overlap`.")
  private SecretKeyRef importFrom;

  @Default("Active")
  @JsonPropertyDescription("`Active` (default) or `Suspended`. A suspended key is refused (HTTP 401) at once; it works again when set back to Active.")
  private State state = State.Active;

  @Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$")
  @JsonPropertyDescription("When the key stops working, RFC 3339 (e.g. `2027-01-31T23:59:59Z`). Enforced by the gateway to the millisecond. Default: never.")
  private String expiresAt;

  @Size(max = 100)
  @ValidationRule(
      value = "self.all(m, m.matches('" + Formats.MODEL + "'))",
      message = "allowedModels entries must be model names or globs such as gpt-4o or claude-*")
  @JsonPropertyDescription("Model names or globs this key may request; each must be covered by the tenant's allowedModels (else InvalidSpec). Empty (default) = whatever the tenant allows.")
  private List<String> allowedModels = new ArrayList<>();

  @JsonPropertyDescription("Per-key request and token rate limits per minute, applied in addition to the tenant's. Default: none.")
  private RateLimits limits;

  @JsonPropertyDescription("A RoutePolicy (same namespace) used for this key instead of the tenant's. Must exist (else RoutePolicyNotFound). Default: the tenant's.")
  private LocalRef routePolicyRef;

  @JsonPropertyDescription("Key rotation. Bump `generation` to issue a new key; the previous key keeps working for `overlap`.")
  private Rotation rotation;

  public LocalRef getTenantRef() {
    return tenantRef;
  }

  public void setTenantRef(LocalRef tenantRef) {
    this.tenantRef = tenantRef;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public SecretKeyRef getImportFrom() {
    return importFrom;
  }

  public void setImportFrom(SecretKeyRef importFrom) {
    this.importFrom = importFrom;
  }

  public State getState() {
    return state;
  }

  public void setState(State state) {
    this.state = state;
  }

  public String getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(String expiresAt) {
    this.expiresAt = expiresAt;
  }

  public List<String> getAllowedModels() {
    return allowedModels;
  }

  public void setAllowedModels(List<String> allowedModels) {
    this.allowedModels = allowedModels == null ? new ArrayList<>() : allowedModels;
  }

  public RateLimits getLimits() {
    return limits;
  }

  public void setLimits(RateLimits limits) {
    this.limits = limits;
  }

  public LocalRef getRoutePolicyRef() {
    return routePolicyRef;
  }

  public void setRoutePolicyRef(LocalRef routePolicyRef) {
    this.routePolicyRef = routePolicyRef;
  }

  public Rotation getRotation() {
    return rotation;
  }

  public void setRotation(Rotation rotation) {
    this.rotation = rotation;
  }

  /** Rotation settings. */
  @ValidationRule(value = "self.generation >= oldSelf.generation", message = "rotation.generation can only increase")
  public static class Rotation {

    @Default("0")
    @io.fabric8.generator.annotation.Min(0)
    @JsonPropertyDescription("Increase by one to rotate: a new key is generated into the Secret and the previous one stays valid for `overlap`. Default 0. Can only increase.")
    private long generation;

    @Default("24h")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("How long the previous key keeps working after a rotation, a duration with one unit (`ms`, `s`, `m`, `h`, `d`), e.g. `24h`. `0s` ends it at once. Default `24h`.")
    private String overlap = "24h";

    public Rotation() {}

    public Rotation(long generation, String overlap) {
      this.generation = generation;
      this.overlap = overlap;
    }

    public long getGeneration() {
      return generation;
    }

    public void setGeneration(long generation) {
      this.generation = generation;
    }

    public String getOverlap() {
      return overlap;
    }

    public void setOverlap(String overlap) {
      this.overlap = overlap;
    }
  }
}
