package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantRecord;
import dev.tollgate.testkit.RedisProcess;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Two gateway instances (separate Vert.x instances and Redis clients) on one Redis, 200 concurrent
 * requests: caps and rate limits hold exactly across replicas.
 */
class ConcurrencyTest {

  @RegisterExtension static final RedisProcess REDIS = RedisProcess.standalone();

  static Vertx providerVertx;
  static Vertx vertxA;
  static Vertx vertxB;
  static FakeOpenAiCompatible fake;
  static TestGateway a;
  static TestGateway b;

  @BeforeAll
  static void start() {
    providerVertx = Vertx.vertx();
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    fake = new FakeOpenAiCompatible(providerVertx, Seed.UPSTREAM_KEY);
    // exactness is under test here, not latency: a cold JVM on a busy 2-core machine may stall
    Map<String, String> patient = Map.of("TOLLGATE_REDIS_TIMEOUT", "3s");
    a = new TestGateway(vertxA, REDIS.url(), patient);
    b = new TestGateway(vertxB, REDIS.url(), patient);
  }

  @AfterAll
  static void stop() throws Exception {
    a.close();
    b.close();
    fake.close();
    vertxA.close().await();
    vertxB.close().await();
    providerVertx.close().await();
  }

  /** Fires {@code n} requests at once, alternating between the two gateways; returns status counts. */
  static Map<Integer, Long> fire(int n, String key, String body) {
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestGateway g = i % 2 == 0 ? a : b;
      HttpRequest r = HttpRequest.newBuilder(URI.create(g.url("/v1/chat/completions")))
          .timeout(Duration.ofSeconds(30))
          .header("authorization", "Bearer " + key).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      all.add(TestGateway.HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    }
    return all.stream().map(CompletableFuture::join).collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
  }

  @Test
  void totalChargedNeverExceedsTheCapAndEveryAcceptedRequestIsSettled() {
    // each request reserves ~62 micros (worst case) and costs 32 (10 in, 50 out)
    fake.reset();
    fake.always(Reply.json(200, FakeOpenAiCompatible.completion(FakeOpenAiCompatible.DEFAULT_TEXT, 10, 50)).delayMs(20));
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl())
        .cap("small", "Tenant", null, "Reject", Period.Day, 3_000);
    String key = seed.key("busy");

    Map<Integer, Long> statuses = fire(200, key, TestGateway.chat(Seed.MODEL, 100, false));

    assertThat(statuses.keySet()).containsOnly(200, 402);
    long accepted = statuses.get(200);
    assertThat(statuses.get(402)).isPositive();
    String spendKey = RedisKeys.spend(seed.tenant, "small", Period.Day.key(Instant.now()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(accepted);
      assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
      assertThat(REDIS.client().hlen(RedisKeys.reservations(seed.tenant))).isZero();
      assertThat(REDIS.client().zcard(RedisKeys.reservationLeases(seed.tenant))).isZero();
    });
    long spent = Long.parseLong(REDIS.client().hget(spendKey, "spent"));
    assertThat(spent).isEqualTo(accepted * 32).isLessThanOrEqualTo(3_000);
  }

  @Test
  void exactlyTheRequestLimitIsAcceptedAcrossBothInstances() {
    MinuteWindow.awaitRoom(Duration.ofSeconds(10)); // keep the burst inside one fixed window
    fake.reset();
    fake.reportUsage(10, 5);
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl());
    String key = seed.key("rpm", 50, 0, List.of(), ApiKeyRecord.ACTIVE, 0);

    Map<Integer, Long> statuses = fire(200, key, TestGateway.chat(Seed.MODEL, 10, false));

    assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(200, 50L, 429, 150L));
  }

  /**
   * Concurrent requests of one tenant share script calls (ADR 0025): a batch decides its requests in
   * order with the counts of those before it, so two keys with their own limits under a tighter
   * tenant limit get exactly the tenant's limit between them, each within its own, every cent
   * settled, and Redis sees far fewer calls than requests.
   */
  @Test
  void batchedAdmissionsStayExactAcrossKeysOfOneTenant() {
    MinuteWindow.awaitRoom(Duration.ofSeconds(10)); // keep the burst inside one fixed window
    fake.reset();
    fake.always(Reply.json(200, FakeOpenAiCompatible.completion(FakeOpenAiCompatible.DEFAULT_TEXT, 10, 50)).delayMs(20));
    Seed seed = new Seed(REDIS.client()).tenant(40, 0, Pricing.passThrough("USD"), List.of(), TenantRecord.ACTIVE)
        .plan(fake.baseUrl()).cap("month", "Tenant", null, "Reject", Period.Month, 1_000_000);
    String web = seed.key("web", 30, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    String batch = seed.key("batch", 25, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    resetCommandStats();

    CompletableFuture<Map<Integer, Long>> fromWeb = CompletableFuture.supplyAsync(() -> fire(100, web, TestGateway.chat(Seed.MODEL, 100, false)));
    Map<Integer, Long> fromBatch = fire(100, batch, TestGateway.chat(Seed.MODEL, 100, false));
    Map<Integer, Long> fromWebStatuses = fromWeb.join();

    assertThat(fromWebStatuses.keySet()).containsOnly(200, 429);
    assertThat(fromBatch.keySet()).containsOnly(200, 429);
    long webOk = fromWebStatuses.get(200);
    long batchOk = fromBatch.get(200);
    assertThat(webOk + batchOk).as("tenant RPM 40, exactly").isEqualTo(40);
    assertThat(webOk).isBetween(15L, 30L);
    assertThat(batchOk).isBetween(10L, 25L);
    String spendKey = RedisKeys.spend(seed.tenant, "month", Period.Month.key(Instant.now()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(40);
      assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
      assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo(Long.toString(40 * 32));
    });
    // 200 admissions and 40 settlements went to Redis in far fewer script calls
    long calls = commandStats().lines()
        .filter(l -> l.startsWith("cmdstat_evalsha:") || l.startsWith("cmdstat_eval:"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("^[^:]+:calls=(\\d+),.*", "$1"))).sum();
    assertThat(calls).isPositive().isLessThan((200 + 40) / 2);
  }

  private static void resetCommandStats() {
    REDIS.client().sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
  }

  private static String commandStats() {
    return SafeEncoder.encode((byte[]) REDIS.client().sendCommand(Protocol.Command.INFO, "commandstats"));
  }
}
