package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: OpenAI-style embeddings. Adapters of providers
 * without an embeddings API simply do not implement it; routing such a model answers 400.
 */
public interface EmbeddingsAdapter {

  /** Whether the target's model is one this adapter embeds with (Vertex AI: Google's models only). */
  default boolean servesEmbeddings(String upstreamModel) {
    return true;
  }

  /** The upstream request for an OpenAI {@code /v1/embeddings} body. */
  UpstreamRequest embeddingsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody);

  /**
   * A 2xx upstream answer as an OpenAI embeddings list with its usage (output tokens are 0; NONE when
   * the provider reports none, and the gateway bills the input it counted); {@code openAiBody} is the
   * client's request (its {@code encoding_format}).
   */
  ChatResult embeddingsResponse(JsonObject upstreamBody, String requestedModel, JsonObject openAiBody);
}
