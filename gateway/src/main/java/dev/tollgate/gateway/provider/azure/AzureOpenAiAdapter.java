package dev.tollgate.gateway.provider.azure;

import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azure OpenAI chat completions (type {@code azure-openai}). The wire format is OpenAI's; what
 * differs is the deployment URL with {@code api-version}, the {@code api-key} header, Azure's
 * content-filter annotations (removed from answers) and its error bodies.
 *
 * <p>{@code apiVersion} {@code v1} selects Azure's version-less v1 API ({@code
 * /openai/v1/chat/completions}, model in the body) instead of a deployment URL.
 */
public final class AzureOpenAiAdapter implements ProviderAdapter {

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
    String version = endpoint.apiVersion() == null ? DEFAULT_API_VERSION : endpoint.apiVersion();
    String base = OpenAiWire.stripSlash(endpoint.baseUrl());
    if (base.endsWith("/openai")) {
      base = base.substring(0, base.length() - "/openai".length());
    }
    JsonObject body = openAiBody.copy();
    String url;
    if ("v1".equals(version)) {
      url = base + "/openai/v1/chat/completions";
      body.put("model", upstreamModel);
    } else {
      url =
          base
              + "/openai/deployments/"
              + OpenAiWire.pathSegment(upstreamModel)
              + "/chat/completions?api-version="
              + URLEncoder.encode(version, StandardCharsets.UTF_8);
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
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    JsonObject body = upstreamBody.copy();
    body.put("model", requestedModel);
    body.remove("prompt_filter_results");
    JsonArray choices = body.getJsonArray("choices", new JsonArray());
    for (int i = 0; i < choices.size(); i++) {
      stripFilterResults(choices.getJsonObject(i));
    }
    JsonObject usage = body.getJsonObject("usage");
    return new ChatResult(body, usage == null ? Usage.NONE : usageOf(usage));
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return new AzureStream(requestedModel);
  }

  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    JsonObject error = OpenAiWire.errorObject(body);
    Object codeValue = error == null ? null : error.getValue("code");
    String code = codeValue == null ? null : codeValue.toString();
    String message = error == null ? null : error.getString("message");
    if (message == null) {
      message = OpenAiWire.fallbackMessage(status);
    }
    UpstreamError.Kind kind = OpenAiWire.kindForStatus(status);
    if (status == 400 && "context_length_exceeded".equals(code)) {
      kind = UpstreamError.Kind.CONTEXT_LENGTH;
    } else if ("content_filter".equals(code)) {
      // The prompt tripped Azure's filter: a client problem; the message says so.
      kind = UpstreamError.Kind.CLIENT_ERROR;
      message = "content_filter: " + message;
    }
    long retryAfter = OpenAiWire.retryAfterMs(retryAfterHeader);
    if (retryAfter < 0 && status == 429) {
      Matcher m = RETRY_AFTER_IN_MESSAGE.matcher(message);
      if (m.find()) {
        retryAfter = Long.parseLong(m.group(1)) * 1000;
      }
    }
    return new UpstreamError(status, kind, message, retryAfter);
  }

  static Usage usageOf(JsonObject usage) {
    return new Usage(
        usage.getLong("prompt_tokens", 0L), usage.getLong("completion_tokens", 0L), true);
  }

  private static void stripFilterResults(JsonObject choice) {
    choice.remove("content_filter_results");
    choice.remove("content_filter_offsets");
  }

  /** OpenAI-shaped chunks, minus Azure's filter-only chunks and annotations. */
  private static final class AzureStream extends TranslatedStream {
    private final String model;
    private Usage usage = Usage.NONE;

    AzureStream(String model) {
      super(model);
      this.model = model;
    }

    @Override
    public List<String> onEvent(SseEvent event) {
      String data = event.data().trim();
      if ("[DONE]".equals(data)) {
        finished = true;
        return List.of();
      }
      JsonObject chunk = OpenAiWire.parseObjectOrNull(data);
      if (chunk == null) {
        return List.of();
      }
      JsonObject err = chunk.getJsonObject("error");
      if (err != null) {
        String message = err.getString("message", "upstream stream error");
        error = new UpstreamError(500, UpstreamError.Kind.SERVER_ERROR, message, -1);
        return List.of();
      }
      chunk.remove("prompt_filter_results");
      chunk.put("model", model);
      JsonArray kept = new JsonArray();
      JsonArray choices = chunk.getJsonArray("choices", new JsonArray());
      for (int i = 0; i < choices.size(); i++) {
        JsonObject choice = choices.getJsonObject(i);
        stripFilterResults(choice);
        JsonObject delta = choice.getJsonObject("delta", new JsonObject());
        if (delta.isEmpty() && choice.getValue("finish_reason") == null) {
          continue; // Azure sends filter verdicts as chunks without content
        }
        collectOutput(delta);
        kept.add(choice);
      }
      chunk.put("choices", kept);
      JsonObject u = chunk.getJsonObject("usage");
      if (u != null) {
        usage = usageOf(u);
      }
      if (kept.isEmpty() && u == null) {
        return List.of();
      }
      List<String> out = new ArrayList<>(1);
      out.add(chunk.encode());
      return out;
    }

    private void collectOutput(JsonObject delta) {
      chunks.countOutput(delta.getString("content"));
      JsonArray calls = delta.getJsonArray("tool_calls");
      if (calls != null) {
        for (int i = 0; i < calls.size(); i++) {
          JsonObject fn = calls.getJsonObject(i).getJsonObject("function", new JsonObject());
          chunks.countOutput(fn.getString("name", "") + fn.getString("arguments", ""));
        }
      }
    }

    @Override
    public Usage usage() {
      return usage;
    }
  }
}
