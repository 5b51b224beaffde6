package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.testkit.RedisProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/** SSE pass-through: usage from the final chunk is billed; a client leaving mid-stream is billed for what was produced. */
class StreamingTest {

  @RegisterExtension static final RedisProcess REDIS = RedisProcess.standalone();

  static Vertx vertx;
  static FakeOpenAiCompatible fake;
  static TestGateway gateway;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    fake = new FakeOpenAiCompatible(vertx, Seed.UPSTREAM_KEY);
    gateway = new TestGateway(vertx, REDIS.url());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    fake.close();
    vertx.close().await();
  }

  static List<String> dataLines(String sse) {
    return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
  }

  @Test
  void streamedUsageFromTheFinalChunkIsBilled() {
    fake.reset();
    fake.always(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("word1 ", "word2 ", "word3 "), 12, 7, true)));
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl())
        .cap("month", "Tenant", null, "Reject", Period.Month, 10_000_000);
    String key = seed.key("s");

    HttpResponse<String> r = gateway.post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, true));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
    List<String> data = dataLines(r.body());
    assertThat(data).last().isEqualTo("[DONE]");
    List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).toList();
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(c.getString("model")).isEqualTo(Seed.MODEL);
      assertThat(c.getJsonArray("choices")).isNotEmpty(); // the usage-only chunk was not asked for
    });
    assertThat(chunks).hasSize(5);
    JsonObject upstream = fake.lastRequest().json();
    assertThat(upstream.getBoolean("stream")).isTrue();
    assertThat(upstream.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();

    String month = Period.Month.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(REDIS.client().hgetAll(RedisKeys.totals(seed.tenant, month)))
          .containsEntry("tokensIn", "12").containsEntry("tokensOut", "7")
          // ceil(12 * 0.15) + ceil(7 * 0.6) = 2 + 5
          .containsEntry("costMicros", "7");
      assertThat(REDIS.client().hgetAll(RedisKeys.spend(seed.tenant, "month", month)))
          .containsEntry("spent", "7").containsEntry("reserved", "0");
    });
    StreamEntry rec = REDIS.client().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null).get(0);
    assertThat(rec.getFields()).containsEntry("usageSource", "provider").containsEntry("stream", "true").containsEntry("status", "200");
  }

  @Test
  void clientAskingForUsageGetsTheUsageChunk() {
    fake.reset();
    fake.always(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("word1 "), 3, 2, true)));
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl());
    String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    List<String> data = dataLines(gateway.post("/v1/chat/completions", seed.key("u"), body).body());
    JsonObject usageChunk = new JsonObject(data.get(data.size() - 2));
    assertThat(usageChunk.getJsonArray("choices")).isEmpty();
    assertThat(usageChunk.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(2);
  }

  @Test
  void clientDisconnectMidStreamIsBilledForWhatWasProducedAndReleasesTheReservation() throws Exception {
    fake.reset();
    fake.always(Reply.sse(FakeOpenAiCompatible.textEvents(
        java.util.stream.IntStream.range(1, 2000).mapToObj(i -> "word" + i + " ").toList(), 10, 999, true)).eventDelayMs(10));
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl())
        .cap("month", "Tenant", null, "Reject", Period.Month, 10_000_000);
    String key = seed.key("leaver");
    // the client hangs up after 10 data lines, mid-stream
    assertThat(gateway.readThenHangUp(key, TestGateway.chat(Seed.MODEL, 4000, true), 10)).isEqualTo(10);

    String month = Period.Month.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(REDIS.client().hlen(RedisKeys.reservations(seed.tenant))).isZero();
      assertThat(REDIS.client().hget(RedisKeys.spend(seed.tenant, "month", month), "reserved")).isEqualTo("0");
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> fake.lastRequest().clientDisconnected());
    int produced = fake.lastRequest().eventsSent();
    assertThat(produced).isLessThan(500); // the upstream call was cancelled, not left running
    Map<String, String> rec = REDIS.client().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null)
        .get(0).getFields();
    assertThat(rec).containsEntry("status", "499").containsEntry("errorCode", "client_closed").containsEntry("usageSource", "estimated");
    long tokensOut = Long.parseLong(rec.get("tokensOut"));
    // each "wordN " chunk is 2-3 tokens: billed for the text that was streamed, not the 4000 reserved
    assertThat(tokensOut).isBetween(9L * 2, (long) produced * 3);
    long spent = Long.parseLong(REDIS.client().hget(RedisKeys.spend(seed.tenant, "month", month), "spent"));
    assertThat(spent).isEqualTo(Long.parseLong(rec.get("costMicros"))).isPositive();
  }
}
