package dev.tollgate.gateway.fake;

import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.SseParser;
import dev.tollgate.gateway.provider.UpstreamRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends an adapter's {@link UpstreamRequest} over real HTTP, as the gateway would, so adapter tests
 * exercise the translation against a fake provider: a 2xx stream is parsed with {@link SseParser}
 * chunk by chunk as it arrives; anything else is read whole.
 */
public final class UpstreamCall {

  /**
   * What came back.
   *
   * @param status HTTP status
   * @param retryAfter the Retry-After header, or null
   * @param body the body of a non-stream answer (or of an error answer to a stream request)
   * @param events the SSE events of a 2xx stream, in order
   * @param chunks how many network chunks carried the stream
   * @param cut true when the connection closed before the stream ended
   */
  public record Answer(
      int status, String retryAfter, String body, List<SseEvent> events, int chunks, boolean cut) {}

  private UpstreamCall() {}

  /** Sends the request and waits (at most 10 s) for the complete answer. */
  public static Answer send(Vertx vertx, UpstreamRequest request) {
    HttpClient client = vertx.createHttpClient();
    try {
      RequestOptions options =
          new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(request.url());
      request.headers().forEach(options::putHeader);
      return FakeProvider.onEventLoop(
          vertx,
          () ->
              client
                  .request(options)
                  .compose(req -> req.send(Buffer.buffer(request.body())))
                  .compose(resp -> read(resp, request.stream())));
    } finally {
      client.close();
    }
  }

  private static Future<Answer> read(HttpClientResponse resp, boolean stream) {
    String retryAfter = resp.getHeader("retry-after");
    if (!stream || resp.statusCode() / 100 != 2) {
      return resp.body()
          .map(b -> new Answer(resp.statusCode(), retryAfter, b.toString(), List.of(), 0, false));
    }
    Promise<Answer> done = Promise.promise();
    SseParser parser = new SseParser();
    List<SseEvent> events = new ArrayList<>();
    int[] chunks = {0};
    resp.handler(
        buf -> {
          chunks[0]++;
          events.addAll(parser.feed(buf.getBytes()));
        });
    resp.endHandler(
        v -> {
          SseEvent last = parser.flush();
          if (last != null) {
            events.add(last);
          }
          done.tryComplete(
              new Answer(resp.statusCode(), retryAfter, null, events, chunks[0], false));
        });
    resp.exceptionHandler(
        e ->
            done.tryComplete(
                new Answer(resp.statusCode(), retryAfter, null, events, chunks[0], true)));
    return done.future();
  }
}
