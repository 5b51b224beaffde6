package dev.tollgate.gateway.provider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An HTTP request to send upstream: a POST of a JSON body (a stored response's GET or DELETE has no
 * body, and the caller names its method).
 *
 * @param url absolute URL
 * @param headers request headers (credentials included; never log them)
 * @param body JSON text, or null for none
 * @param stream true if the answer is an SSE stream
 */
public record UpstreamRequest(String url, Map<String, String> headers, String body, boolean stream) {

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
    return added == null ? this : new UpstreamRequest(url, added, body, stream);
  }

  @Override
  public String toString() {
    return "UpstreamRequest[" + (body == null ? "" : "POST ") + url + (stream ? " stream" : "") + "]";
  }
}
