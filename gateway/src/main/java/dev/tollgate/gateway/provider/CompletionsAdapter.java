package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;

/**
 * Optional capability of a {@link ProviderAdapter}: OpenAI's legacy text completions ({@code POST
 * /v1/completions}, prompt in, text out; code autocomplete and fill-in-the-middle clients) as a
 * governed pass-through. Only providers that serve that API themselves implement it; the route
 * planner leaves the other targets out. Answers and streams are OpenAI-shaped (read with {@link
 * OpenAiWire#chatResult} and {@link OpenAiStream}), their text in {@code choices[].text}.
 */
public interface CompletionsAdapter {

  /**
   * The upstream request for a completions body: the client's body with the target's model name;
   * a stream asks for usage in its last chunk ({@code stream_options.include_usage}) so that it is
   * billed exactly.
   */
  UpstreamRequest completionsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream);
}
