package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: OpenAI's {@code /moderations}. Its answer is
 * OpenAI's own shape with no usage, so only the request is the adapter's: the gateway passes the
 * answer on under the requested model's name and bills the input it counted.
 */
public interface ModerationsAdapter {

  /** The upstream request for an OpenAI {@code /v1/moderations} body. */
  UpstreamRequest moderationsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody);
}
