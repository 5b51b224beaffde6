package dev.tollgate.operator.api.v1alpha1;

/** Regular expressions shared by the CRD schemas (kept in one place so messages and docs agree). */
public final class Formats {

  /** A Kubernetes object name (DNS-1123 subdomain). */
  public static final String NAME = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

  /** A non-negative decimal amount in currency units, at most 6 decimals: {@code "250.00"}. */
  public static final String AMOUNT = "^[0-9]{1,12}(\\.[0-9]{1,6})?$";

  /** A percentage with at most 4 decimals: {@code "20"}, {@code "12.5"}. */
  public static final String PERCENT = "^[0-9]{1,4}(\\.[0-9]{1,4})?$";

  /** A duration with one unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, {@code 7d}. */
  public static final String DURATION = "^[0-9]{1,9}(ms|s|m|h|d)$";

  /** An ISO 4217 currency code. */
  public static final String CURRENCY = "^[A-Z]{3}$";

  /** A model name or glob ({@code *} matches any run of characters). */
  public static final String MODEL = "^[A-Za-z0-9._:/@+*-]{1,200}$";

  private Formats() {}
}
