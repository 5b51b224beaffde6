package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: Google's Gemini API ({@code
 * models/{model}:generateContent}, {@code :streamGenerateContent}, {@code :countTokens}) as a
 * governed pass-through for clients that speak it (Gemini CLI, the Google GenAI SDKs, ADR 0051).
 * Only providers that host Gemini implement it; the route planner leaves the other targets out,
 * and the targets whose model {@link #servesGenerateContent} refuses.
 */
public interface GenerateContentAdapter {

  /** The methods of a model the gateway passes through. */
  enum Method {
    GENERATE_CONTENT("generateContent"),
    STREAM_GENERATE_CONTENT("streamGenerateContent"),
    COUNT_TOKENS("countTokens");

    private final String rpc;

    Method(String rpc) {
      this.rpc = rpc;
    }

    /** The method's name after the colon in the URL. */
    public String rpc() {
      return rpc;
    }
  }

  /**
   * True if a target of this provider with {@code upstreamModel} serves the Gemini API (every
   * model, unless the provider also hosts models that are not Gemini's). Asked by the route planner
   * before admission.
   */
  default boolean servesGenerateContent(String upstreamModel) {
    return true;
  }

  /**
   * The upstream request for a Gemini API body: the client's body to {@code method} of the target's
   * model, as the target's credential; a stream is asked for as server-sent events ({@code alt=sse}).
   */
  UpstreamRequest generateContentRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body, Method method);

  /** A 2xx {@code GenerateContentResponse} for the client, and its usage (NONE if absent). */
  ChatResult generateContentResponse(JsonObject upstreamBody, String requestedModel);

  /** A fresh translator that passes one upstream {@code streamGenerateContent} stream through, reading its usage. */
  StreamTranslator generateContentStream(String requestedModel);
}
