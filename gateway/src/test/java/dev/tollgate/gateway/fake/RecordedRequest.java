package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request a {@link FakeProvider} received: what the gateway actually sent upstream.
 *
 * @param method HTTP method
 * @param uri path and query as sent
 * @param path path only
 * @param headers header names lower-cased (last value wins)
 * @param body the raw body
 * @param closedEarly set when the caller closed the connection before the answer was complete
 * @param eventsWritten stream events written so far
 */
public record RecordedRequest(
    String method,
    String uri,
    String path,
    Map<String, String> headers,
    String body,
    AtomicBoolean closedEarly,
    java.util.concurrent.atomic.AtomicInteger eventsWritten) {

  /** The body as JSON. */
  public JsonObject json() {
    return new JsonObject(body);
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }

  /** A query parameter's value, or null. */
  public String query(String name) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : uri.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0
            ? ""
            : java.net.URLDecoder.decode(
                pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /**
   * True once the caller closed the connection before the answer was complete (a cancelled upstream
   * call); stays false for answers the fake itself cut.
   */
  public boolean clientDisconnected() {
    return closedEarly.get();
  }

  /** How many events of a streamed answer were written before it ended (or was cut or abandoned). */
  public int eventsSent() {
    return eventsWritten.get();
  }
}
