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

  /**
   * Shapes of API keys providers use (OpenAI/Anthropic sk-..., Google AIza..., ours tg-...), also as
   * OpenAI's 401 shows them masked ({@code sk-proj-ab****...x9Qz}: the first and last characters in
   * clear), and of Google OAuth2 access tokens (ya29....).
   */
  private static final java.util.regex.Pattern KEY_SHAPES =
      java.util.regex.Pattern.compile("\\b(?:(?:sk|tg|xai|gsk|AIza)[-_A-Za-z0-9*]{16,}|ya29\\.[-_.A-Za-z0-9]{16,})");

  /**
   * This error with every trace of {@code credential} (and anything shaped like an API key) removed
   * from the message: providers echo the key they were sent in some error messages, and the message
   * is logged and shown to the client.
   */
  public UpstreamError redact(String credential) {
    if (message == null) {
      return this;
    }
    String m = message;
    if (credential != null && credential.length() >= 4) {
      m = m.replace(credential, "[redacted]");
    }
    m = KEY_SHAPES.matcher(m).replaceAll("[redacted]");
    return m.equals(message) ? this : new UpstreamError(status, kind, m, retryAfterMs);
  }

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
