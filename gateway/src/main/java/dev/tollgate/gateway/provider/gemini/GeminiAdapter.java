package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.EmbeddingsAdapter;
import dev.tollgate.gateway.provider.GenerateContentAdapter;
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
import java.util.Objects;
import java.util.Set;

/**
 * Google Gemini API (type {@code gemini}): OpenAI chat completions to {@code generateContent} /
 * {@code streamGenerateContent?alt=sse} and back; and the Gemini API itself passed through for
 * clients that speak it (ADR 0051); OpenAI embeddings to {@code batchEmbedContents}. See
 * docs/providers.md for what is and is not translated.
 */
public final class GeminiAdapter implements ProviderAdapter, GenerateContentAdapter, EmbeddingsAdapter {

  @Override
  public Set<String> types() {
    return Set.of("gemini");
  }

  @Override
  public UpstreamRequest chatRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream) {
    JsonObject body = GeminiRequests.generateContentBody(openAiBody);
    Method method = stream ? Method.STREAM_GENERATE_CONTENT : Method.GENERATE_CONTENT;
    return request(modelUrl(endpoint, upstreamModel), OpenAiWire.jsonHeaders(endpoint, stream, "x-goog-api-key"),
        body, method);
  }

  @Override
  public UpstreamRequest generateContentRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject body, Method method) {
    JsonObject upstream = OpenAiWire.topLevelCopy(body);
    // a token count of a whole request names its model inside: the target's, as the URL's
    if (upstream.getValue("generateContentRequest") instanceof JsonObject inner && inner.containsKey("model")) {
      upstream.put("generateContentRequest", inner.copy().put("model", "models/" + bareModel(upstreamModel)));
    }
    boolean stream = method == Method.STREAM_GENERATE_CONTENT;
    return request(modelUrl(endpoint, upstreamModel), OpenAiWire.jsonHeaders(endpoint, stream, "x-goog-api-key"),
        upstream, method);
  }

  @Override
  public UpstreamRequest embeddingsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody) {
    JsonObject body = GeminiEmbeddings.request(bareModel(upstreamModel), openAiBody);
    return new UpstreamRequest(modelUrl(endpoint, upstreamModel) + ":batchEmbedContents",
        OpenAiWire.jsonHeaders(endpoint, false, "x-goog-api-key"), body.encode(), false);
  }

  @Override
  public ChatResult embeddingsResponse(JsonObject upstreamBody, String requestedModel, JsonObject openAiBody) {
    return GeminiEmbeddings.response(upstreamBody, requestedModel, openAiBody);
  }

  /** A POST of {@code body} to {@code method} of the model at {@code modelUrl}; a stream as server-sent events. */
  public static UpstreamRequest request(String modelUrl, Map<String, String> headers, JsonObject body, Method method) {
    boolean stream = method == Method.STREAM_GENERATE_CONTENT;
    return new UpstreamRequest(modelUrl + ":" + method.rpc() + (stream ? "?alt=sse" : ""), headers, body.encode(), stream);
  }

  /** {@code {baseUrl}/v1beta/models/{model}} ({@code /v1} or {@code /v1beta} kept when the base URL ends in it). */
  private static String modelUrl(ProviderEndpoint endpoint, String upstreamModel) {
    String base = OpenAiWire.stripSlash(endpoint.baseUrl());
    if (!base.endsWith("/v1beta") && !base.endsWith("/v1")) {
      base = base + "/v1beta";
    }
    return base + "/models/" + OpenAiWire.pathSegment(bareModel(upstreamModel));
  }

  private static String bareModel(String model) {
    return model.startsWith("models/") ? model.substring(7) : model;
  }

  @Override
  public ChatResult generateContentResponse(JsonObject upstreamBody, String requestedModel) {
    JsonObject body = OpenAiWire.topLevelCopy(upstreamBody);
    if (body.containsKey("modelVersion")) {
      body.put("modelVersion", requestedModel); // the name the client asked for, as on every endpoint
    }
    return new ChatResult(body, body.getValue("usageMetadata") instanceof JsonObject m ? usageOf(m, true) : Usage.NONE);
  }

  @Override
  public StreamTranslator generateContentStream(String requestedModel) {
    return new GenerateContentStream(requestedModel);
  }

  /**
   * The text a {@code GenerateContentResponse} produced, to count when it carries no usage: every
   * candidate's text parts, thought summaries included (thinking is billed as output), and its
   * function calls.
   */
  public static String outputText(JsonObject response) {
    StringBuilder out = new StringBuilder();
    JsonArray candidates = response.getValue("candidates") instanceof JsonArray c ? c : new JsonArray();
    for (Object c : candidates) {
      if (c instanceof JsonObject candidate) {
        for (Object p : partsOf(candidate)) {
          if (p instanceof JsonObject part) {
            out.append(part.getValue("text") instanceof String t ? t : "");
            out.append(part.getValue("functionCall") instanceof JsonObject call ? call.encode() : "");
          }
        }
      }
    }
    return out.toString();
  }

  @Override
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    StringBuilder text = new StringBuilder();
    JsonArray toolCalls = new JsonArray();
    JsonObject candidate = firstCandidate(upstreamBody);
    JsonArray parts = partsOf(candidate);
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      JsonObject call = part.getJsonObject("functionCall");
      if (call != null) {
        toolCalls.add(
            OpenAiWire.toolCall(
                GeminiToolIds.toOpenAi(call.getString("id"), part.getString("thoughtSignature")),
                call.getString("name"),
                call.getJsonObject("args", new JsonObject())));
      } else if (isAnswerText(part)) {
        text.append(part.getString("text"));
      }
    }
    JsonObject message = OpenAiWire.assistantMessage(text.toString(), toolCalls);
    JsonObject metadata = upstreamBody.getJsonObject("usageMetadata", new JsonObject());
    Usage usage = usageOf(metadata, true);
    JsonObject openAi =
        OpenAiWire.completion(
            requestedModel,
            message,
            Objects.requireNonNullElse(
                finishReason(upstreamBody, candidate, !toolCalls.isEmpty()), "stop"),
            usageJson(usage, metadata));
    return new ChatResult(openAi, usage);
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return new GeminiStream(requestedModel);
  }

  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    JsonObject error = OpenAiWire.errorObject(body);
    return classify(status, error, OpenAiWire.retryAfterMs(retryAfterHeader));
  }

  /**
   * Classifies a Google API error object ({@code code}, {@code status}, {@code message}, {@code
   * details}).
   */
  static UpstreamError classify(int status, JsonObject error, long retryAfterMs) {
    JsonObject e = error == null ? new JsonObject() : error;
    String message = e.getString("message", OpenAiWire.fallbackMessage(status));
    String grpcStatus = e.getString("status", "");
    JsonArray details = e.getJsonArray("details", new JsonArray());
    UpstreamError.Kind kind = OpenAiWire.kindForStatus(status);
    String lower = message.toLowerCase(Locale.ROOT);
    if (status == 400) {
      if (lower.contains("token count") && lower.contains("exceeds the maximum")) {
        kind = UpstreamError.Kind.CONTEXT_LENGTH;
      } else if ("API_KEY_INVALID".equals(detail(details, "ErrorInfo", "reason"))
          || "FAILED_PRECONDITION".equals(grpcStatus)) {
        // Google answers a bad key (and an unusable project or region) with 400: the target is
        // misconfigured, not the client's request.
        kind = UpstreamError.Kind.SERVER_ERROR;
      }
    }
    long retry = retryAfterMs;
    String delay = detail(details, "RetryInfo", "retryDelay");
    if (retry < 0 && delay != null && delay.endsWith("s")) {
      retry = OpenAiWire.retryAfterMs(delay.substring(0, delay.length() - 1));
    }
    return new UpstreamError(status, kind, message, retry);
  }

  private static String detail(JsonArray details, String typeSuffix, String field) {
    for (int i = 0; i < details.size(); i++) {
      Object d = details.getValue(i);
      if (d instanceof JsonObject o && o.getString("@type", "").endsWith("." + typeSuffix)) {
        Object v = o.getValue(field);
        return v == null ? null : v.toString();
      }
    }
    return null;
  }

  /** The parts of a candidate's content (none for a missing candidate). */
  static JsonArray partsOf(JsonObject candidate) {
    return candidate == null
        ? new JsonArray()
        : candidate
            .getJsonObject("content", new JsonObject())
            .getJsonArray("parts", new JsonArray());
  }

  /** A text part that belongs to the answer (thought summaries do not). */
  static boolean isAnswerText(JsonObject part) {
    return part.getString("text") != null && !Boolean.TRUE.equals(part.getBoolean("thought"));
  }

  static JsonObject firstCandidate(JsonObject response) {
    JsonArray candidates = response.getJsonArray("candidates");
    return candidates == null || candidates.isEmpty() ? null : candidates.getJsonObject(0);
  }

  /**
   * OpenAI usage from {@code usageMetadata}: thinking tokens are billed as output, so they count as
   * completion tokens; tool-use prompt tokens count as input; {@code cachedContentTokenCount} (a part
   * of {@code promptTokenCount}, implicit or explicit caching) is cached input.
   */
  static Usage usageOf(JsonObject m, boolean reported) {
    long input = Usage.count(m, "promptTokenCount") + Usage.count(m, "toolUsePromptTokenCount");
    long output = Usage.count(m, "candidatesTokenCount") + Usage.count(m, "thoughtsTokenCount");
    return new Usage(input, Usage.count(m, "cachedContentTokenCount"), 0, output, reported);
  }

  /**
   * A stream's usage from the last {@code usageMetadata} it carried: the provider's final figures
   * once the stream {@code finished}; before that, the prompt side it reported and its running output
   * (candidates plus thinking tokens, which Google bills as output but never streams as text) as the
   * least output billed; NONE if no chunk reported the prompt.
   */
  static Usage streamUsage(JsonObject metadata, boolean finished) {
    if (finished && metadata != null) {
      return usageOf(metadata, true);
    }
    return metadata != null && metadata.getValue("promptTokenCount") instanceof Number
        ? usageOf(metadata, false).partial() : Usage.NONE;
  }

  static JsonObject usageJson(Usage usage, JsonObject metadata) {
    return OpenAiWire.usage(usage, Usage.count(metadata, "thoughtsTokenCount"));
  }

  /** The OpenAI finish reason, or null while the candidate is still open. */
  static String finishReason(JsonObject response, JsonObject candidate, boolean calledTools) {
    String reason = candidate == null ? null : candidate.getString("finishReason");
    if (candidate == null) {
      JsonObject feedback = response.getJsonObject("promptFeedback");
      return feedback != null && feedback.getString("blockReason") != null
          ? "content_filter"
          : "stop";
    }
    if (reason == null || "FINISH_REASON_UNSPECIFIED".equals(reason)) {
      return null;
    }
    return switch (reason) {
      case "MAX_TOKENS" -> "length";
      case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" ->
          "content_filter";
      default ->
          calledTools ? "tool_calls" : "stop"; // STOP, MALFORMED_FUNCTION_CALL, OTHER, LANGUAGE
    };
  }
}
