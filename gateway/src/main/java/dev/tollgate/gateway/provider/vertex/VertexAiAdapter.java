package dev.tollgate.gateway.provider.vertex;

import dev.tollgate.gateway.provider.AccessTokenAuth;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.EmbeddingsAdapter;
import dev.tollgate.gateway.provider.GenerateContentAdapter;
import dev.tollgate.gateway.provider.MessagesAdapter;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.gateway.provider.anthropic.AnthropicAdapter;
import dev.tollgate.gateway.provider.anthropic.AnthropicRequests;
import dev.tollgate.gateway.provider.gemini.GeminiAdapter;
import dev.tollgate.gateway.provider.gemini.GeminiEmbeddings;
import dev.tollgate.gateway.provider.gemini.GeminiRequests;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Google Vertex AI (type {@code vertex-ai}): models in a Google Cloud project, called as an OAuth2
 * access token minted from the provider's service-account key ({@link AccessTokenAuth}), sent as
 * {@code Authorization: Bearer}.
 *
 * <ul>
 *   <li>Gemini: {@code {baseUrl}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent}
 *       and {@code :streamGenerateContent?alt=sse}, with the Gemini API's bodies, answers, streams and
 *       errors: {@link GeminiAdapter}'s translation. The Gemini API ({@code models/{model}:generateContent},
 *       {@code :streamGenerateContent}, {@code :countTokens}) is passed through to the same methods for
 *       these models only, the client's body as it is (ADR 0051).
 *   <li>Claude (a model named {@code claude-…}, e.g. {@code claude-sonnet-4@20250514}): {@code
 *       …/publishers/anthropic/models/{model}:rawPredict} and {@code :streamRawPredict}, with an
 *       Anthropic Messages body whose version is {@code anthropic_version} {@value #ANTHROPIC_VERSION}
 *       and whose model is the URL's: {@link AnthropicAdapter}'s translation. The Messages API
 *       ({@code POST /v1/messages}) is passed through to the same methods for Claude models only:
 *       the client's body with that version and without {@code model}, its {@code anthropic-beta}
 *       as that header (its {@code anthropic-version} header has no place there).
 * </ul>
 *
 * Answers, streams and errors are told apart by their shape, since only the request knows the model.
 */
public final class VertexAiAdapter implements ProviderAdapter, MessagesAdapter, GenerateContentAdapter, EmbeddingsAdapter,
    AccessTokenAuth {

  /** Vertex AI accepts tokens with the Cloud Platform scope. */
  public static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  /** The Messages API version Vertex AI serves Claude with (in the body, not a header). */
  public static final String ANTHROPIC_VERSION = "vertex-2023-10-16";

  private final GeminiAdapter gemini = new GeminiAdapter();
  private final AnthropicAdapter claude = new AnthropicAdapter();

  @Override
  public Set<String> types() {
    return Set.of("vertex-ai");
  }

  @Override
  public String oauthScope() {
    return SCOPE;
  }

  /**
   * Anthropic's models on Vertex AI, called with Messages bodies at rawPredict; every other model is
   * taken for Gemini. The Messages API is served for these models only.
   */
  @Override
  public boolean servesMessages(String upstreamModel) {
    return upstreamModel.startsWith("claude-");
  }

  /** Every model that is not Anthropic's is taken for Gemini. */
  @Override
  public boolean servesGenerateContent(String upstreamModel) {
    return !servesMessages(upstreamModel);
  }

  @Override
  public UpstreamRequest generateContentRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject body, Method method) {
    return GeminiAdapter.request(modelUrl(endpoint, "google", upstreamModel),
        OpenAiWire.jsonHeaders(endpoint, method == Method.STREAM_GENERATE_CONTENT, "authorization", "Bearer "),
        body, method);
  }

  /** Google's embedding models; Claude has none. */
  @Override
  public boolean servesEmbeddings(String upstreamModel) {
    return !servesMessages(upstreamModel);
  }

  /** {@code :predict} with one instance per input string; {@code dimensions} → {@code outputDimensionality}. */
  @Override
  public UpstreamRequest embeddingsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody) {
    JsonArray instances = new JsonArray();
    for (String text : GeminiEmbeddings.texts(openAiBody)) {
      instances.add(new JsonObject().put("content", text));
    }
    JsonObject body = new JsonObject().put("instances", instances);
    Long dimensions = GeminiEmbeddings.dimensions(openAiBody);
    if (dimensions != null) {
      body.put("parameters", new JsonObject().put("outputDimensionality", dimensions));
    }
    return new UpstreamRequest(modelUrl(endpoint, "google", upstreamModel) + ":predict",
        OpenAiWire.jsonHeaders(endpoint, false, "authorization", "Bearer "), body.encode(), false);
  }

  /**
   * {@code predictions[i].embeddings.values} → OpenAI's list; the input tokens are the sum of every
   * prediction's {@code statistics.token_count} (NONE if one lacks it: the gateway bills its count).
   */
  @Override
  public ChatResult embeddingsResponse(JsonObject upstreamBody, String requestedModel, JsonObject openAiBody) {
    JsonArray predictions = upstreamBody.getJsonArray("predictions");
    if (predictions == null) {
      throw new IllegalArgumentException("no predictions in the answer");
    }
    List<JsonArray> vectors = new ArrayList<>(predictions.size());
    long tokens = 0;
    boolean counted = true;
    for (int i = 0; i < predictions.size(); i++) {
      JsonObject embeddings = predictions.getJsonObject(i).getJsonObject("embeddings", new JsonObject());
      vectors.add(embeddings.getJsonArray("values"));
      Object count = embeddings.getJsonObject("statistics", new JsonObject()).getValue("token_count");
      counted &= count instanceof Number;
      tokens += count instanceof Number n ? n.longValue() : 0;
    }
    JsonObject body = GeminiEmbeddings.list(vectors, requestedModel, openAiBody);
    if (!counted || tokens <= 0) {
      return new ChatResult(body, Usage.NONE);
    }
    body.put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens));
    return new ChatResult(body, new Usage(tokens, 0, true));
  }

  @Override
  public ChatResult generateContentResponse(JsonObject upstreamBody, String requestedModel) {
    return gemini.generateContentResponse(upstreamBody, requestedModel);
  }

  @Override
  public StreamTranslator generateContentStream(String requestedModel) {
    return gemini.generateContentStream(requestedModel);
  }

  @Override
  public UpstreamRequest chatRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream) {
    if (servesMessages(upstreamModel)) {
      JsonObject body =
          AnthropicRequests.messagesBody(openAiBody, upstreamModel, AnthropicAdapter.DEFAULT_MAX_TOKENS);
      if (stream) {
        body.put("stream", true);
      }
      return claudeRequest(endpoint, upstreamModel, body, stream, null);
    }
    return generateContentRequest(endpoint, upstreamModel, GeminiRequests.generateContentBody(openAiBody),
        stream ? Method.STREAM_GENERATE_CONTENT : Method.GENERATE_CONTENT);
  }

  @Override
  public UpstreamRequest messagesRequest(
      ProviderEndpoint endpoint,
      String upstreamModel,
      JsonObject body,
      boolean stream,
      String anthropicVersion,
      String anthropicBeta) {
    return claudeRequest(endpoint, upstreamModel, OpenAiWire.topLevelCopy(body), stream, anthropicBeta);
  }

  /**
   * A Messages body to Claude's rawPredict or streamRawPredict: the model is the URL's, the version
   * is Vertex AI's, in the body; a client's {@code anthropic-beta} joins the provider's own.
   */
  private static UpstreamRequest claudeRequest(
      ProviderEndpoint endpoint, String model, JsonObject body, boolean stream, String beta) {
    body.remove("model");
    body.put("anthropic_version", ANTHROPIC_VERSION);
    Map<String, String> headers = OpenAiWire.jsonHeaders(endpoint, stream, "authorization", "Bearer ");
    if (beta != null) {
      headers.merge("anthropic-beta", beta, (own, client) -> own + "," + client);
    }
    return new UpstreamRequest(
        modelUrl(endpoint, "anthropic", model) + (stream ? ":streamRawPredict" : ":rawPredict"),
        headers,
        body.encode(),
        stream);
  }

  /**
   * {@code {baseUrl}/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}};
   * a {@code baseUrl} that already ends in a version ({@code /v1}, {@code /v1beta1}) keeps it.
   */
  static String modelUrl(ProviderEndpoint endpoint, String publisher, String model) {
    if (endpoint.project() == null || endpoint.location() == null) {
      // the operator never projects a vertex-ai provider without them
      throw new IllegalStateException(
          "vertex-ai provider " + endpoint.name() + " has no project or location");
    }
    String base = OpenAiWire.stripSlash(endpoint.baseUrl());
    if (!base.endsWith("/v1") && !base.endsWith("/v1beta1")) {
      base = base + "/v1";
    }
    return base
        + "/projects/"
        + OpenAiWire.pathSegment(endpoint.project())
        + "/locations/"
        + OpenAiWire.pathSegment(endpoint.location())
        + "/publishers/"
        + publisher
        + "/models/"
        // '@' is legal in a path and is how Vertex AI pins a Claude version (claude-…@20250514)
        + OpenAiWire.pathSegment(model).replace("%40", "@");
  }

  @Override
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    // a Messages answer is {"type":"message",...}; a GenerateContentResponse has no type
    return "message".equals(upstreamBody.getValue("type"))
        ? claude.chatResponse(upstreamBody, requestedModel)
        : gemini.chatResponse(upstreamBody, requestedModel);
  }

  @Override
  public ChatResult messagesResponse(JsonObject upstreamBody, String requestedModel) {
    return claude.messagesResponse(upstreamBody, requestedModel);
  }

  @Override
  public StreamTranslator messagesStream(String requestedModel) {
    return claude.messagesStream(requestedModel);
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return new VertexStream(requestedModel, gemini, claude);
  }

  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    // Claude's own errors are Anthropic's {"type":"error",...}; Vertex AI's (a missing, expired or
    // revoked token: 401 UNAUTHENTICATED; quota: 429 RESOURCE_EXHAUSTED) are Google's, for every
    // model. A 401 is the target's credential at fault, not the client's request (ADR 0030).
    JsonObject parsed = OpenAiWire.parseObjectOrNull(body);
    return parsed != null && "error".equals(parsed.getValue("type"))
        ? claude.classifyError(status, body, retryAfterHeader)
        : gemini.classifyError(status, body, retryAfterHeader);
  }
}
