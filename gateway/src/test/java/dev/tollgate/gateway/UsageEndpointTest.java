package dev.tollgate.gateway;

import static dev.tollgate.gateway.ErrorResponsesTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/tollgate/usage}: a key holder sees its own caps, spend and month totals, exactly as
 * admission and settle counted them, authenticated like every endpoint, read-only and fail closed.
 */
class UsageEndpointTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  static final String USAGE = "/v1/tollgate/usage";
  static final String CHAT = TestGateway.chat(Seed.MODEL, 100, false);

  /** 20% markup: each request costs ceil(10 x 0.15) + ceil(5 x 0.60) = 5 micros and is billed 6. */
  Seed tenant() {
    HARNESS.fake().reportUsage(10, 5);
    return HARNESS.seed()
        .tenant(0, 0, new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000, 0), List.of(), TenantRecord.ACTIVE)
        .plan(HARNESS.fake().baseUrl());
  }

  @Test
  void keySeesItsCapsSpendResetTimesMonthTotalsAndLimitsAfterTwoBilledRequests() {
    Seed seed = tenant()
        .cap("daily-web", "ApiKey", "web", "Reject", Period.Day, 1_000_000)
        .cap("monthly", "Tenant", null, "Reject", Period.Month, 5_000_000)
        .cap("other-only", "ApiKey", "other", "Reject", Period.Day, 2_000_000);
    String web = seed.key("web", 60, 10_000, List.of(), ApiKeyRecord.ACTIVE, 0);
    String other = seed.key("other");
    assertThat(HARNESS.gateway().post("/v1/chat/completions", web, CHAT).statusCode()).isEqualTo(200);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", web, CHAT).statusCode()).isEqualTo(200);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", other, CHAT).statusCode()).isEqualTo(200);

    // settle lands after the answers: wait until nothing is held any more
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(caps(usage(web)).get("monthly").getString("spent")).isEqualTo("0.000018"));
    HttpResponse<String> r = HARNESS.gateway().get(USAGE, web);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    assertThat(r.headers().firstValue("cache-control")).contains("no-store");
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonObject body = new JsonObject(r.body());

    assertThat(body.getString("object")).isEqualTo("tollgate.usage");
    assertThat(body.getJsonObject("key")).isEqualTo(new JsonObject().put("name", "web").put("prefix", web.substring(0, 8)));
    assertThat(body.getString("tenant")).isEqualTo(seed.tenant.id());
    assertThat(r.body()).doesNotContain(web).doesNotContain(ApiKeys.sha256Hex(web));

    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    Map<String, JsonObject> caps = caps(body);
    assertThat(caps).containsOnlyKeys("daily-web", "monthly");
    assertThat(caps.get("daily-web")).isEqualTo(new JsonObject()
        .put("cap", "daily-web").put("scope", "ApiKey").put("action", "Reject").put("period", "Day")
        .put("limit", "1.00").put("spent", "0.000012").put("reserved", "0.00").put("remaining", "0.999988")
        .put("currency", "USD").put("resets_at", today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString()));
    // the tenant's cap counts every key of the tenant
    assertThat(caps.get("monthly")).isEqualTo(new JsonObject()
        .put("cap", "monthly").put("scope", "Tenant").put("action", "Reject").put("period", "Month")
        .put("limit", "5.00").put("spent", "0.000018").put("reserved", "0.00").put("remaining", "4.999982")
        .put("currency", "USD")
        .put("resets_at", today.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString()));

    // month to date: this key only, billed (not provider cost) in the tenant's currency
    assertThat(body.getJsonObject("month_to_date")).isEqualTo(new JsonObject()
        .put("month", today.toString().substring(0, 7))
        .put("since", today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString())
        .put("requests", 2).put("tokens_in", 20).put("tokens_out", 10).put("billed", "0.000012").put("currency", "USD"));
    assertThat(body.getJsonObject("rate_limits")).isEqualTo(new JsonObject()
        .put("key", new JsonObject().put("requests_per_minute", 60).put("tokens_per_minute", 10_000))
        .put("tenant", new JsonObject().putNull("requests_per_minute").putNull("tokens_per_minute")));

    // the other key sees the tenant's cap and its own, not web's
    JsonObject theirs = usage(other);
    assertThat(caps(theirs)).containsOnlyKeys("monthly", "other-only");
    assertThat(caps(theirs).get("other-only").getString("spent")).isEqualTo("0.000006");
    assertThat(theirs.getJsonObject("month_to_date").getLong("requests")).isEqualTo(1);
  }

  @Test
  void aKeyWithNoCapsAndNoRequestsSeesZeros() {
    String key = tenant().key("fresh");

    JsonObject body = usage(key);

    assertThat(body.getJsonArray("caps")).isEmpty();
    assertThat(body.getJsonObject("month_to_date").getLong("requests")).isZero();
    assertThat(body.getJsonObject("month_to_date").getString("billed")).isEqualTo("0.00");
  }

  @Test
  void alertCapsShowTheirActionAndACapOverItsLimitShowsNothingRemaining() {
    Seed seed = tenant()
        .cap("soft", "Tenant", null, "Alert", Period.Day, 5) // below one request's 6 micros
        .cap("hard", "Tenant", null, "Reject", Period.Month, 1_000_000);
    String key = seed.key("k");
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, CHAT).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(caps(usage(key)).get("hard").getString("spent")).isEqualTo("0.000006"));
    // the operator lowers the Reject cap below what was already spent
    seed.cap("hard", "Tenant", null, "Reject", Period.Month, 4);

    Map<String, JsonObject> caps = caps(awaitCapLimit(key, "hard", "0.000004"));

    assertThat(caps.get("soft").getString("action")).isEqualTo("Alert");
    assertThat(caps.get("soft").getString("spent")).isEqualTo("0.000006");
    assertThat(caps.get("soft").getString("remaining")).isEqualTo("0.00");
    assertThat(caps.get("hard").getString("remaining")).isEqualTo("0.00");
  }

  @Test
  void aPrepaidTotalCapShowsWhatIsLeftAndNoResetAWeeklyOneItsMonday() {
    Seed seed = tenant()
        .cap("prepaid", "Tenant", null, "Reject", Period.Total, 500_000_000)
        .cap("weekly", "Tenant", null, "Reject", Period.Week, 100_000_000);
    String key = seed.key("k");
    HARNESS.redis().hset(RedisKeys.spend(seed.tenant, "prepaid", Period.Total.key(java.time.Instant.now())),
        Map.of("spent", "120500000", "reserved", "0"));

    Map<String, JsonObject> caps = caps(usage(key));

    assertThat(caps.get("prepaid").getString("period")).isEqualTo("Total");
    assertThat(caps.get("prepaid").getString("remaining")).isEqualTo("379.50");
    assertThat(caps.get("prepaid").containsKey("resets_at")).isTrue();
    assertThat(caps.get("prepaid").getValue("resets_at")).isNull();
    assertThat(caps.get("weekly").getString("resets_at"))
        .isEqualTo(Period.Week.reset(java.time.Instant.now()).toString());
  }

  @Test
  void reservedAmountsOfRequestsInFlightAreShownAndNotRemaining() {
    Seed seed = tenant().cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000);
    String key = seed.key("k");
    // a reservation of 0.25 held by a request in flight (as admit.lua leaves it)
    HARNESS.redis().hset(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(java.time.Instant.now())),
        Map.of("spent", "100000", "reserved", "250000"));

    JsonObject daily = caps(usage(key)).get("daily");

    assertThat(daily.getString("spent")).isEqualTo("0.10");
    assertThat(daily.getString("reserved")).isEqualTo("0.25");
    assertThat(daily.getString("remaining")).isEqualTo("0.65");
  }

  @Test
  void readingUsageTakesOneRedisRoundTripAndNoRateLimit() {
    Seed seed = tenant()
        .cap("a", "Tenant", null, "Reject", Period.Day, 1_000_000)
        .cap("b", "Tenant", null, "Alert", Period.Month, 1_000_000);
    String key = seed.key("one-a-minute", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(10));
    for (int i = 0; i < 3; i++) {
      assertThat(HARNESS.gateway().get(USAGE, key).statusCode()).isEqualTo(200);
    }
    // its one request a minute is still there for a model call
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, CHAT).statusCode()).isEqualTo(200);

    // warm (config cached): two spend HASHes and the totals in one round trip; the readiness PING
    // every second may fall into a sample, so look for a sample without it
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      double before = roundTrips();
      assertThat(HARNESS.gateway().get(USAGE, key).statusCode()).isEqualTo(200);
      assertThat(roundTrips() - before).isEqualTo(1.0);
    });
  }

  @Test
  void authenticatesLikeEveryEndpoint() {
    Seed seed = tenant();
    error(HARNESS.gateway().get(USAGE, null), 401, "invalid_request_error", "invalid_api_key");
    error(HARNESS.gateway().get(USAGE, ApiKeys.generate()), 401, "invalid_request_error", "invalid_api_key");
    String revoked = seed.key("revoked", 0, 0, List.of(), ApiKeyRecord.SUSPENDED, 0);
    error(HARNESS.gateway().get(USAGE, revoked), 401, "invalid_request_error", "api_key_revoked");

    Seed suspended = HARNESS.seed().tenant(0, 0, Pricing.passThrough("USD"), List.of(), TenantRecord.SUSPENDED);
    error(HARNESS.gateway().get(USAGE, suspended.key("k")), 403, "permission_error", "tenant_suspended");
  }

  @Test
  void failsClosedWhileRedisIsDown() {
    Seed seed = tenant().cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000);
    String raw = seed.key("k");
    assertThat(HARNESS.gateway().get(USAGE, raw).statusCode()).isEqualTo(200); // key and caps now cached

    HARNESS.redisProcess().stop();
    try {
      error(HARNESS.gateway().get(USAGE, raw), 503, "api_error", "redis_unavailable");
    } finally {
      HARNESS.redisProcess().start();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> HARNESS.gateway().get("/readyz", null).statusCode() == 200);
  }

  private static JsonObject usage(String key) {
    HttpResponse<String> r = HARNESS.gateway().get(USAGE, key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private static JsonObject awaitCapLimit(String key, String cap, String limit) {
    JsonObject[] seen = new JsonObject[1];
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      seen[0] = usage(key);
      assertThat(caps(seen[0]).get(cap).getString("limit")).isEqualTo(limit);
    });
    return seen[0];
  }

  /** The answer's caps by name (one limit each here). */
  private static Map<String, JsonObject> caps(JsonObject body) {
    JsonArray caps = body.getJsonArray("caps");
    return caps.stream().map(JsonObject.class::cast).collect(Collectors.toMap(c -> c.getString("cap"), Function.identity()));
  }

  private static double roundTrips() {
    return HARNESS.gateway().metrics.registry().get("tollgate_redis_round_trips").counter().count();
  }
}
