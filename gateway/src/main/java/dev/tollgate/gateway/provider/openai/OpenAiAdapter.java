package dev.tollgate.gateway.provider.openai;

import dev.tollgate.gateway.http.MultipartForm;
import dev.tollgate.gateway.provider.AudioAdapter;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.CompletionsAdapter;
import dev.tollgate.gateway.provider.EmbeddingsAdapter;
import dev.tollgate.gateway.provider.ImagesAdapter;
import dev.tollgate.gateway.provider.ModerationsAdapter;
import dev.tollgate.gateway.provider.OpenAiStream;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.PassThroughAnswer;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.ResponsesAdapter;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * OpenAI's own wire format, for OpenAI and every OpenAI-compatible server (OpenRouter, Groq, Together,
 * vLLM, Ollama...): the body passes through with the upstream model name; streams ask for usage in
 * the final chunk ({@code stream_options.include_usage}) so that they are billed exactly. The
 * Responses API ({@code /responses}) passes through with the upstream model name; its streams
 * always end with the usage. Legacy completions ({@code /completions}) go as chat does; image
 * generations ({@code /images/generations}), moderations ({@code /moderations}) and speech
 * ({@code /audio/speech}) pass through like embeddings; audio uploads ({@code /audio/transcriptions},
 * {@code /audio/translations}) go as received, with the upstream model name in their {@code model}
 * field (ADR 0054).
 */
public final class OpenAiAdapter implements ProviderAdapter, EmbeddingsAdapter, ResponsesAdapter, CompletionsAdapter,
    ImagesAdapter, ModerationsAdapter, AudioAdapter {

  @Override
  public Set<String> types() {
    return Set.of("openai", "openai-compatible");
  }

  @Override
  public UpstreamRequest chatRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream) {
    return withStreamUsage(endpoint, "/chat/completions", upstreamModel, openAiBody, stream);
  }

  @Override
  public UpstreamRequest completionsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream) {
    return withStreamUsage(endpoint, "/completions", upstreamModel, body, stream);
  }

  /** The body with the upstream model, a stream asking for its usage in the final chunk. */
  private static UpstreamRequest withStreamUsage(
      ProviderEndpoint endpoint, String path, String upstreamModel, JsonObject openAiBody, boolean stream) {
    JsonObject body = OpenAiWire.topLevelCopy(openAiBody).put("model", upstreamModel);
    if (stream) {
      JsonObject opts = body.getValue("stream_options") instanceof JsonObject o ? o.copy() : new JsonObject();
      body.put("stream", true).put("stream_options", opts.put("include_usage", true));
    } else {
      body.remove("stream");
      body.remove("stream_options");
    }
    return new UpstreamRequest(url(endpoint, path), headers(endpoint, stream), body.encode(), stream);
  }

  @Override
  public UpstreamRequest embeddingsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody) {
    return jsonRequest(endpoint, "/embeddings", upstreamModel, openAiBody);
  }

  @Override
  public UpstreamRequest moderationsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody) {
    return jsonRequest(endpoint, "/moderations", upstreamModel, openAiBody);
  }

  @Override
  public UpstreamRequest imagesRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body) {
    return jsonRequest(endpoint, "/images/generations", upstreamModel, body);
  }

  @Override
  public UpstreamRequest speechRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body) {
    JsonObject upstream = OpenAiWire.topLevelCopy(body).put("model", upstreamModel);
    return new UpstreamRequest(url(endpoint, "/audio/speech"), AudioAdapter.audioHeaders(headers(endpoint, false), null),
        upstream.encode(), false);
  }

  @Override
  public UpstreamRequest uploadRequest(ProviderEndpoint endpoint, String operation, String upstreamModel, MultipartForm form) {
    return UpstreamRequest.upload(url(endpoint, "/" + operation), AudioAdapter.audioHeaders(headers(endpoint, false), form),
        AudioAdapter.uploadBody(form, upstreamModel));
  }

  /** A one-answer (never streamed) call of {@code path}: the body with the upstream model. */
  private static UpstreamRequest jsonRequest(ProviderEndpoint endpoint, String path, String upstreamModel, JsonObject openAiBody) {
    JsonObject body = OpenAiWire.topLevelCopy(openAiBody).put("model", upstreamModel);
    return new UpstreamRequest(url(endpoint, path), headers(endpoint, false), body.encode(), false);
  }

  @Override
  public UpstreamRequest responsesRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream) {
    JsonObject upstream = OpenAiWire.topLevelCopy(body).put("model", upstreamModel);
    return new UpstreamRequest(url(endpoint, "/responses"), headers(endpoint, stream), upstream.encode(), stream);
  }

  @Override
  public UpstreamRequest storedResponseRequest(ProviderEndpoint endpoint, String path, String query) {
    String url = url(endpoint, "/responses" + path) + (query == null || query.isEmpty() ? "" : "?" + query);
    return new UpstreamRequest(url, headers(endpoint, false), null, false);
  }

  private static String url(ProviderEndpoint endpoint, String path) {
    return OpenAiWire.stripSlash(endpoint.baseUrl()) + path;
  }

  private static java.util.Map<String, String> headers(ProviderEndpoint endpoint, boolean stream) {
    return OpenAiWire.jsonHeaders(endpoint, stream, "authorization", "Bearer ");
  }

  @Override
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    return OpenAiWire.chatResult(upstreamBody, requestedModel);
  }

  @Override
  public ChatResult embeddingsResponse(JsonObject upstreamBody, String requestedModel, JsonObject openAiBody) {
    JsonObject body = upstreamBody.copy().put("model", requestedModel);
    // no count (no usage, or null figures): NONE, and the gateway bills the input it counted
    Object in = body.getValue("usage") instanceof JsonObject u
        ? u.getValue("prompt_tokens") instanceof Number p ? p : u.getValue("total_tokens") : null;
    return new ChatResult(body, in instanceof Number n ? new Usage(n.longValue(), 0, true) : Usage.NONE);
  }

  @Override
  public PassThroughAnswer chatResponsePassThrough(Buffer upstreamBody, String requestedModel) {
    return PassThroughAnswer.of(upstreamBody, requestedModel);
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return new OpenAiStream(requestedModel);
  }

  /** OpenAI's error envelope; 401/402/403/404 are the target's fault and fall back (ADR 0030). */
  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    return OpenAiWire.classifyOpenAiError(status, body, retryAfterHeader);
  }
}
