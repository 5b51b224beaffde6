package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/** SSE pass-through: usage from the final chunk is billed; a client leaving mid-stream is billed for what was produced. */
class StreamingTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  static List<String> dataLines(String sse) {
    return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
  }

  @Test
  void streamedUsageFromTheFinalChunkIsBilled() {
    HARNESS.fake().always(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("word1 ", "word2 ", "word3 "), 12, 7, true)));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl())
        .cap("month", "Tenant", null, "Reject", Period.Month, 10_000_000);
    String key = seed.key("s");

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, true));

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
    JsonObject upstream = HARNESS.fake().lastRequest().json();
    assertThat(upstream.getBoolean("stream")).isTrue();
    assertThat(upstream.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();

    String month = Period.Month.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, month)))
          .containsEntry("tokensIn", "12").containsEntry("tokensOut", "7")
          // ceil(12 * 0.15) + ceil(7 * 0.6) = 2 + 5
          .containsEntry("costMicros", "7");
      assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "month", month)))
          .containsEntry("spent", "7").containsEntry("reserved", "0");
    });
    StreamEntry rec = HARNESS.redis().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null).get(0);
    assertThat(rec.getFields()).containsEntry("usageSource", "provider").containsEntry("stream", "true").containsEntry("status", "200");
  }

  @Test
  void clientAskingForUsageGetsTheUsageChunk() {
    HARNESS.fake().always(Reply.sse(FakeOpenAiCompatible.textEvents(List.of("word1 "), 3, 2, true)));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    List<String> data = dataLines(HARNESS.gateway().post("/v1/chat/completions", seed.key("u"), body).body());
    JsonObject usageChunk = new JsonObject(data.get(data.size() - 2));
    assertThat(usageChunk.getJsonArray("choices")).isEmpty();
    assertThat(usageChunk.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(2);
  }

  @Test
  void clientDisconnectMidStreamIsBilledForWhatWasProducedAndReleasesTheReservation() throws Exception {
    HARNESS.fake().always(Reply.sse(FakeOpenAiCompatible.textEvents(
        java.util.stream.IntStream.range(1, 2000).mapToObj(i -> "word" + i + " ").toList(), 10, 999, true)).eventDelayMs(10));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl())
        .cap("month", "Tenant", null, "Reject", Period.Month, 10_000_000);
    String key = seed.key("leaver");
    // the client hangs up after 10 data lines, mid-stream
    assertThat(HARNESS.gateway().readThenHangUp(key, TestGateway.chat(Seed.MODEL, 4000, true), 10)).isEqualTo(10);

    String month = Period.Month.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
      assertThat(HARNESS.redis().hget(RedisKeys.spend(seed.tenant, "month", month), "reserved")).isEqualTo("0");
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> HARNESS.fake().lastRequest().clientDisconnected());
    int produced = HARNESS.fake().lastRequest().eventsSent();
    assertThat(produced).isLessThan(500); // the upstream call was cancelled, not left running
    Map<String, String> rec = HARNESS.redis().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null)
        .get(0).getFields();
    assertThat(rec).containsEntry("status", "499").containsEntry("errorCode", "client_closed").containsEntry("usageSource", "estimated");
    long tokensOut = Long.parseLong(rec.get("tokensOut"));
    // each "wordN " chunk is 2-3 tokens: billed for the text that was streamed, not the 4000 reserved
    assertThat(tokensOut).isBetween(9L * 2, (long) produced * 3);
    long spent = Long.parseLong(HARNESS.redis().hget(RedisKeys.spend(seed.tenant, "month", month), "spent"));
    assertThat(spent).isEqualTo(Long.parseLong(rec.get("costMicros"))).isPositive();
  }
}
