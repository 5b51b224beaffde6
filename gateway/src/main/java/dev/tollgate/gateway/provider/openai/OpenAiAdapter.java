package dev.tollgate.gateway.provider.openai;

import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.EmbeddingsAdapter;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI's own wire format, for OpenAI and every OpenAI-compatible server (OpenRouter, Groq, Together,
 * vLLM, Ollama...): the body passes through with the upstream model name; streams ask for usage in
 * the final chunk ({@code stream_options.include_usage}) so that they are billed exactly.
 */
public final class OpenAiAdapter implements ProviderAdapter, EmbeddingsAdapter {

  private static final int MAX_MESSAGE = 500;

  @Override
  public Set<String> types() {
    return Set.of("openai", "openai-compatible");
  }

  @Override
  public UpstreamRequest chatRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody, boolean stream) {
    JsonObject body = openAiBody.copy().put("model", upstreamModel);
    if (stream) {
      JsonObject opts = body.getValue("stream_options") instanceof JsonObject o ? o : new JsonObject();
      body.put("stream", true).put("stream_options", opts.put("include_usage", true));
    } else {
      body.remove("stream");
      body.remove("stream_options");
    }
    return new UpstreamRequest(url(endpoint, "/chat/completions"), headers(endpoint, stream), body.encode(), stream);
  }

  @Override
  public UpstreamRequest embeddingsRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject openAiBody) {
    JsonObject body = openAiBody.copy().put("model", upstreamModel);
    return new UpstreamRequest(url(endpoint, "/embeddings"), headers(endpoint, false), body.encode(), false);
  }

  private static String url(ProviderEndpoint endpoint, String path) {
    String base = endpoint.baseUrl();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
  }

  private static Map<String, String> headers(ProviderEndpoint endpoint, boolean stream) {
    Map<String, String> h = new LinkedHashMap<>(endpoint.headers());
    h.put("content-type", "application/json");
    h.put("accept", stream ? "text/event-stream" : "application/json");
    if (endpoint.credential() != null && !endpoint.credential().isEmpty()) {
      h.put("authorization", "Bearer " + endpoint.credential());
    }
    return h;
  }

  @Override
  public ChatResult chatResponse(JsonObject upstreamBody, String requestedModel) {
    JsonObject body = upstreamBody.copy().put("model", requestedModel);
    return new ChatResult(body, usage(body.getJsonObject("usage")));
  }

  @Override
  public ChatResult embeddingsResponse(JsonObject upstreamBody, String requestedModel) {
    JsonObject body = upstreamBody.copy().put("model", requestedModel);
    JsonObject u = body.getJsonObject("usage");
    long in = u == null ? 0 : u.getLong("prompt_tokens", u.getLong("total_tokens", 0L));
    return new ChatResult(body, u == null ? Usage.NONE : new Usage(in, 0, true));
  }

  static Usage usage(JsonObject u) {
    if (u == null) {
      return Usage.NONE;
    }
    return new Usage(u.getLong("prompt_tokens", 0L), u.getLong("completion_tokens", 0L), true);
  }

  @Override
  public StreamTranslator streamTranslator(String requestedModel) {
    return new Translator(requestedModel);
  }

  /** Chunks pass through with the client's model name; usage is taken from the final chunk. */
  static final class Translator implements StreamTranslator {
    private final String model;
    private final StringBuilder text = new StringBuilder();
    private Usage usage = Usage.NONE;
    private boolean finished;
    private UpstreamError error;

    Translator(String model) {
      this.model = model;
    }

    @Override
    public List<String> onEvent(SseEvent event) {
      String data = event.data();
      if ("[DONE]".equals(data.trim())) {
        finished = true;
        return List.of();
      }
      JsonObject chunk;
      try {
        chunk = new JsonObject(data);
      } catch (DecodeException | ClassCastException e) {
        return List.of();
      }
      if (chunk.getValue("error") instanceof JsonObject err) {
        error = new UpstreamError(0, UpstreamError.Kind.SERVER_ERROR, truncate(err.getString("message", "stream error")), -1);
        return List.of();
      }
      if (chunk.getValue("usage") instanceof JsonObject u) {
        usage = OpenAiAdapter.usage(u);
      }
      if (chunk.getValue("choices") instanceof JsonArray choices) {
        for (int i = 0; i < choices.size(); i++) {
          if (choices.getValue(i) instanceof JsonObject c && c.getValue("delta") instanceof JsonObject d) {
            if (d.getValue("content") instanceof String s) {
              text.append(s);
            }
            if (d.getValue("tool_calls") instanceof JsonArray calls) {
              text.append(calls.encode());
            }
          }
        }
      }
      if (chunk.containsKey("model")) {
        chunk.put("model", model);
      }
      return List.of(chunk.encode());
    }

    @Override
    public Usage usage() {
      return usage;
    }

    @Override
    public String outputText() {
      return text.toString();
    }

    @Override
    public boolean finished() {
      return finished;
    }

    @Override
    public UpstreamError error() {
      return error;
    }
  }

  @Override
  public UpstreamError classifyError(int status, String body, String retryAfterHeader) {
    String message = "upstream answered " + status;
    String code = null;
    try {
      JsonObject json = new JsonObject(body == null ? "" : body);
      if (json.getValue("error") instanceof JsonObject err) {
        message = truncate(err.getString("message", message));
        code = err.getValue("code") instanceof String c ? c : null;
      }
    } catch (DecodeException | ClassCastException e) {
      // not JSON: keep the generic message (the body may echo the prompt; do not surface it)
    }
    UpstreamError.Kind kind;
    if (status == 429) {
      kind = UpstreamError.Kind.RATE_LIMITED;
    } else if (status >= 500) {
      kind = UpstreamError.Kind.SERVER_ERROR;
    } else if (status == 408) {
      kind = UpstreamError.Kind.TIMEOUT;
    } else if ("context_length_exceeded".equals(code)) {
      kind = UpstreamError.Kind.CONTEXT_LENGTH;
    } else {
      kind = UpstreamError.Kind.CLIENT_ERROR;
    }
    return new UpstreamError(status, kind, message, retryAfterMs(retryAfterHeader));
  }

  /** Retry-After as delay-seconds or an HTTP date; -1 when absent or unreadable. */
  static long retryAfterMs(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    String h = header.trim();
    try {
      return Math.round(Double.parseDouble(h) * 1000);
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
      } catch (DateTimeParseException e2) {
        return -1;
      }
    }
  }

  private static String truncate(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "...";
  }
}
