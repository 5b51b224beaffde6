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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Week and Total cap limits (ADR 0048): a Total counter is billing state that never expires. */
class CapPeriodsTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  private static HttpResponse<String> chat(String key) {
    return HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false));
  }

  @Test
  void aTotalCapRefusesAtItsLimitKeepsItsCounterForeverAndATopUpAdmitsAgain() throws Exception {
    // each request costs 2 + 30 = 32 micros (pass-through pricing); its worst case is ~62
    HARNESS.fake().reportUsage(10, 50);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl()).cap("prepaid", "Tenant", null, "Reject", Period.Total, 100);
    String key = seed.key("k");
    String spendKey = RedisKeys.spend(seed.tenant, "prepaid", "T");

    // a slow answer: the counter as admit.lua left it, while the request is in flight
    HARNESS.fake().enqueue(Reply.json(200, FakeOpenAiCompatible.completion("hi", 10, 50)).delayMs(1500));
    CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> chat(key));
    await().atMost(Duration.ofSeconds(5)).until(() -> HARNESS.redis().hget(spendKey, "reserved") != null);
    assertThat(Long.parseLong(HARNESS.redis().hget(spendKey, "reserved"))).isPositive();
    assertThat(HARNESS.redis().ttl(spendKey)).as("TTL after admit").isEqualTo(-1);
    // the reservation structures still expire, long after a purge would have released a dead replica's hold
    assertThat(HARNESS.redis().ttl(RedisKeys.reservations(seed.tenant))).isGreaterThan(Duration.ofDays(39).toSeconds());
    // the key is lost meanwhile (a flush): settle.lua recreates it, still without a TTL
    HARNESS.redis().del(spendKey);
    assertThat(slow.get().statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(spendKey)).containsEntry("spent", "32").containsEntry("reserved", "0"));
    assertThat(HARNESS.redis().ttl(spendKey)).as("TTL after settle").isEqualTo(-1);

    // 32 + ~62 fits in 100; then 64 + ~62 does not
    assertThat(chat(key).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(spendKey)).containsEntry("spent", "64").containsEntry("reserved", "0"));
    assertThat(HARNESS.redis().ttl(spendKey)).isEqualTo(-1);
    HttpResponse<String> refused = chat(key);
    assertThat(refused.statusCode()).isEqualTo(402);
    JsonObject e = new JsonObject(refused.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(e.getString("type")).isEqualTo("insufficient_quota");
    assertThat(e.getString("cap")).isEqualTo("prepaid");
    assertThat(e.getString("period")).isEqualTo("Total");
    assertThat(e.getString("limit")).isEqualTo("0.0001");
    assertThat(e.getString("spent")).isEqualTo("0.000064");
    // the envelope keeps its fields; a Total limit has no reset
    assertThat(e.containsKey("resets_at")).isTrue();
    assertThat(e.getValue("resets_at")).isNull();
    assertThat(e.getString("message")).contains("total").contains("does not reset").doesNotContain("Resets at");

    // a top-up: the limit raised (the operator rewrites the cap), the same counter admits again
    seed.cap("prepaid", "Tenant", null, "Reject", Period.Total, 1_000);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> chat(key).statusCode() == 200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(spendKey)).containsEntry("spent", "96").containsEntry("reserved", "0"));
    assertThat(HARNESS.redis().ttl(spendKey)).isEqualTo(-1);

    // lowered below what was spent: refused, nothing lost
    seed.cap("prepaid", "Tenant", null, "Reject", Period.Total, 50);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> chat(key).statusCode() == 402);
    assertThat(HARNESS.redis().hget(spendKey, "spent")).isEqualTo("96");
  }

  @Test
  void aWeekCapCountsIntoTheIsoWeeksKeyWhichExpiresAfterTheWeekAndItsGrace() {
    HARNESS.fake().reportUsage(10, 50);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl()).cap("weekly", "Tenant", null, "Reject", Period.Week, 1_000);
    String key = seed.key("k");
    Instant now = Instant.now();
    String spendKey = RedisKeys.spend(seed.tenant, "weekly", Period.Week.key(now));
    assertThat(spendKey).matches(".*:spend:weekly:W\\d{4}-\\d{2}");

    assertThat(chat(key).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(spendKey)).containsEntry("spent", "32").containsEntry("reserved", "0"));
    // the week's end plus the 8-day grace a Day counter gets
    long expected = Period.Week.reset(now).plus(Duration.ofDays(8)).getEpochSecond() - now.getEpochSecond();
    assertThat(HARNESS.redis().ttl(spendKey)).isBetween(expected - 60, expected + 1);
  }
}
