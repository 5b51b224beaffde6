package dev.tollgate.gateway.provider;

import dev.tollgate.gateway.http.MultipartForm;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Optional capability of a {@link ProviderAdapter}: OpenAI's audio API ({@code POST
 * /v1/audio/speech}, {@code /v1/audio/transcriptions}, {@code /v1/audio/translations}) as a
 * governed pass-through (ADR 0054). Only providers that serve that API themselves implement it;
 * the route planner leaves the other targets out. Answers pass through as they are and are read
 * with {@link AudioWire}.
 */
public interface AudioAdapter {

  /** The upstream request for a speech body: the client's body with the target's model name. */
  UpstreamRequest speechRequest(ProviderEndpoint endpoint, String upstreamModel, JsonObject body);

  /**
   * The upstream request for an upload to {@code operation} ({@code audio/transcriptions} or
   * {@code audio/translations}): the client's multipart body as received, its {@code model} field
   * the target's model name.
   */
  UpstreamRequest uploadRequest(ProviderEndpoint endpoint, String operation, String upstreamModel, MultipartForm form);

  /**
   * Headers of an audio call: {@code jsonHeaders} accepting any answer (audio, JSON or text, as
   * {@code response_format} asks), with the form's content type (boundary included) for an upload
   * ({@code form} null: speech's JSON body).
   */
  static Map<String, String> audioHeaders(Map<String, String> jsonHeaders, MultipartForm form) {
    Map<String, String> headers = new LinkedHashMap<>(jsonHeaders);
    headers.put("accept", "*/*");
    if (form != null) {
      headers.put("content-type", form.contentType());
    }
    return headers;
  }
}
