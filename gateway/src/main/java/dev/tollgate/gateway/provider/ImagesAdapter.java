package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: OpenAI's images API ({@code POST
 * /v1/images/generations}, prompt in, images out) as a governed pass-through. Only providers that
 * serve that API themselves implement it; the route planner leaves the other targets out. Answers
 * are OpenAI-shaped and read with {@link ImagesWire#result}.
 */
public interface ImagesAdapter {

  /** The upstream request for an images body: the client's body with the target's model name. */
  UpstreamRequest imagesRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body);
}
