package dev.tollgate.gateway.provider;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Translates between the OpenAI chat-completions wire format (what clients speak) and one provider's
 * wire format. Pure: no I/O; the routing layer sends the {@link UpstreamRequest} and feeds the answer
 * back. One implementation per provider type ({@code openai}, {@code openai-compatible}, {@code
 * azure-openai}, {@code anthropic}, {@code gemini}).
 */
public interface ProviderAdapter {

  /** The RoutePlan provider {@code type} values this adapter serves. */
  java.util.Set<String> types();

  /**
   * The upstream request for an OpenAI-style chat completion body.
   *
   * @param endpoint the provider's base URL, API version and (opened) credential
   * @param upstreamModel the target's model name at the provider
   * @param openAiBody the client's body (already validated: has {@code model} and {@code messages})
   * @param stream whether to ask the provider for a stream; streaming requests must also ask for
   *     usage in the stream where the provider supports it
   */
  UpstreamRequest chatRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream);

  /**
   * A non-streaming upstream answer (2xx) translated into an OpenAI {@code chat.completion} object,
   * including {@code usage}. {@code requestedModel} is the model name the client asked for.
   */
  ChatResult chatResponse(JsonObject upstreamBody, String requestedModel);

  /**
   * The same answer as {@link #chatResponse} without building a JSON tree, for formats that need no
   * translation ({@link PassThroughAnswer}); null when {@link #chatResponse} must run (the default).
   */
  default PassThroughAnswer chatResponsePassThrough(Buffer upstreamBody, String requestedModel) {
    return null;
  }

  /** A fresh, stateful translator of one upstream SSE stream into OpenAI chunks. */
  StreamTranslator streamTranslator(String requestedModel);

  /** Classifies a non-2xx upstream answer so the router can decide whether to fall back. */
  UpstreamError classifyError(int status, String body, String retryAfterHeader);
}
