package dev.tollgate.gateway.provider.azure;

import dev.tollgate.gateway.http.MultipartForm;
import dev.tollgate.gateway.provider.AudioAdapter;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.CompletionsAdapter;
import dev.tollgate.gateway.provider.ImagesAdapter;
import dev.tollgate.gateway.provider.OpenAiStream;
import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.PassThroughAnswer;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.ResponsesAdapter;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azure OpenAI chat completions (type {@code azure-openai}). The wire format is OpenAI's; what
 * differs is the deployment URL with {@code api-version}, the {@code api-key} header, Azure's
 * content-filter annotations (removed from answers) and its error bodies.
 *
 * <p>{@code apiVersion} {@code v1} selects Azure's version-less v1 API ({@code
 * /openai/v1/chat/completions}, model in the body) instead of a deployment URL. Legacy completions
 * go the same way, to {@code completions} instead of {@code chat/completions}, and image generations
 * to {@code images/generations} (never streamed); speech to {@code audio/speech}, and audio uploads
 * to {@code audio/transcriptions} and {@code audio/translations} as received, with the deployment
 * name in their {@code model} field (ADR 0054).
 *
 * <p>The Responses API has no deployment URL on Azure: it is {@code /openai/v1/responses} (for
 * {@code apiVersion} {@code v1}, or none set) or {@code /openai/responses?api-version=...} (a dated
 * preview version), the deployment name always in the body's {@code model}.
 */
public final class AzureOpenAiAdapter implements ProviderAdapter, ResponsesAdapter, CompletionsAdapter, ImagesAdapter,
    AudioAdapter {

  /** Latest GA data-plane inference version with {@code stream_options.include_usage}. */
  public static final String DEFAULT_API_VERSION = "2024-10-21";

  private static final Pattern RETRY_AFTER_IN_MESSAGE =
      Pattern.compile("retry after (\\d+) second", Pattern.CASE_INSENSITIVE);

  @Override
  public Set<String> types() {
    return Set.of("azure-openai");
  }

  @Override
  public UpstreamRequest chatRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream) {
    return deploymentRequest(endpoint, "chat/completions", upstreamModel, openAiBody, stream);
  }

  @Override
  public UpstreamRequest completionsRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream) {
    return deploymentRequest(endpoint, "completions", upstreamModel, body, stream);
  }

  @Override
  public UpstreamRequest imagesRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body) {
    return deploymentRequest(endpoint, "images/generations", upstreamModel, body, false);
  }

  @Override
  public UpstreamRequest speechRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body) {
    UpstreamRequest json = deploymentRequest(endpoint, "audio/speech", upstreamModel, body, false);
    return new UpstreamRequest(json.url(), AudioAdapter.audioHeaders(json.headers(), null), json.body(), false);
  }

  @Override
  public UpstreamRequest uploadRequest(ProviderEndpoint endpoint, String operation, String upstreamModel, MultipartForm form) {
    return UpstreamRequest.upload(operationUrl(endpoint, operation, upstreamModel),
        AudioAdapter.audioHeaders(OpenAiWire.jsonHeaders(endpoint, false, "api-key"), form), AudioAdapter.uploadBody(form, upstreamModel));
  }

  /** The URL of {@code operation}: on the deployment, or for {@code v1} the version-less path. */
  private static String operationUrl(ProviderEndpoint endpoint, String operation, String upstreamModel) {
    String version = endpoint.apiVersion() == null ? DEFAULT_API_VERSION : endpoint.apiVersion();
    return "v1".equals(version) ? resourceUrl(endpoint) + "/openai/v1/" + operation
        : resourceUrl(endpoint) + "/openai/deployments/" + OpenAiWire.pathSegment(upstreamModel) + "/" + operation
            + "?api-version=" + URLEncoder.encode(version, StandardCharsets.UTF_8);
  }

  /**
   * A call of {@code operation} on the deployment (or, for {@code v1}, the version-less path with
   * the deployment as the body's model); a stream asks for its usage in the final chunk.
   */
  private static UpstreamRequest deploymentRequest(
      ProviderEndpoint endpoint, String operation, String upstreamModel, JsonObject openAiBody, boolean stream) {
    String url = operationUrl(endpoint, operation, upstreamModel);
    JsonObject body = OpenAiWire.topLevelCopy(openAiBody);
    if ("v1".equals(endpoint.apiVersion())) {
      body.put("model", upstreamModel);
    } else {
      body.remove("model");
    }
    if (stream) {
      JsonObject options = body.getJsonObject("stream_options", new JsonObject()).copy();
      body.put("stream", true).put("stream_options", options.put("include_usage", true));
    } else {
      body.remove("stream");
      body.remove("stream_options");
    }
    return new UpstreamRequest(
        url, OpenAiWire.jsonHeaders(endpoint, stream, "api-key"), body.encode(), stream);
  }

  @Override
  public UpstreamRequest responsesRequest(
      ProviderEndpoint endpoint, String upstreamModel, JsonObject body, boolean stream) {
    String version = endpoint.apiVersion();
    String url =
        version == null || "v1".equals(version)
            ? resourceUrl(endpoint) + "/openai/v1/responses"
            : resourceUrl(endpoint)
                + "/openai/responses?api-version="
                + URLEncoder.encode(version, StandardCharsets.UTF_8);
    JsonObject upstream = OpenAiWire.topLevelCopy(body).put("model", upstreamModel);
    return new UpstreamRequest(
        url, OpenAiWire.jsonHeaders(endpoint, stream, "api-key"), upstream.encode(), stream);
  }

  /** As {@link #responsesRequest}: {@code /openai/v1/responses/...}, or with a dated {@code api-version}. */
  @Override
  public UpstreamRequest storedResponseRequest(ProviderEndpoint endpoint, String path, String query) {
    String version = endpoint.apiVersion();
    boolean v1 = version == null || "v1".equals(version);
    String url = resourceUrl(endpoint) + (v1 ? "/openai/v1/responses" : "/openai/responses") + path;
    String params = v1 ? "" : "api-version=" + URLEncoder.encode(version, StandardCharsets.UTF_8);
    if (query != null && !query.isEmpty()) {
      params = params.isEmpty() ? query : params + "&" + query;
    }
    return new UpstreamRequest(
        params.isEmpty() ? url : url + "?" + params, OpenAiWire.jsonHeaders(endpoint, false, "api-key"), null, false);
  }

  /** The resource's URL without a trailing {@code /openai}, which some configurations include. */
  private static String resourceUrl(ProviderEndpoint endpoint) {
    String base = OpenAiWire.stripSlash(endpoint.baseUrl());
    return base.endsWith("/openai") ? base.substring(0, base.length() - "/openai".length()) : base;
  }

  @Override
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    return OpenAiWire.chatResult(upstreamBody, requestedModel);
  }

  @Override
  public PassThroughAnswer chatResponsePassThrough(Buffer upstreamBody, String requestedModel) {
    return PassThroughAnswer.of(upstreamBody, requestedModel);
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return new OpenAiStream(requestedModel);
  }

  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    UpstreamError e = OpenAiWire.classifyOpenAiError(status, body, retryAfterHeader);
    UpstreamError.Kind kind = e.kind();
    String message = e.message();
    if ("content_filter".equals(OpenAiWire.errorCode(body))) {
      // The prompt tripped Azure's filter: a client problem; the message says so.
      kind = UpstreamError.Kind.CLIENT_ERROR;
      message = "content_filter: " + message;
    }
    long retryAfter = e.retryAfterMs();
    if (retryAfter < 0 && status == 429) {
      Matcher m = RETRY_AFTER_IN_MESSAGE.matcher(message);
      if (m.find()) {
        retryAfter = Long.parseLong(m.group(1)) * 1000;
      }
    }
    return new UpstreamError(status, kind, message, retryAfter);
  }
}
