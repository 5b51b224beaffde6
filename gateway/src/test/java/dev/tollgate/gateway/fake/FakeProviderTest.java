package dev.tollgate.gateway.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fakes' scripting, which router and gateway tests rely on. */
class FakeProviderTest {

  @RegisterExtension static final FakeOpenAiCompatible FAKE = new FakeOpenAiCompatible("sk-test");
  private static final Vertx vertx = FAKE.vertx();
  private static HttpClient client;

  @BeforeAll
  static void start() {
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  private Future<HttpClientResponse> post(boolean stream, long idleTimeoutMs) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(FAKE.baseUrl() + "/chat/completions")
            .putHeader("authorization", "Bearer sk-test")
            .setIdleTimeout(idleTimeoutMs);
    JsonObject body = new JsonObject().put("model", "m").put("stream", stream);
    return client.request(options).compose(r -> r.send(Buffer.buffer(body.encode())));
  }

  private int status(Reply reply) {
    FAKE.enqueue(reply);
    return statusOfPost();
  }

  private int statusOfPost() {
    return FakeProvider.onEventLoop(
        vertx, () -> post(false, 0).compose(r -> r.body().map(b -> r.statusCode())));
  }

  @Test
  void answersQueuedRepliesThenTheStandingReplyThenTheDefault() {
    FAKE.always(Reply.json(503, new JsonObject()));
    assertThat(status(Reply.json(429, new JsonObject()).retryAfter("1"))).isEqualTo(429);
    assertThat(statusOfPost()).isEqualTo(503);
    FAKE.always(null);
    assertThat(statusOfPost()).isEqualTo(200);
    assertThat(FAKE.requests()).hasSize(3);
    assertThat(FAKE.lastRequest().json().getString("model")).isEqualTo("m");
  }

  @Test
  void checksTheCredentialLikeTheProvider() {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(FAKE.baseUrl() + "/chat/completions")
            .putHeader("authorization", "Bearer nope");
    int status =
        FakeProvider.onEventLoop(
            vertx,
            () ->
                client
                    .request(options)
                    .compose(r -> r.send("{}"))
                    .map(HttpClientResponse::statusCode));
    assertThat(status).isEqualTo(401);
  }

  @Test
  void aSilentReplyNeverAnswers() {
    FAKE.enqueue(Reply.stall());
    assertThatThrownBy(() -> FakeProvider.onEventLoop(vertx, () -> post(false, 300)))
        .hasRootCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(FAKE.requests()).hasSize(1);
  }

  @Test
  void stallAfterSendsSomeEventsThenHoldsTheConnectionOpen() {
    FAKE.enqueue(
        Reply.sse(FakeOpenAiCompatible.textEvents(List.of("a", "b"), 1, 2, true)).stallAfter(2));
    SseParser parser = new SseParser();
    List<SseEvent> events = new CopyOnWriteArrayList<>();
    AtomicBoolean ended = new AtomicBoolean();
    HttpClientResponse resp =
        FakeProvider.onEventLoop(
            vertx,
            () ->
                post(true, 0)
                    .onSuccess(
                        r -> {
                          r.handler(b -> events.addAll(parser.feed(b.getBytes())));
                          r.endHandler(v -> ended.set(true));
                        }));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
    assertThat(ended).isFalse();
    resp.request().connection().close();
    await().atMost(Duration.ofSeconds(5)).until(() -> FAKE.lastRequest().clientDisconnected());
  }

  @Test
  void cutAfterClosesTheConnectionMidStream() {
    FAKE.enqueue(
        Reply.sse(FakeOpenAiCompatible.textEvents(List.of("a", "b"), 1, 2, true)).cutAfter(2));
    UpstreamCall.Answer answer =
        UpstreamCall.send(
            vertx,
            new dev.tollgate.gateway.provider.UpstreamRequest(
                FAKE.baseUrl() + "/chat/completions",
                java.util.Map.of("authorization", "Bearer sk-test"),
                "{\"stream\":true}",
                true));
    assertThat(answer.cut()).isTrue();
    assertThat(answer.events()).hasSize(2);
    assertThat(FAKE.lastRequest().clientDisconnected()).isFalse();
  }

  @Test
  void recordsACallerThatHangsUpMidStream() {
    FAKE.enqueue(
        Reply.sse(FakeOpenAiCompatible.textEvents(List.of("a", "b", "c", "d"), 1, 4, true))
            .eventDelayMs(100));
    FakeProvider.onEventLoop(
        vertx,
        () ->
            post(true, 0)
                .compose(
                    resp -> {
                      resp.handler(b -> resp.request().connection().close());
                      return Future.succeededFuture();
                    }));
    await().atMost(Duration.ofSeconds(5)).until(() -> FAKE.lastRequest().clientDisconnected());
  }
}
