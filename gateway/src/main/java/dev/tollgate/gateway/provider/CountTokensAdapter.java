package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: Anthropic's token count ({@code POST
 * /v1/messages/count_tokens}), free at the provider. Only providers that serve it implement it; the
 * route planner leaves the other targets out.
 */
public interface CountTokensAdapter {

  /**
   * The upstream request for a token count: the client's body with the target's model name and
   * credential, and the client's {@code anthropic-version} and {@code anthropic-beta} (null: not
   * sent by the client). Its answer ({@code {"input_tokens": N}}) goes back to the client as it is.
   */
  UpstreamRequest countTokensRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body,
      String anthropicVersion, String anthropicBeta);
}
