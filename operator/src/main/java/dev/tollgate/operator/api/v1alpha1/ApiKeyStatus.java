package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of an ApiKey. Never holds the key; only its non-secret prefix. */
public class ApiKeyStatus extends TollgateStatus {

  @JsonPropertyDescription("First characters of the current key (e.g. `tg-AbC12`), enough to recognise it, never to use it.")
  private String keyPrefix;

  @JsonPropertyDescription("SHA-256 (hex) of the current key: the id Redis indexes it by and logs name it by. Not secret.")
  private String keyId;

  @JsonPropertyDescription("SHA-256 (hex) of the previous key while it is still valid after a rotation.")
  private String previousKeyId;

  @JsonPropertyDescription("The Secret holding the current key under data key `apiKey`.")
  private String secretName;

  @JsonPropertyDescription("The rotation.generation the current key was issued for.")
  private Long rotationGeneration;

  @JsonPropertyDescription("Prefix of the previous key while it is still valid after a rotation.")
  private String previousKeyPrefix;

  @JsonPropertyDescription("When the previous key stops working (RFC 3339); absent when there is none.")
  private String previousKeyExpiresAt;

  @JsonPropertyDescription("This key's usage of the current UTC calendar month (all its rotations), read from the gateway's counters at each reconcile (at least every resync interval). Absent until its first request.")
  private TenantStatus.MonthToDate monthToDate;

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public String getKeyId() {
    return keyId;
  }

  public void setKeyId(String keyId) {
    this.keyId = keyId;
  }

  public String getPreviousKeyId() {
    return previousKeyId;
  }

  public void setPreviousKeyId(String previousKeyId) {
    this.previousKeyId = previousKeyId;
  }

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public Long getRotationGeneration() {
    return rotationGeneration;
  }

  public void setRotationGeneration(Long rotationGeneration) {
    this.rotationGeneration = rotationGeneration;
  }

  public String getPreviousKeyPrefix() {
    return previousKeyPrefix;
  }

  public void setPreviousKeyPrefix(String previousKeyPrefix) {
    this.previousKeyPrefix = previousKeyPrefix;
  }

  public String getPreviousKeyExpiresAt() {
    return previousKeyExpiresAt;
  }

  public void setPreviousKeyExpiresAt(String previousKeyExpiresAt) {
    this.previousKeyExpiresAt = previousKeyExpiresAt;
  }

  public TenantStatus.MonthToDate getMonthToDate() {
    return monthToDate;
  }

  public void setMonthToDate(TenantStatus.MonthToDate monthToDate) {
    this.monthToDate = monthToDate;
  }
}
