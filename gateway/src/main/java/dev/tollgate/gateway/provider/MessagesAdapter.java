package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: Anthropic's Messages API ({@code POST
 * /v1/messages}) as a governed pass-through for clients that speak it (Anthropic SDKs, Claude
 * Code). Only providers that serve the Messages API implement it; the route planner leaves the
 * other targets out, and the targets whose model {@link #servesMessages} refuses.
 */
public interface MessagesAdapter {

  /**
   * True if a target of this provider with {@code upstreamModel} serves the Messages API (every
   * model, unless the provider also hosts models that are not Anthropic's). The one place that
   * decides it, asked by the route planner before admission.
   */
  default boolean servesMessages(String upstreamModel) {
    return true;
  }

  /**
   * The upstream request for a Messages API body: the client's body with the target's model name,
   * the target's credential, and the client's {@code anthropic-version} and {@code anthropic-beta}
   * (null: not sent by the client).
   */
  UpstreamRequest messagesRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream,
      String anthropicVersion, String anthropicBeta);

  /** A 2xx {@code message} with the requested model name, and its usage (NONE if absent). */
  ChatResult messagesResponse(JsonObject upstreamBody, String requestedModel);

  /** A fresh translator that passes one upstream Messages stream through unchanged, reading its usage. */
  StreamTranslator messagesStream(String requestedModel);
}
