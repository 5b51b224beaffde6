package dev.tollgate.gateway.provider;

/**
 * A classified upstream failure.
 *
 * @param status upstream HTTP status (0 for connection failures and timeouts)
 * @param kind what went wrong, in fallback-trigger terms
 * @param message provider's message, safe to show (never contains credentials or the prompt)
 * @param retryAfterMs the provider's Retry-After in ms, or -1
 */
public record UpstreamError(int status, Kind kind, String message, long retryAfterMs) {

  /** Fallback trigger classes (RoutePlan.Route#fallbackOn uses the lower-case names). */
  public enum Kind {
    CONNECT_ERROR("connect-error"),
    TIMEOUT("timeout"),
    RATE_LIMITED("429"),
    SERVER_ERROR("5xx"),
    CONTEXT_LENGTH("context-length"),
    /** Any other 4xx: the request itself is bad; no other target will do better. */
    CLIENT_ERROR("client-error");

    private final String trigger;

    Kind(String trigger) {
      this.trigger = trigger;
    }

    public String trigger() {
      return trigger;
    }
  }
}
