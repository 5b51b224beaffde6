package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: OpenAI's Responses API ({@code POST
 * /v1/responses}) as a governed pass-through. Only providers that serve the Responses API
 * themselves implement it; the router skips targets whose adapter does not. Answers and streams
 * are read with {@link ResponsesWire} and {@link ResponsesStream}, the same for every such provider.
 */
public interface ResponsesAdapter {

  /**
   * The upstream request for a Responses API body: the client's body with the target's model name
   * (everything else, {@code previous_response_id} and {@code store} included, passes through).
   */
  UpstreamRequest responsesRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream);

  /**
   * The upstream request (no body; the caller sends it as GET or DELETE) for a response the provider
   * stored: {@code path} is {@code /<id>} or {@code /<id>/input_items}, appended to the provider's
   * {@code /responses}; {@code query} is the client's raw query string ({@code include[]}, {@code
   * limit}, {@code after}, {@code order}...), passed on, or null.
   */
  UpstreamRequest storedResponseRequest(ProviderEndpoint endpoint, String path, String query);
}
