package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scripted answer of a {@link FakeProvider}: a body, a Server-Sent Events stream (optionally
 * cut, stalled or paced), or no answer at all. Immutable; the {@code with}-style methods return
 * copies.
 *
 * @param status HTTP status
 * @param headers response headers
 * @param body the whole body of a non-stream answer; null for a stream
 * @param events SSE events (lines without the terminating blank line); null for a non-stream
 * @param separator what ends each event on the wire ({@code \n\n}, or {@code \r\n\r\n} as Google
 *     sends)
 * @param cutAfter close the connection after this many events, mid-stream (-1: never)
 * @param stallAfter stop writing, connection left open, after this many events (-1: never)
 * @param eventDelayMs pause before each event after the first (0: write them back to back)
 * @param silent accept the request and never answer a single byte
 * @param delayMs wait this long before answering (the status line included)
 */
public record Reply(
    int status,
    Map<String, String> headers,
    String body,
    List<String> events,
    String separator,
    int cutAfter,
    int stallAfter,
    long eventDelayMs,
    boolean silent,
    long delayMs) {

  public Reply {
    headers = Map.copyOf(headers);
    events = events == null ? null : List.copyOf(events);
  }

  /** A JSON body. */
  public static Reply json(int status, JsonObject body) {
    return text(status, "application/json", body.encode());
  }

  /** Any body with a content type (e.g. an HTML error page from a proxy). */
  public static Reply text(int status, String contentType, String body) {
    return new Reply(
        status, Map.of("content-type", contentType), body, null, "\n\n", -1, -1, 0, false, 0);
  }

  /** A 200 event stream. */
  public static Reply sse(List<String> events) {
    return new Reply(
        200, Map.of("content-type", "text/event-stream"), null, events, "\n\n", -1, -1, 0, false, 0);
  }

  /** Accepts the request, then never answers. */
  public static Reply stall() {
    return new Reply(200, Map.of(), null, null, "\n\n", -1, -1, 0, true, 0);
  }

  public Reply header(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name.toLowerCase(java.util.Locale.ROOT), value);
    return new Reply(
        status, h, body, events, separator, cutAfter, stallAfter, eventDelayMs, silent, delayMs);
  }

  public Reply retryAfter(String value) {
    return header("retry-after", value);
  }

  public Reply separator(String value) {
    return new Reply(
        status, headers, body, events, value, cutAfter, stallAfter, eventDelayMs, silent, delayMs);
  }

  /** Closes the connection after {@code n} events, without ending the stream. */
  public Reply cutAfter(int n) {
    return new Reply(status, headers, body, events, separator, n, stallAfter, eventDelayMs, silent, delayMs);
  }

  /** Keeps the connection open but writes nothing more after {@code n} events. */
  public Reply stallAfter(int n) {
    return new Reply(status, headers, body, events, separator, cutAfter, n, eventDelayMs, silent, delayMs);
  }

  /** Paces the stream: the time between two events, e.g. to disconnect a client mid-stream. */
  public Reply eventDelayMs(long ms) {
    return new Reply(status, headers, body, events, separator, cutAfter, stallAfter, ms, silent, delayMs);
  }

  /** Waits this long before answering at all (a slow provider). */
  public Reply delayMs(long ms) {
    return new Reply(status, headers, body, events, separator, cutAfter, stallAfter, eventDelayMs, silent, ms);
  }
}
