package dev.tollgate.gateway.provider;

/**
 * Token usage as the provider reported it (or as counted by the gateway when it reported none).
 *
 * @param inputTokens every prompt token, cached and cache-write ones included (what rate limits
 *     count and OpenAI's {@code prompt_tokens} reports); for Anthropic that is {@code input_tokens}
 *     plus {@code cache_read_input_tokens} plus {@code cache_creation_input_tokens}
 * @param cachedInputTokens the part of {@code inputTokens} read from the provider's prompt cache
 * @param cacheWriteTokens the part of {@code inputTokens} written to the provider's prompt cache
 * @param outputTokens completion tokens, reasoning included
 * @param reportedByProvider false when the gateway counted the tokens itself
 */
public record Usage(
    long inputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens, boolean reportedByProvider) {

  public static final Usage NONE = new Usage(0, 0, false);

  /** Usage without prompt-cache figures. */
  public Usage(long inputTokens, long outputTokens, boolean reportedByProvider) {
    this(inputTokens, 0, 0, outputTokens, reportedByProvider);
  }

  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
