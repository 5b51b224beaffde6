package dev.tollgate.gateway.provider;

import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An HTTP request to send upstream: a POST of a JSON body, or of an audio upload's bytes (a stored
 * response's GET or DELETE has no body, and the caller names its method).
 *
 * @param url absolute URL
 * @param headers request headers (credentials included; never log them)
 * @param body JSON text, or null for none
 * @param stream true if the answer is an SSE stream
 * @param upload the bytes to send instead of {@code body} (an audio upload's multipart form, ADR
 *     0054), or null
 */
public record UpstreamRequest(String url, Map<String, String> headers, String body, boolean stream, Buffer upload) {

  public UpstreamRequest(String url, Map<String, String> headers, String body, boolean stream) {
    this(url, headers, body, stream, null);
  }

  /** A POST of {@code upload} as it is, answered in one piece. */
  public static UpstreamRequest upload(String url, Map<String, String> headers, Buffer upload) {
    return new UpstreamRequest(url, headers, null, false, upload);
  }

  /** What goes out as the request's body, or null for none. */
  public Buffer payload() {
    return upload != null ? upload : body == null ? null : Buffer.buffer(body);
  }

  /** W3C trace context headers passed from the client to the provider. */
  public static final List<String> TRACE_HEADERS = List.of("traceparent", "tracestate");

  /**
   * This request with the client's W3C trace context ({@code traceparent}, {@code tracestate}), so a
   * distributed trace spans the gateway and the provider; itself when the client sent none.
   */
  public UpstreamRequest withTraceContext(Function<String, String> clientHeader) {
    Map<String, String> added = null;
    for (String h : TRACE_HEADERS) {
      String v = clientHeader.apply(h);
      if (v != null && !v.isEmpty()) {
        if (added == null) {
          added = new LinkedHashMap<>(headers);
        }
        added.put(h, v);
      }
    }
    return added == null ? this : new UpstreamRequest(url, added, body, stream, upload);
  }

  @Override
  public String toString() {
    return "UpstreamRequest[" + (body == null && upload == null ? "" : "POST ") + url + (stream ? " stream" : "") + "]";
  }
}
