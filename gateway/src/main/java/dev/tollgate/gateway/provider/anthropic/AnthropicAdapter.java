package dev.tollgate.gateway.provider.anthropic;

import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.CountTokensAdapter;
import dev.tollgate.gateway.provider.MessagesAdapter;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Anthropic Messages API (type {@code anthropic}): OpenAI chat completions to {@code POST
 * /v1/messages} and back, streaming events included; and the Messages API itself passed through for
 * clients that speak it. See docs/providers.md for what is and is not translated.
 */
public final class AnthropicAdapter implements ProviderAdapter, MessagesAdapter, CountTokensAdapter {

  /** {@code anthropic-version} sent when the provider configures none. */
  public static final String DEFAULT_VERSION = "2023-06-01";

  /** Anthropic requires {@code max_tokens}; this is sent when the client gave none. */
  public static final int DEFAULT_MAX_TOKENS = 4096;

  private final int defaultMaxTokens;

  public AnthropicAdapter() {
    this(DEFAULT_MAX_TOKENS);
  }

  /**
   * @param defaultMaxTokens {@code max_tokens} for requests that set neither max_tokens field
   */
  public AnthropicAdapter(int defaultMaxTokens) {
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("defaultMaxTokens must be positive");
    }
    this.defaultMaxTokens = defaultMaxTokens;
  }

  @Override
  public Set<String> types() {
    return Set.of("anthropic");
  }

  @Override
  public UpstreamRequest chatRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream) {
    JsonObject body = AnthropicRequests.messagesBody(openAiBody, upstreamModel, defaultMaxTokens);
    if (stream) {
      body.put("stream", true);
    }
    return request(endpoint, "/messages", body, stream, null, null);
  }

  @Override
  public UpstreamRequest messagesRequest(
      ProviderEndpoint endpoint,
      String upstreamModel,
      JsonObject body,
      boolean stream,
      String anthropicVersion,
      String anthropicBeta) {
    JsonObject upstream = OpenAiWire.topLevelCopy(body).put("model", upstreamModel);
    return request(endpoint, "/messages", upstream, stream, anthropicVersion, anthropicBeta);
  }

  @Override
  public UpstreamRequest countTokensRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body,
      String anthropicVersion, String anthropicBeta) {
    JsonObject upstream = OpenAiWire.topLevelCopy(body).put("model", upstreamModel);
    return request(endpoint, "/messages/count_tokens", upstream, false, anthropicVersion, anthropicBeta);
  }

  /**
   * A POST to {@code /v1}{@code path} as the target's credential: {@code anthropic-version} is the
   * client's, else the provider's, else {@link #DEFAULT_VERSION}; a client's {@code anthropic-beta}
   * joins the provider's own.
   */
  private static UpstreamRequest request(
      ProviderEndpoint endpoint, String path, JsonObject body, boolean stream, String version, String beta) {
    String base = OpenAiWire.stripSlash(endpoint.baseUrl());
    String url = base.endsWith("/v1") ? base + path : base + "/v1" + path;
    Map<String, String> headers = OpenAiWire.jsonHeaders(endpoint, stream, "x-api-key");
    headers.put(
        "anthropic-version",
        version != null ? version : endpoint.apiVersion() == null ? DEFAULT_VERSION : endpoint.apiVersion());
    if (beta != null) {
      headers.merge("anthropic-beta", beta, (own, client) -> own + "," + client);
    }
    return new UpstreamRequest(url, headers, body.encode(), stream);
  }

  @Override
  public ChatResult messagesResponse(JsonObject upstreamBody, String requestedModel) {
    JsonObject body = OpenAiWire.topLevelCopy(upstreamBody).put("model", requestedModel);
    if (body.getValue("usage") instanceof JsonObject u) {
      return new ChatResult(body, usageOf(u, true));
    }
    // no usage: the gateway counts the tokens, and the searches are the results the answer holds
    long searches = 0;
    for (Object block : body.getJsonArray("content", new JsonArray())) {
      searches += block instanceof JsonObject b && billedSearch(b) ? 1 : 0;
    }
    return new ChatResult(body, Usage.NONE.withWebSearchCalls(searches));
  }

  /**
   * A {@code web_search_tool_result} block with results: a search that ran, which Anthropic bills
   * (a failed search, whose content is an error object such as {@code max_uses_exceeded}, is not).
   */
  static boolean billedSearch(JsonObject block) {
    return "web_search_tool_result".equals(block.getValue("type")) && block.getValue("content") instanceof JsonArray;
  }

  @Override
  public StreamTranslator messagesStream(String requestedModel) {
    return new MessagesStream(requestedModel);
  }

  @Override
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    StringBuilder text = new StringBuilder();
    JsonArray toolCalls = new JsonArray();
    JsonArray content = upstreamBody.getJsonArray("content", new JsonArray());
    for (int i = 0; i < content.size(); i++) {
      JsonObject block = content.getJsonObject(i);
      switch (block.getString("type", "")) {
        case "text" -> text.append(block.getString("text", ""));
        case "tool_use" ->
            toolCalls.add(
                OpenAiWire.toolCall(
                    block.getString("id"),
                    block.getString("name"),
                    block.getJsonObject("input", new JsonObject())));
        default -> {
          // thinking / redacted_thinking and server-tool blocks have no OpenAI counterpart
        }
      }
    }
    JsonObject message = OpenAiWire.assistantMessage(text.toString(), toolCalls);
    JsonObject rawUsage = upstreamBody.getJsonObject("usage", new JsonObject());
    Usage usage = usageOf(rawUsage, true);
    JsonObject openAi =
        OpenAiWire.completion(
            requestedModel,
            message,
            finishReason(upstreamBody.getString("stop_reason")),
            OpenAiWire.usage(usage, 0));
    return new ChatResult(openAi, usage);
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return new AnthropicStream(requestedModel);
  }

  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    JsonObject error = OpenAiWire.errorObject(body);
    String message = error == null ? null : error.getString("message");
    return classify(status, message, OpenAiWire.retryAfterMs(retryAfterHeader));
  }

  static UpstreamError classify(int status, String message, long retryAfterMs) {
    String text = message == null ? OpenAiWire.fallbackMessage(status) : message;
    UpstreamError.Kind kind = OpenAiWire.kindForStatus(status);
    String lower = text.toLowerCase(Locale.ROOT);
    // Anthropic reports an oversized prompt as a plain 400 invalid_request_error.
    if (status == 400
        && (lower.contains("prompt is too long") || lower.contains("exceed context limit"))) {
      kind = UpstreamError.Kind.CONTEXT_LENGTH;
    }
    return new UpstreamError(status, kind, text, retryAfterMs);
  }

  /** The error of a stream's {@code error} event ({@code {"type":"error","error":{type, message}}}). */
  static UpstreamError streamError(JsonObject data) {
    JsonObject err = data.getJsonObject("error", new JsonObject());
    return classify(statusOfType(err.getString("type")), err.getString("message"), -1);
  }

  /**
   * The HTTP status Anthropic uses for an error {@code type} (stream error events carry no status).
   */
  static int statusOfType(String type) {
    return switch (type == null ? "" : type) {
      case "invalid_request_error" -> 400;
      case "authentication_error" -> 401;
      case "billing_error" -> 402;
      case "permission_error" -> 403;
      case "not_found_error" -> 404;
      case "request_too_large" -> 413;
      case "rate_limit_error" -> 429;
      case "timeout_error" -> 504;
      case "overloaded_error" -> 529;
      default -> 500;
    };
  }

  /**
   * OpenAI usage from Anthropic's: prompt tokens include cache writes and cache reads, which
   * Anthropic reports apart from {@code input_tokens} and prices differently. The writes split by
   * lifetime in {@code cache_creation} ({@code ephemeral_5m_input_tokens}, {@code
   * ephemeral_1h_input_tokens}); the 1-hour ones cost more, so they are kept apart. Web searches
   * the server tool ran are in {@code server_tool_use.web_search_requests}, billed per search.
   */
  static Usage usageOf(JsonObject u, boolean reported) {
    long read = count(u, "cache_read_input_tokens");
    long write = count(u, "cache_creation_input_tokens");
    long writeLong = u.getValue("cache_creation") instanceof JsonObject c ? count(c, "ephemeral_1h_input_tokens") : 0L;
    long input = count(u, "input_tokens") + write + read;
    long searches = u.getValue("server_tool_use") instanceof JsonObject s ? count(s, "web_search_requests") : 0L;
    return new Usage(input, read, write, writeLong, count(u, "output_tokens"), reported, reported, searches);
  }

  /** A usage count; Anthropic sends null for counts that do not apply. */
  private static long count(JsonObject u, String field) {
    return u.getValue(field) instanceof Number n ? n.longValue() : 0L;
  }

  static String finishReason(String stopReason) {
    if (stopReason == null) {
      return "stop";
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop"; // end_turn, stop_sequence, pause_turn
    };
  }
}
