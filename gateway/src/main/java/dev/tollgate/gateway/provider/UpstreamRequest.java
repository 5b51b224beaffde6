package dev.tollgate.gateway.provider;

import java.util.Map;

/**
 * An HTTP request to send upstream: always a POST of a JSON body.
 *
 * @param url absolute URL
 * @param headers request headers (credentials included; never log them)
 * @param body JSON text
 * @param stream true if the answer is an SSE stream
 */
public record UpstreamRequest(String url, Map<String, String> headers, String body, boolean stream) {

  @Override
  public String toString() {
    return "UpstreamRequest[POST " + url + (stream ? " stream" : "") + "]";
  }
}
