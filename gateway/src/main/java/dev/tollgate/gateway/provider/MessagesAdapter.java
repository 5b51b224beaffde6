package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: Anthropic's Messages API ({@code POST
 * /v1/messages}) as a governed pass-through for clients that speak it (Anthropic SDKs, Claude
 * Code). Only providers that serve the Messages API themselves implement it; the route planner
 * leaves the other targets out.
 */
public interface MessagesAdapter {

  /**
   * The upstream request for a Messages API body: the client's body with the target's model name,
   * the target's credential, and the client's {@code anthropic-version} and {@code anthropic-beta}
   * (null: not sent by the client).
   */
  UpstreamRequest messagesRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream,
      String anthropicVersion, String anthropicBeta);

  /**
   * The upstream request for a token count ({@code POST /v1/messages/count_tokens}, free at the
   * provider): the client's body with the target's model name and credential, headers as {@link
   * #messagesRequest}. Its answer ({@code {"input_tokens": N}}) goes back to the client as it is.
   */
  UpstreamRequest countTokensRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body,
      String anthropicVersion, String anthropicBeta);

  /** A 2xx {@code message} with the requested model name, and its usage (NONE if absent). */
  ChatResult messagesResponse(JsonObject upstreamBody, String requestedModel);

  /** A fresh translator that passes one upstream Messages stream through unchanged, reading its usage. */
  StreamTranslator messagesStream(String requestedModel);
}
