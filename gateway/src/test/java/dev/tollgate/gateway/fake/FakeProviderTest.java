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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fakes' scripting, which router and gateway tests rely on. */
class FakeProviderTest {

  private static Vertx vertx;
  private static FakeOpenAiCompatible fake;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    fake = new FakeOpenAiCompatible(vertx, "sk-test");
    client = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    fake.close();
    vertx.close();
  }

  @BeforeEach
  void resetFake() {
    fake.reset();
  }

  private Future<HttpClientResponse> post(boolean stream, long idleTimeoutMs) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(fake.baseUrl() + "/chat/completions")
        .putHeader("authorization", "Bearer sk-test")
        .setIdleTimeout(idleTimeoutMs);
    JsonObject body = new JsonObject().put("model", "m").put("stream", stream);
    return client.request(options).compose(r -> r.send(Buffer.buffer(body.encode())));
  }

  private int status(Reply reply) {
    fake.enqueue(reply);
    return statusOfPost();
  }

  private int statusOfPost() {
    return FakeProvider.onEventLoop(vertx, () -> post(false, 0).compose(r -> r.body().map(b -> r.statusCode())));
  }

  @Test
  void answersQueuedRepliesThenTheStandingReplyThenTheDefault() {
    fake.always(Reply.json(503, new JsonObject()));
    assertThat(status(Reply.json(429, new JsonObject()).retryAfter("1"))).isEqualTo(429);
    assertThat(statusOfPost()).isEqualTo(503);
    fake.always(null);
    assertThat(statusOfPost()).isEqualTo(200);
    assertThat(fake.requests()).hasSize(3);
    assertThat(fake.lastRequest().json().getString("model")).isEqualTo("m");
  }

  @Test
  void checksTheCredentialLikeTheProvider() {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(fake.baseUrl() + "/chat/completions").putHeader("authorization", "Bearer nope");
    int status = FakeProvider.onEventLoop(vertx, () -> client.request(options).compose(r -> r.send("{}")).map(HttpClientResponse::statusCode));
    assertThat(status).isEqualTo(401);
  }

  @Test
  void aSilentReplyNeverAnswers() {
    fake.enqueue(Reply.stall());
    assertThatThrownBy(() -> FakeProvider.onEventLoop(vertx, () -> post(false, 300)))
        .hasRootCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(fake.requests()).hasSize(1);
  }

  @Test
  void stallAfterSendsSomeEventsThenHoldsTheConnectionOpen() {
    fake.enqueue(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("a", "b"), 1, 2, true)).stallAfter(2));
    SseParser parser = new SseParser();
    List<SseEvent> events = new CopyOnWriteArrayList<>();
    AtomicBoolean ended = new AtomicBoolean();
    HttpClientResponse resp = FakeProvider.onEventLoop(vertx, () -> post(true, 0).onSuccess(r -> {
      r.handler(b -> events.addAll(parser.feed(b.getBytes())));
      r.endHandler(v -> ended.set(true));
    }));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
    assertThat(ended).isFalse();
    resp.request().connection().close();
    await().atMost(Duration.ofSeconds(5)).until(() -> fake.lastRequest().clientDisconnected());
  }

  @Test
  void cutAfterClosesTheConnectionMidStream() {
    fake.enqueue(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("a", "b"), 1, 2, true)).cutAfter(2));
    UpstreamCall.Answer answer = UpstreamCall.send(vertx,
        new dev.tollgate.gateway.provider.UpstreamRequest(fake.baseUrl() + "/chat/completions",
            java.util.Map.of("authorization", "Bearer sk-test"), "{\"stream\":true}", true));
    assertThat(answer.cut()).isTrue();
    assertThat(answer.events()).hasSize(2);
    assertThat(fake.lastRequest().clientDisconnected()).isFalse();
  }

  @Test
  void recordsACallerThatHangsUpMidStream() {
    fake.enqueue(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("a", "b", "c", "d"), 1, 4, true)).eventDelayMs(100));
    FakeProvider.onEventLoop(vertx, () -> post(true, 0).compose(resp -> {
      resp.handler(b -> resp.request().connection().close());
      return Future.succeededFuture();
    }));
    await().atMost(Duration.ofSeconds(5)).until(() -> fake.lastRequest().clientDisconnected());
  }
}
