package dev.tollgate.operator.projection;

/**
 * Why an object cannot be projected: a CamelCase reason for the Ready condition and a message for
 * humans. Thrown as {@link ProblemException} by projections and reference lookups.
 */
public record Problem(String reason, String message) {

  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String TENANT_NOT_FOUND = "TenantNotFound";
  public static final String ROUTE_POLICY_NOT_FOUND = "RoutePolicyNotFound";
  public static final String API_KEY_NOT_FOUND = "ApiKeyNotFound";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String SECRET_CONFLICT = "SecretConflict";
  public static final String CREDENTIALS_KEY_MISSING = "CredentialsKeyMissing";

  public static ProblemException invalid(String message) {
    return new ProblemException(new Problem(INVALID_SPEC, message));
  }

  public ProblemException exception() {
    return new ProblemException(this);
  }

  /** True for problems another object can fix by appearing (ResolvedRefs=False) rather than a spec error. */
  public boolean isMissingReference() {
    return reason.endsWith("NotFound");
  }
}
