package dev.tollgate.gateway.provider;

import dev.tollgate.gateway.http.MultipartForm;
import io.vertx.core.buffer.Buffer;
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
   * {@code audio/translations}): the client's multipart body as {@link #uploadBody} sends it.
   */
  UpstreamRequest uploadRequest(ProviderEndpoint endpoint, String operation, String upstreamModel, MultipartForm form);

  /**
   * The body of an upload sent to {@code upstreamModel}: the client's form as received, but for its
   * {@code model} field (the upstream model name) and, where the client's {@code response_format}
   * reports nothing to bill, the format {@link AudioWire#reportingFormat} asks for instead.
   */
  static Buffer uploadBody(MultipartForm form, String upstreamModel) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("model", upstreamModel);
    String reporting = AudioWire.reportingFormat(upstreamModel, form.field("response_format"));
    if (reporting != null) {
      fields.put("response_format", reporting);
    }
    return form.withFields(fields);
  }

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
