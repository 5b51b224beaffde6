package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.CuttableTcpProxy;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.testkit.RedisProcess;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The network to Redis goes away while a request is with the provider and stays away longer than
 * the first quick retries (0.2 s, 1 s, 3 s): when it is back, the request is still billed exactly
 * once, its reservation released and its usage record written. Redis keeps its data throughout (the
 * connection is cut, not the server), as in a network partition or a failover pause.
 */
class SettleThroughOutageTest {

  @RegisterExtension static final RedisProcess REDIS = RedisProcess.standalone();

  static Vertx vertx;
  static FakeOpenAiCompatible fake;
  static CuttableTcpProxy network;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    fake = new FakeOpenAiCompatible(vertx, Seed.UPSTREAM_KEY);
    network = new CuttableTcpProxy(vertx, REDIS.port());
    gateway = new TestGateway(vertx, "redis://127.0.0.1:" + network.port(), Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    network.close();
    fake.close();
    vertx.close().await();
  }

  /**
   * A connection that dies while a pipeline is in flight fails each command as "ERR [i] <Java
   * exception>" in the Redis client: that is an outage (503 {@code redis_unavailable}, the client
   * may retry), not a Redis error (500); and the next request connects again.
   */
  @Test
  void aConnectionLostUnderAPipelineIsUnavailableNotAnInternalError() {
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl()).cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000);
    String key = seed.key("k");
    assertThat(gateway.get("/v1/tollgate/usage", key).statusCode()).isEqualTo(200); // key and caps cached

    network.dropOnNextWriteOf(seed.tenant.id());
    HttpResponse<String> lost = gateway.get("/v1/tollgate/usage", key);

    assertThat(lost.statusCode()).as(lost.body()).isEqualTo(503);
    assertThat(new io.vertx.core.json.JsonObject(lost.body()).getJsonObject("error").getString("code")).isEqualTo("redis_unavailable");
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.get("/v1/tollgate/usage", key).statusCode() == 200);
  }

  @Test
  void requestAnsweredDuringAnOutageIsBilledOnceRedisIsReachableAgain() throws Exception {
    fake.always(Reply.json(200, FakeOpenAiCompatible.completion(FakeOpenAiCompatible.DEFAULT_TEXT, 10, 50)).delayMs(1_000));
    Admitted admitted = admitted("/v1/chat/completions", TestGateway.chat(Seed.MODEL, 100, false));
    Seed seed = admitted.seed();
    String spendKey = admitted.spendKey();
    CompletableFuture<HttpResponse<String>> answer = admitted.answer();

    network.cut();
    // the provider answers while Redis is unreachable: the client gets its answer, settle must wait
    assertThat(answer.get().statusCode()).isEqualTo(200);
    // longer than the quick retries (4.2 s in all) before the network comes back
    await().pollDelay(Duration.ofMillis(5_500)).atMost(Duration.ofSeconds(6))
        .until(() -> gateway.get("/readyz", null).statusCode() == 503);
    assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isZero();
    network.restore();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
      assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");
      assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
      assertThat(REDIS.client().hlen(RedisKeys.reservations(seed.tenant))).isZero();
    });
    assertThat(gateway.metrics.scrape()).contains("tollgate_settle_failures_total 0.0");
  }

  /**
   * A stored Responses stream holds its events until its id's mapping is written (ADR 0050): with
   * Redis unreachable that write fails, and the stream still reaches the client whole (not held,
   * not cut), is billed exactly once when Redis is back, and leaves no mapping (its id cannot be
   * continued through the gateway, as documented).
   */
  @Test
  void aStoredResponsesStreamWhoseMappingCannotBeWrittenStillReachesTheClientAndIsBilledOnce() throws Exception {
    fake.always(Reply.sse(dev.tollgate.gateway.fake.Responses.textEvents(java.util.List.of("Hi ", "there"), 10, 0, 5))
        .delayMs(1_500)); // the network is cut before the first event: its mapping's write fails
    Admitted admitted = admitted("/v1/responses", "{\"model\":\"" + Seed.MODEL + "\",\"input\":\"Say hi\","
        + "\"max_output_tokens\":100,\"stream\":true}");
    Seed seed = admitted.seed();
    String spendKey = admitted.spendKey();
    CompletableFuture<HttpResponse<String>> answer = admitted.answer();

    network.cut();
    HttpResponse<String> r = answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("event: response.created").contains("event: response.completed")
        .doesNotContain("event: error");
    network.restore();

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
      assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
      assertThat(REDIS.client().hlen(RedisKeys.reservations(seed.tenant))).isZero();
    });
    assertThat(REDIS.client().get(RedisKeys.storedResponse(seed.tenant, dev.tollgate.gateway.fake.Responses.ID))).isNull();
    assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
  }

  /**
   * Redis runs the settle, then the connection dies before its answer arrives (a restart, a
   * failover, a network blip): the gateway cannot know it landed, retries it on the next connection,
   * and the request is still billed exactly once (one record, the spend once, nothing left reserved).
   */
  @Test
  void aSettleWhoseAnswerIsLostIsRetriedAndBilledOnce() throws Exception {
    fake.always(Reply.json(200, FakeOpenAiCompatible.completion(FakeOpenAiCompatible.DEFAULT_TEXT, 10, 50)).delayMs(500));
    Admitted admitted = admitted("/v1/chat/completions", TestGateway.chat(Seed.MODEL, 100, false));
    Seed seed = admitted.seed();
    String spendKey = admitted.spendKey();
    CompletableFuture<HttpResponse<String>> answer = admitted.answer();
    double failuresBefore = settleFailures();
    // admitted; the next command naming this tenant is its settle
    network.dropReplyToNextWriteOf(seed.tenant.id());

    assertThat(answer.get().statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
      assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");
      assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
    });
    assertThat(settleFailures()).isEqualTo(failuresBefore);
    // the retry has landed (or found the first attempt had): still one record, one charge
    await().pollDelay(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
      assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");
    });
  }

  /** A request of a new tenant with a day cap, sent, and admitted (its reservation is in Redis). */
  record Admitted(Seed seed, String spendKey, CompletableFuture<HttpResponse<String>> answer) {}

  static Admitted admitted(String path, String body) {
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl()).cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000);
    HttpRequest post = HttpRequest.newBuilder(URI.create(gateway.url(path)))
        .header("authorization", "Bearer " + seed.key("k")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    CompletableFuture<HttpResponse<String>> answer = TestGateway.HTTP.sendAsync(post, HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> REDIS.client().hlen(RedisKeys.reservations(seed.tenant)) == 1);
    return new Admitted(seed, RedisKeys.spend(seed.tenant, "day", Period.Day.key(Instant.now())), answer);
  }

  private static double settleFailures() {
    // the counter's scrape line, "tollgate_settle_failures_total <value>"; absent before the first failure
    String prefix = "tollgate_settle_failures_total ";
    return gateway.metrics.scrape().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(0);
  }
}
