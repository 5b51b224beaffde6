package dev.tollgate.gateway.provider.vertex;

import dev.tollgate.gateway.provider.AccessTokenAuth;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.gemini.GeminiAdapter;
import dev.tollgate.gateway.provider.gemini.GeminiRequests;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Google Vertex AI (type {@code vertex-ai}): Gemini models in a Google Cloud project, {@code
 * {baseUrl}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent}
 * and {@code :streamGenerateContent?alt=sse}. Bodies, answers, streams and errors are the Gemini
 * API's, so the translation is {@link GeminiAdapter}'s; what differs is the URL and the credential:
 * an OAuth2 access token minted from the provider's service-account key ({@link AccessTokenAuth}),
 * sent as {@code Authorization: Bearer}.
 */
public final class VertexAiAdapter implements ProviderAdapter, AccessTokenAuth {

  /** Vertex AI accepts tokens with the Cloud Platform scope. */
  public static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  private final GeminiAdapter gemini = new GeminiAdapter();

  @Override
  public Set<String> types() {
    return Set.of("vertex-ai");
  }

  @Override
  public String oauthScope() {
    return SCOPE;
  }

  @Override
  public UpstreamRequest chatRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream) {
    String url =
        modelUrl(endpoint, "google", upstreamModel)
            + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    return new UpstreamRequest(
        url,
        OpenAiWire.jsonHeaders(endpoint, stream, "authorization", "Bearer "),
        GeminiRequests.generateContentBody(openAiBody).encode(),
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
        + OpenAiWire.pathSegment(model);
  }

  @Override
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    return gemini.chatResponse(upstreamBody, requestedModel);
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return gemini.streamTranslator(requestedModel);
  }

  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    // Vertex answers a missing, expired or revoked token with 401 UNAUTHENTICATED: like every 401,
    // the target's credential is at fault, not the client's request (SERVER_ERROR, ADR 0030)
    return gemini.classifyError(status, body, retryAfterHeader);
  }
}
