package dev.tollgate.gateway.provider;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * OpenAI chat-completions shapes shared by every adapter: generated ids, completion and usage
 * objects, request-field readers, OpenAI-shaped answers and errors (OpenAI, OpenAI-compatible and
 * Azure), and the status-to-fallback-kind rules (ADR 0030).
 */
public final class OpenAiWire {

  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private OpenAiWire() {}

  /** A fresh {@code chatcmpl-} id, in OpenAI's style (29 base62 characters). */
  public static String newCompletionId() {
    return "chatcmpl-" + random(29);
  }

  /** A fresh tool call id, in OpenAI's style. */
  public static String newToolCallId() {
    return "call_" + random(24);
  }

  /** Seconds since the epoch, for {@code created}. */
  public static long nowEpochSeconds() {
    return Instant.now().getEpochSecond();
  }

  private static String random(int n) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = BASE62[r.nextInt(BASE62.length)];
    }
    return new String(c);
  }

  /** A {@code chat.completion} with one choice, a fresh id and the current time. */
  public static JsonObject completion(
      String model, JsonObject message, String finishReason, JsonObject usage) {
    return new JsonObject()
        .put("id", newCompletionId())
        .put("object", "chat.completion")
        .put("created", nowEpochSeconds())
        .put("model", model)
        .put(
            "choices",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("index", 0)
                        .put("message", message)
                        .putNull("logprobs")
                        .put("finish_reason", finishReason)))
        .put("usage", usage);
  }

  /**
   * OpenAI's {@code usage} object for a provider's figures: {@code cached_tokens} are the prompt
   * tokens read from the provider's cache (cache writes have no OpenAI field).
   *
   * @param reasoningTokens hidden reasoning tokens (part of the output), or 0
   */
  public static JsonObject usage(Usage u, long reasoningTokens) {
    return new JsonObject()
        .put("prompt_tokens", u.inputTokens())
        .put("completion_tokens", u.outputTokens())
        .put("total_tokens", u.totalTokens())
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", u.cachedInputTokens()))
        .put(
            "completion_tokens_details", new JsonObject().put("reasoning_tokens", reasoningTokens));
  }

  /** An assistant message: {@code content} null when only tool calls came back, as OpenAI does. */
  public static JsonObject assistantMessage(String text, JsonArray toolCalls) {
    JsonObject message = new JsonObject().put("role", "assistant");
    if (text.isEmpty() && !toolCalls.isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", text);
    }
    if (!toolCalls.isEmpty()) {
      message.put("tool_calls", toolCalls);
    }
    return message;
  }

  /** One entry of an assistant message's {@code tool_calls}. */
  public static JsonObject toolCall(String id, String name, JsonObject arguments) {
    return new JsonObject()
        .put("id", id)
        .put("type", "function")
        .put("function", new JsonObject().put("name", name).put("arguments", arguments.encode()));
  }

  /**
   * Request headers for a JSON POST: the provider's extra headers, then content negotiation and the
   * credential (which the extra headers cannot override).
   */
  public static Map<String, String> jsonHeaders(
      ProviderEndpoint endpoint, boolean stream, String credentialHeader) {
    return jsonHeaders(endpoint, stream, credentialHeader, "");
  }

  /**
   * As {@link #jsonHeaders(ProviderEndpoint, boolean, String)}, the credential preceded by {@code
   * prefix} (e.g. {@code "Bearer "}); no credential header when the provider has no credential.
   */
  public static Map<String, String> jsonHeaders(
      ProviderEndpoint endpoint, boolean stream, String credentialHeader, String prefix) {
    Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
    headers.put("content-type", "application/json");
    headers.put("accept", stream ? "text/event-stream" : "application/json");
    if (endpoint.credential() != null && !endpoint.credential().isEmpty()) {
      headers.put(credentialHeader, prefix + endpoint.credential());
    }
    return headers;
  }

  /**
   * A copy of a request body's top level that shares the nested values: adapters that change only
   * top-level fields ({@code model}, {@code stream}, {@code stream_options}) need no deep copy of the
   * messages to leave the client's body, which a fallback reuses, untouched. Nested objects must be
   * copied before they are changed.
   */
  public static JsonObject topLevelCopy(JsonObject body) {
    return new JsonObject(new LinkedHashMap<>(body.getMap()));
  }

  /**
   * OpenAI's {@code usage} object as {@link Usage} (reported by the provider): {@code
   * prompt_tokens_details.cached_tokens} are cache reads, and {@code cache_write_tokens} there
   * (OpenRouter's, for providers that charge cache writes) cache writes, both part of {@code
   * prompt_tokens}.
   */
  public static Usage usageOf(JsonObject usage) {
    for (String count : new String[] {"prompt_tokens", "completion_tokens"}) {
      if (usage.containsKey(count) && !(usage.getValue(count) instanceof Number)) {
        return Usage.NONE; // null or not a number: not reported, the gateway counts instead
      }
    }
    JsonObject details =
        usage.getValue("prompt_tokens_details") instanceof JsonObject d ? d : new JsonObject();
    return new Usage(
        Usage.count(usage, "prompt_tokens"),
        Usage.count(details, "cached_tokens"),
        Usage.count(details, "cache_write_tokens"),
        Usage.count(usage, "completion_tokens"),
        true);
  }

  /**
   * An OpenAI-shaped {@code chat.completion} answer as the client gets it: the requested model name,
   * without Azure's content-filter annotations (other servers never send them).
   */
  public static ChatResult chatResult(JsonObject upstreamBody, String requestedModel) {
    JsonObject body = upstreamBody.copy();
    body.put("model", requestedModel);
    body.remove("prompt_filter_results");
    if (body.getValue("choices") instanceof JsonArray choices) {
      for (int i = 0; i < choices.size(); i++) {
        if (choices.getValue(i) instanceof JsonObject choice) {
          stripFilterResults(choice);
        }
      }
    }
    return new ChatResult(
        body, body.getValue("usage") instanceof JsonObject u ? usageOf(u) : Usage.NONE);
  }

  /** Removes Azure's per-choice content-filter annotations. */
  static void stripFilterResults(JsonObject choice) {
    choice.remove("content_filter_results");
    choice.remove("content_filter_offsets");
  }

  /**
   * Classifies an OpenAI-shaped error answer ({@code {"error":{"message","code"}}}): by status (see
   * {@link #kindForStatus}), and {@code code: context_length_exceeded} as {@code CONTEXT_LENGTH}.
   * The message is the provider's (truncated), or a generic one when the body is not its JSON.
   */
  public static UpstreamError classifyOpenAiError(int status, String body, String retryAfterHeader) {
    JsonObject error = errorObject(body);
    Object codeValue = error == null ? null : error.getValue("code");
    String code = codeValue == null ? null : codeValue.toString();
    String message = error == null ? null : error.getValue("message") instanceof String m ? m : null;
    message = message == null ? fallbackMessage(status) : truncate(message);
    UpstreamError.Kind kind = kindForStatus(status);
    if (status / 100 == 4 && "context_length_exceeded".equals(code)) {
      kind = UpstreamError.Kind.CONTEXT_LENGTH;
    }
    return new UpstreamError(status, kind, message, retryAfterMs(retryAfterHeader));
  }

  /** The {@code code} of an OpenAI-shaped error body, or null. */
  public static String errorCode(String body) {
    JsonObject error = errorObject(body);
    Object code = error == null ? null : error.getValue("code");
    return code == null ? null : code.toString();
  }

  private static final int MAX_MESSAGE = 500;

  /** A provider message cut to a length fit for an error envelope. */
  public static String truncate(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
  }

  /** A base URL without trailing slashes. */
  public static String stripSlash(String url) {
    String u = url;
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }

  /** A URL path segment, percent-encoded (a space is {@code %20} in a path, not {@code +}). */
  public static String pathSegment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A base64 {@code data:} URL's parts. */
  public record DataUrl(String mimeType, String base64) {}

  /** Parses an image {@code data:<mime>;base64,<data>} URL; null when the URL is not a data URL. */
  public static DataUrl dataUrl(String url) {
    if (!url.startsWith("data:")) {
      return null;
    }
    int comma = url.indexOf(',');
    String meta = comma < 0 ? "" : url.substring(5, comma);
    if (!meta.endsWith(";base64")) {
      throw new IllegalArgumentException("image data URLs must be base64-encoded");
    }
    return new DataUrl(
        meta.substring(0, meta.length() - ";base64".length()), url.substring(comma + 1));
  }

  /** The {@code image_url.url} of an image part. */
  public static String imageUrl(JsonObject part) {
    Object imageUrl = part.getValue("image_url");
    String url = imageUrl instanceof JsonObject o ? o.getString("url") : null;
    if (url == null) {
      throw new IllegalArgumentException("image_url parts need an image_url.url");
    }
    return url;
  }

  /**
   * Appends a turn to a provider's turn list ({@code messages} or {@code contents}); a turn with
   * the same role as the last one joins it, since both Anthropic and Gemini want alternating turns
   * and all results of one step's tool calls in a single turn.
   */
  public static void appendTurn(JsonArray turns, String role, String partsKey, JsonArray parts) {
    if (parts.isEmpty()) {
      return;
    }
    if (!turns.isEmpty()) {
      JsonObject last = turns.getJsonObject(turns.size() - 1);
      if (role.equals(last.getString("role"))) {
        last.getJsonArray(partsKey).addAll(parts);
        return;
      }
    }
    turns.add(new JsonObject().put("role", role).put(partsKey, parts));
  }

  /** The text of a message {@code content}: a string, or the text parts of a parts array joined. */
  public static String textOf(Object content) {
    if (content == null) {
      return "";
    }
    if (content instanceof String s) {
      return s;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < parts.size(); i++) {
        JsonObject p = parts.getJsonObject(i);
        if (!"text".equals(p.getString("type"))) {
          throw new IllegalArgumentException("only text content parts are allowed in this message");
        }
        sb.append(p.getString("text", ""));
      }
      return sb.toString();
    }
    throw new IllegalArgumentException("message content must be a string or an array of parts");
  }

  /** {@code stop} (a string or an array) as an array, or null when absent. */
  public static JsonArray stopSequences(JsonObject body) {
    Object stop = body.getValue("stop");
    if (stop == null) {
      return null;
    }
    if (stop instanceof String s) {
      return new JsonArray().add(s);
    }
    if (stop instanceof JsonArray a) {
      return a.isEmpty() ? null : a.copy();
    }
    throw new IllegalArgumentException("stop must be a string or an array of strings");
  }

  /** {@code max_completion_tokens}, else {@code max_tokens}, else null. */
  public static Integer maxTokens(JsonObject body) {
    Integer v = body.getInteger("max_completion_tokens");
    return v != null ? v : body.getInteger("max_tokens");
  }

  /** Rejects {@code n > 1}: providers without multiple candidates would silently return one. */
  public static void requireSingleChoice(JsonObject body, String provider) {
    Integer n = body.getInteger("n");
    if (n != null && n > 1) {
      throw new IllegalArgumentException("n > 1 is not supported by provider type " + provider);
    }
  }

  /**
   * Rejects {@code web_search_options}: a translating provider would drop it and answer without
   * searching, and the search would still be billed (ADR 0047).
   */
  public static void requireNoWebSearch(JsonObject body, String provider) {
    if (body.getValue("web_search_options") != null) {
      throw new IllegalArgumentException("web_search_options is not supported by provider type " + provider);
    }
  }

  /** A tool call's {@code arguments} JSON text as an object ({} when blank). */
  public static JsonObject parseArguments(String arguments) {
    if (arguments == null || arguments.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(arguments);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("tool call arguments must be a JSON object");
    }
  }

  /** Parses a JSON object, or returns null when the text is not one (error bodies may be HTML). */
  public static JsonObject parseObjectOrNull(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      Object v = io.vertx.core.json.Json.decodeValue(text);
      if (v instanceof JsonObject o) {
        return o;
      }
      // Google APIs wrap errors of streaming methods in a one-element array.
      if (v instanceof JsonArray a && a.size() == 1 && a.getValue(0) instanceof JsonObject o) {
        return o;
      }
      return null;
    } catch (DecodeException e) {
      return null;
    }
  }

  /** The {@code error} object of an error body ({@code {"error":{...}}}), or null. */
  public static JsonObject errorObject(String body) {
    JsonObject parsed = parseObjectOrNull(body);
    return parsed != null && parsed.getValue("error") instanceof JsonObject e ? e : null;
  }

  /**
   * A {@code Retry-After} header value in milliseconds: delay-seconds (fractions allowed) or an
   * HTTP-date; -1 when absent or unreadable.
   */
  public static long retryAfterMs(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    String v = header.trim();
    try {
      double seconds = Double.parseDouble(v);
      return seconds < 0 ? -1 : (long) Math.ceil(seconds * 1000);
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, Duration.between(Instant.now(), at.toInstant()).toMillis());
      } catch (DateTimeParseException notDate) {
        return -1;
      }
    }
  }

  /**
   * The fallback kind a non-2xx status means before any provider-specific refinement. 401, 402, 403
   * and 404 are the gateway's problem with this target (credential, billing, model name), not the
   * client's request, so another target may well succeed: they count as server errors.
   */
  public static UpstreamError.Kind kindForStatus(int status) {
    if (status == 429) {
      return UpstreamError.Kind.RATE_LIMITED;
    }
    if (status == 408) {
      return UpstreamError.Kind.TIMEOUT;
    }
    if (status >= 500 || status == 401 || status == 402 || status == 403 || status == 404) {
      return UpstreamError.Kind.SERVER_ERROR;
    }
    return UpstreamError.Kind.CLIENT_ERROR;
  }

  /**
   * The message for an error body the adapter could not read. The body itself is left out: an
   * unknown body may echo the request, and the message is shown to clients.
   */
  public static String fallbackMessage(int status) {
    return "upstream answered HTTP " + status;
  }
}
