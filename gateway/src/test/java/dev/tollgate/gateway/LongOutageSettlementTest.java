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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Redis stays out of reach of a replica for longer than a request's reservation lease, or for longer
 * than the replica's own life: a request the provider answered meanwhile is still billed, exactly
 * once, when Redis is back, even though another replica has released its reservation meanwhile, and
 * even when it is a later process (reading the stopped one's spool) that settles it.
 */
class LongOutageSettlementTest {

  @RegisterExtension static final RedisProcess REDIS = RedisProcess.standalone();

  static Vertx vertx;
  static FakeOpenAiCompatible fake;
  static CuttableTcpProxy network;
  static boolean cut;
  Seed seed;
  String key;
  String spendKey;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    fake = new FakeOpenAiCompatible(vertx, Seed.UPSTREAM_KEY);
    network = new CuttableTcpProxy(vertx, REDIS.port());
  }

  @AfterAll
  static void stop() throws Exception {
    network.close();
    fake.close();
    vertx.close().await();
  }

  @AfterEach
  void reconnect() throws Exception {
    if (cut) {
      network.restore();
      cut = false;
    }
  }

  @BeforeEach
  void seed() throws Exception {
    REDIS.client().flushAll();
    // every answer takes a second: time to cut the network while the request is with the provider
    fake.always(Reply.json(200, FakeOpenAiCompatible.completion(FakeOpenAiCompatible.DEFAULT_TEXT, 10, 50)).delayMs(1_000));
    seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl()).cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000);
    key = seed.key("k");
    spendKey = RedisKeys.spend(seed.tenant, "day", Period.Day.key(Instant.now()));
  }

  @Test
  void anOutageLongerThanTheLeaseStillBillsTheRequestOnceAfterAnotherReplicaReleasedItsReservation() throws Exception {
    try (TestGateway cutOff = new TestGateway(vertx, "redis://127.0.0.1:" + network.port(), Map.of("TOLLGATE_RESERVATION_LEASE", "2s"));
        TestGateway other = new TestGateway(vertx, REDIS.url(), Map.of("TOLLGATE_RESERVATION_LEASE", "2s"))) {
      String id = answeredWhileCutOff(cutOff);

      // past the lease, the other replica's next admission releases the reservation (nobody knows
      // whether the cut-off replica is alive) and leaves a tombstone: not settled yet
      await().pollDelay(Duration.ofMillis(2_100)).atMost(Duration.ofSeconds(3)).until(() -> true);
      assertThat(other.post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false)).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
        assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
      });
      assertThat(REDIS.client().hget(RedisKeys.reservations(seed.tenant), id)).isEqualTo("x");
      assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");

      reconnect();
      // the cut-off replica's retries went on past the lease: its request is charged and recorded once
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(2);
        assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("64");
      });
      assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
      assertThat(REDIS.client().hlen(RedisKeys.reservations(seed.tenant))).isZero();
      assertThat(REDIS.client().zcard(RedisKeys.reservationLeases(seed.tenant))).isZero();
      assertThat(requestIds()).containsOnlyOnce(id);
      assertThat(cutOff.metrics.scrape()).contains("tollgate_settle_failures_total 0.0");
    }
  }

  @Test
  void aReplicaStoppedDuringAnOutageSpoolsItsSettlementAndTheNextStartReplaysItExactlyOnce(@TempDir Path spool) throws Exception {
    TestGateway cutOff = new TestGateway(vertx, "redis://127.0.0.1:" + network.port(),
        Map.of("TOLLGATE_SETTLE_SPOOL_DIR", spool.toString(), "TOLLGATE_SHUTDOWN_GRACE", "1s"));
    String id = answeredWhileCutOff(cutOff);
    // written as soon as Redis failed it, while the replica still runs (a crash would not lose it)
    await().atMost(Duration.ofSeconds(5)).until(() -> spoolFiles(spool).size() == 1);
    cutOff.close(); // Redis still unreachable: the settlement cannot land before the stop ends

    List<Path> files = spoolFiles(spool);
    assertThat(files).as("spooled once, not again at the stop").hasSize(1);
    String spooled = Files.readString(files.get(0));
    assertThat(spooled).contains(id).doesNotContain(key).doesNotContain("Say hello").doesNotContain(Seed.UPSTREAM_KEY);
    // as a gateway from before the two web search, the six images and the six audio fields wrote it: 14 values short
    io.vertx.core.json.JsonObject line = new io.vertx.core.json.JsonObject(spooled.strip());
    io.vertx.core.json.JsonArray values = line.getJsonArray("record");
    for (int i = 0; i < 14; i++) {
      values.remove(values.size() - 1);
    }
    Files.writeString(files.get(0), line.encode() + "\n");
    Path copy = Files.copy(files.get(0), spool.resolveSibling(spool.getFileName() + "-copy.settle.jsonl"));
    assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isZero();
    assertThat(REDIS.client().hget(spendKey, "reserved")).isNotEqualTo("0");

    // the next start (another process, Redis reachable) replays it: billed, released, recorded
    try (TestGateway next = new TestGateway(vertx, REDIS.url(), Map.of("TOLLGATE_SETTLE_SPOOL_DIR", spool.toString()))) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
        assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");
        assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
        assertThat(spoolFiles(spool)).isEmpty();
        assertThat(Files.list(spool)).isEmpty();
      });
      assertThat(REDIS.client().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null).get(0)
          .getFields()).as("the fields it lacked, empty").containsEntry("requestId", id)
          .containsEntry("webSearchCalls", "").containsEntry("webSearchPriceMicrosPerThousand", "")
          .containsEntry("images", "").containsEntry("imageInputPriceMicrosPerMillion", "")
          .containsEntry("audioCharacters", "").containsEntry("audioInputPriceMicrosPerMillion", "");
    }

    // the same file replayed again (replicas sharing the folder both picked it up): nothing changes
    Files.move(copy, spool.resolve(copy.getFileName()));
    try (TestGateway again = new TestGateway(vertx, REDIS.url(), Map.of("TOLLGATE_SETTLE_SPOOL_DIR", spool.toString()))) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.list(spool)).isEmpty());
      assertThat(REDIS.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(1);
      assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");
      assertThat(requestIds()).containsExactly(id);
    }
  }

  @Test
  void aReplicaThatDiesDuringAnOutageLosesNothingAnotherOneReplaysWhatItSpooledWhenRedisFailedIt(@TempDir Path spool)
      throws Exception {
    // the cut-off replica is never stopped: as if killed, it writes nothing more
    TestGateway doomed = new TestGateway(vertx, "redis://127.0.0.1:" + network.port(),
        Map.of("TOLLGATE_SETTLE_SPOOL_DIR", spool.toString()));
    try {
      String id = answeredWhileCutOff(doomed);
      await().atMost(Duration.ofSeconds(5)).until(() -> spoolFiles(spool).size() == 1);

      try (TestGateway next = new TestGateway(vertx, REDIS.url(), Map.of("TOLLGATE_SETTLE_SPOOL_DIR", spool.toString()))) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(requestIds()).containsExactly(id);
          assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");
          assertThat(REDIS.client().hget(spendKey, "reserved")).isEqualTo("0");
          assertThat(Files.list(spool)).isEmpty();
        });
      }
      // it was only cut off after all: its own retry lands too, and changes nothing
      reconnect();
      await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(7)).until(() -> true); // past its 5 s retry
      assertThat(requestIds()).containsExactly(id);
      assertThat(REDIS.client().hget(spendKey, "spent")).isEqualTo("32");
      assertThat(doomed.metrics.scrape()).contains("tollgate_settle_failures_total 0.0");
    } finally {
      doomed.close();
    }
    assertThat(spoolFiles(spool)).isEmpty();
  }

  /** A request admitted through {@code gateway}, whose network to Redis is cut while the provider answers it. */
  private String answeredWhileCutOff(TestGateway gateway) throws Exception {
    HttpRequest post = HttpRequest.newBuilder(URI.create(gateway.url("/v1/chat/completions")))
        .header("authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat(Seed.MODEL, 100, false))).build();
    CompletableFuture<HttpResponse<String>> answer = TestGateway.HTTP.sendAsync(post, HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> REDIS.client().hlen(RedisKeys.reservations(seed.tenant)) == 1);
    String id = REDIS.client().hkeys(RedisKeys.reservations(seed.tenant)).iterator().next();
    network.cut();
    cut = true;
    HttpResponse<String> r = answer.get();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-request-id")).hasValue(id);
    return id;
  }

  private List<String> requestIds() {
    return REDIS.client().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null).stream()
        .map(StreamEntry::getFields).map(f -> f.get("requestId")).toList();
  }

  private static List<Path> spoolFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".settle.jsonl")).toList();
    }
  }
}
