package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Token usage as the provider reported it (or as counted by the gateway when it reported none).
 *
 * @param inputTokens every prompt token, cached and cache-write ones included (what rate limits
 *     count and OpenAI's {@code prompt_tokens} reports); for Anthropic that is {@code input_tokens}
 *     plus {@code cache_read_input_tokens} plus {@code cache_creation_input_tokens}
 * @param cachedInputTokens the part of {@code inputTokens} read from the provider's prompt cache
 * @param cacheWriteTokens the part of {@code inputTokens} written to the provider's prompt cache
 * @param cacheWriteLongTokens the part of {@code cacheWriteTokens} written for a long lifetime
 *     (Anthropic's 1-hour writes, {@code cache_creation.ephemeral_1h_input_tokens}), billed at the
 *     long cache-write price; 0 for providers that do not report it
 * @param outputTokens completion tokens, reasoning included
 * @param reportedByProvider true when every figure is the provider's; false when the gateway counted
 *     (some of) the tokens itself
 * @param promptReportedByProvider true when the prompt side (input with its cache split) is the
 *     provider's: always with {@code reportedByProvider}, and alone for a stream that ended before
 *     its final usage but after the provider reported the prompt (Anthropic's {@code message_start},
 *     Gemini's {@code usageMetadata}), whose output the gateway counted
 * @param webSearchCalls web searches the provider ran itself during the call, billed per search
 *     outside the tokens (Anthropic's {@code server_tool_use.web_search_requests}, the Responses
 *     API's {@code web_search_call} output items, one for a chat request with {@code
 *     web_search_options}; ADR 0047)
 * @param images the images an images API answer returned (ADR 0049), null for every other answer
 * @param audio what an audio API answer is billed for (ADR 0054), null for every other answer
 */
public record Usage(
    long inputTokens,
    long cachedInputTokens,
    long cacheWriteTokens,
    long cacheWriteLongTokens,
    long outputTokens,
    boolean reportedByProvider,
    boolean promptReportedByProvider,
    long webSearchCalls,
    Images images,
    Audio audio) {

  public static final Usage NONE = new Usage(0, 0, false);

  /** A provider's count that may be absent, null or not a number (servers vary): 0 then. */
  public static long count(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? n.longValue() : 0L;
  }

  /**
   * What an images API answer produced, as its price needs it.
   *
   * @param count images returned
   * @param imageInputTokens the part of the usage's input tokens that are image tokens ({@code
   *     input_tokens_details.image_tokens})
   * @param size the images' size as the provider reported it, else as requested; null = unknown
   * @param quality their quality, likewise
   */
  public record Images(long count, long imageInputTokens, String size, String quality) {}

  /**
   * What an audio API answer is billed for besides tokens.
   *
   * @param characters speech input characters
   * @param seconds seconds of audio transcribed or translated (whole, rounded up)
   * @param audioInputTokens the part of the usage's input tokens that are audio tokens ({@code
   *     input_token_details.audio_tokens})
   */
  public record Audio(long characters, long seconds, long audioInputTokens) {}

  /** Usage of an answer that is neither images nor audio (see {@link #withImages}). */
  public Usage(
      long inputTokens,
      long cachedInputTokens,
      long cacheWriteTokens,
      long cacheWriteLongTokens,
      long outputTokens,
      boolean reportedByProvider,
      boolean promptReportedByProvider,
      long webSearchCalls) {
    this(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWriteLongTokens, outputTokens, reportedByProvider,
        promptReportedByProvider, webSearchCalls, null, null);
  }

  /** Usage without provider-run web searches. */
  public Usage(
      long inputTokens,
      long cachedInputTokens,
      long cacheWriteTokens,
      long cacheWriteLongTokens,
      long outputTokens,
      boolean reportedByProvider,
      boolean promptReportedByProvider) {
    this(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWriteLongTokens, outputTokens, reportedByProvider,
        promptReportedByProvider, 0);
  }

  /** Usage without long cache writes (every provider but Anthropic). */
  public Usage(
      long inputTokens,
      long cachedInputTokens,
      long cacheWriteTokens,
      long outputTokens,
      boolean reportedByProvider,
      boolean promptReportedByProvider) {
    this(inputTokens, cachedInputTokens, cacheWriteTokens, 0, outputTokens, reportedByProvider, promptReportedByProvider);
  }

  /** Usage whose figures are all the provider's, or all the gateway's. */
  public Usage(
      long inputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens, boolean reportedByProvider) {
    this(inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, reportedByProvider, reportedByProvider);
  }

  /** Usage without prompt-cache figures. */
  public Usage(long inputTokens, long outputTokens, boolean reportedByProvider) {
    this(inputTokens, 0, 0, outputTokens, reportedByProvider);
  }

  /**
   * The provider's figures before its final ones: the prompt side is whole, the output only what it
   * reported producing so far (a running count, e.g. Gemini's thinking tokens that never stream as
   * text), left for the gateway to count and never billed below.
   */
  public Usage partial() {
    return new Usage(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWriteLongTokens, outputTokens, false, true,
        webSearchCalls, images, audio);
  }

  /** This usage with {@code calls} provider-run web searches. */
  public Usage withWebSearchCalls(long calls) {
    return new Usage(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWriteLongTokens, outputTokens,
        reportedByProvider, promptReportedByProvider, calls, images, audio);
  }

  /** This usage with the images an answer returned. */
  public Usage withImages(Images returned) {
    return new Usage(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWriteLongTokens, outputTokens,
        reportedByProvider, promptReportedByProvider, webSearchCalls, returned, audio);
  }

  /** This usage with what an audio answer is billed for. */
  public Usage withAudio(Audio billed) {
    return new Usage(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWriteLongTokens, outputTokens,
        reportedByProvider, promptReportedByProvider, webSearchCalls, images, billed);
  }

  /**
   * This usage's prompt side with the output the gateway counted, or the output the provider
   * already reported if that is larger: what it said it produced is billed even if never streamed.
   */
  public Usage withCountedOutput(long countedOutputTokens) {
    return new Usage(inputTokens, cachedInputTokens, cacheWriteTokens, cacheWriteLongTokens,
        Math.max(outputTokens, countedOutputTokens), false, promptReportedByProvider, webSearchCalls, images, audio);
  }

  /**
   * The usage record's {@code usageSource}: {@code provider} (all figures the provider's), {@code
   * provider-prompt} (the provider's prompt side; the output counted, or the provider's running
   * figure when larger) or {@code estimated}.
   */
  public String source() {
    return reportedByProvider ? "provider" : promptReportedByProvider ? "provider-prompt" : "estimated";
  }

  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
