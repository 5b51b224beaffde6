package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.RedisKeys;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * A gateway told to stop (SIGTERM in a rolling update) lets the streams in flight finish within its
 * grace period and gets their settlements into Redis before it closes its connection there: a deploy
 * must neither cut clients off nor lose what they were billed.
 */
class GracefulShutdownTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aStreamInFlightFinishesAndIsBilledWhileTheStoppingGatewayTakesNoNewConnections() throws Exception {
    List<String> words = IntStream.range(0, 60).mapToObj(i -> "w" + i + " ").toList();
    HARNESS.fake().always(Reply.sse(FakeOpenAiCompatible.textEvents(words, 12, 60, true)).eventDelayMs(25));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("deploy");
    TestGateway gateway = new TestGateway(vertx, HARNESS.redisProcess().url(), Map.of("TOLLGATE_SHUTDOWN_GRACE", "20s"));
    CompletableFuture<HttpResponse<String>> stream = streamUnderway(gateway, key, 100);

    CompletableFuture<Void> stopped = CompletableFuture.runAsync(gateway::close);

    // no new connections while it drains
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", URI.create(gateway.url("/")).getPort())) {
        return false;
      } catch (java.io.IOException refused) {
        return true;
      }
    });
    assertThat(stream).as("the stream is still running").isNotDone();

    HttpResponse<String> r = stream.get(20, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = StreamingTest.dataLines(r.body());
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(String.join("", data)).contains("w59 ");
    stopped.get(20, TimeUnit.SECONDS);

    Map<String, String> rec = onlyRecord(seed);
    assertThat(rec).containsEntry("status", "200").containsEntry("usageSource", "provider").containsEntry("tokensOut", "60");
    assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
  }

  @Test
  void aStreamOutlastingTheGracePeriodIsClosedAndItsSettlementLandsBeforeRedisIsClosed() throws Exception {
    List<String> words = IntStream.range(0, 2000).mapToObj(i -> "w" + i + " ").toList();
    HARNESS.fake().always(Reply.sse(FakeOpenAiCompatible.textEvents(words, 12, 2000, true)).eventDelayMs(10));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("long");
    TestGateway gateway = new TestGateway(vertx, HARNESS.redisProcess().url(), Map.of("TOLLGATE_SHUTDOWN_GRACE", "300ms"));
    CompletableFuture<HttpResponse<String>> stream = streamUnderway(gateway, key, 4000);

    gateway.close(); // returns once the gateway has stopped: Redis closed

    // no waiting here: the record is in Redis when the gateway is gone, or it never will be
    Map<String, String> rec = onlyRecord(seed);
    assertThat(rec.get("status")).isEqualTo("499");
    long tokensOut = Long.parseLong(rec.get("tokensOut"));
    assertThat(tokensOut).as("billed for what was streamed, not the 4000 reserved").isPositive().isLessThan(4000);
    assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
    assertThat(stream.handle((resp, e) -> e != null || !resp.body().contains("[DONE]")).get(10, TimeUnit.SECONDS))
        .as("the client saw its stream end early").isTrue();
  }

  /** Starts a streamed chat request and returns once the provider has sent a few of its events. */
  private static CompletableFuture<HttpResponse<String>> streamUnderway(TestGateway gateway, String key, int maxTokens) {
    CompletableFuture<HttpResponse<String>> stream = TestGateway.HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(gateway.url("/v1/chat/completions")))
            .header("authorization", "Bearer " + key).header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat(Seed.MODEL, maxTokens, true))).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        !HARNESS.fake().requests().isEmpty() && HARNESS.fake().lastRequest().eventsSent() >= 3);
    return stream;
  }

  private static Map<String, String> onlyRecord(Seed seed) {
    List<StreamEntry> records = HARNESS.redis().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null);
    assertThat(records).hasSize(1);
    return records.get(0).getFields();
  }
}
