package dev.tollgate.gateway.provider;

/** Token usage as the provider reported it (or as counted by the gateway when it reported none). */
public record Usage(long inputTokens, long outputTokens, boolean reportedByProvider) {

  public static final Usage NONE = new Usage(0, 0, false);

  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
