package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every documented error (docs/errors.md): its status, envelope, code and headers. */
class ErrorResponsesTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone().env("TOLLGATE_MAX_BODY_BYTES", "4096");

  /** Asserts the OpenAI envelope and returns the error object. */
  static JsonObject error(HttpResponse<String> r, int status, String type, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.fieldNames()).contains("message", "type", "param", "code");
    assertThat(e.getString("type")).isEqualTo(type);
    assertThat(e.getString("code")).isEqualTo(code);
    assertThat(e.getString("message")).isNotBlank();
    return e;
  }

  Seed seed() {
    HARNESS.fake().reportUsage(10, 5);
    return HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
  }

  @Test
  void badBodies() {
    String key = seed().key("k");
    error(HARNESS.gateway().post("/v1/chat/completions", key, "{not json"), 400, "invalid_request_error", "invalid_json");
    error(HARNESS.gateway().post("/v1/chat/completions", key, "[1,2]"), 400, "invalid_request_error", "invalid_json");
    JsonObject noModel = error(HARNESS.gateway().post("/v1/chat/completions", key, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        400, "invalid_request_error", "invalid_request");
    assertThat(noModel.getString("param")).isEqualTo("model");
    assertThat(error(HARNESS.gateway().post("/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\"}"), 400, "invalid_request_error",
        "invalid_request").getString("param")).isEqualTo("messages");
    assertThat(error(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 0, false)), 400,
        "invalid_request_error", "invalid_request").getString("param")).isEqualTo("max_tokens");
    assertThat(error(HARNESS.gateway().post("/v1/embeddings", key, "{\"model\":\"text-embedding-3-small\"}"), 400,
        "invalid_request_error", "invalid_request").getString("param")).isEqualTo("input");
    String big = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(5000) + "\"}]}";
    error(HARNESS.gateway().post("/v1/chat/completions", key, big), 413, "invalid_request_error", "request_too_large");
    error(HARNESS.gateway().get("/v1/nope", key), 404, "invalid_request_error", "unknown_url");
  }

  @Test
  void authenticationFailures() {
    Seed seed = seed();
    String body = TestGateway.chat(Seed.MODEL, 10, false);
    error(HARNESS.gateway().post("/v1/chat/completions", null, body), 401, "invalid_request_error", "invalid_api_key");
    error(HARNESS.gateway().post("/v1/chat/completions", "tg-unknownkeyunknownkeyunknownkeyunknownkey12", body), 401,
        "invalid_request_error", "invalid_api_key");
    String suspended = seed.key("susp", 0, 0, List.of(), ApiKeyRecord.SUSPENDED, 0);
    error(HARNESS.gateway().post("/v1/chat/completions", suspended, body), 401, "invalid_request_error", "api_key_revoked");
    String expired = seed.key("old", 0, 0, List.of(), ApiKeyRecord.ACTIVE, System.currentTimeMillis() - 1000);
    error(HARNESS.gateway().post("/v1/chat/completions", expired, body), 401, "invalid_request_error", "api_key_expired");
    error(HARNESS.gateway().get("/v1/models", null), 401, "invalid_request_error", "invalid_api_key");
    // the error never echoes the key
    assertThat(HARNESS.gateway().post("/v1/chat/completions", suspended, body).body()).doesNotContain(suspended);
  }

  @Test
  void suspendedTenantIsForbidden() {
    Seed seed = seed().tenant(0, 0, Pricing.passThrough("USD"), List.of(), TenantRecord.SUSPENDED);
    String key = seed.key("k");
    error(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false)), 403, "permission_error", "tenant_suspended");
  }

  @Test
  void modelAuthorization() {
    Seed seed = seed().tenant(0, 0, Pricing.passThrough("USD"), List.of("gpt-4o*", "unrouted-model"), TenantRecord.ACTIVE);
    String onlyMini = seed.key("mini", 0, 0, List.of("gpt-4o-mini"), ApiKeyRecord.ACTIVE, 0);
    String any = seed.key("any");
    JsonObject byKey = error(HARNESS.gateway().post("/v1/chat/completions", onlyMini, TestGateway.chat("gpt-4o", 10, false)), 403,
        "permission_error", "model_not_allowed");
    assertThat(byKey.getString("param")).isEqualTo("model");
    error(HARNESS.gateway().post("/v1/embeddings", any, "{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}"), 403,
        "permission_error", "model_not_allowed");
    error(HARNESS.gateway().post("/v1/chat/completions", any, TestGateway.chat("unrouted-model", 10, false)), 404,
        "invalid_request_error", "model_not_found");
    assertThat(HARNESS.fake().requests().stream().map(RecordedRequest::json).toList()).noneMatch(b -> "unrouted-model".equals(b.getString("model")));
  }

  @Test
  void requestRateLimitAnswers429WithHeaders() {
    Seed seed = seed();
    String key = seed.key("rpm1", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // both requests in one window
    HttpResponse<String> first = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).contains("1");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");

    HttpResponse<String> second = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false));
    error(second, 429, "rate_limit_error", "rate_limit_exceeded");
    long retryAfter = Long.parseLong(second.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(second.headers().firstValue("x-ratelimit-limit-requests")).contains("1");
    assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).contains("0");
    assertThat(second.headers().firstValue("x-ratelimit-reset-requests")).contains(retryAfter + "s");
  }

  @Test
  void tokenRateLimitCountsPromptAndMaxTokens() {
    Seed seed = seed().tenant(0, 100, Pricing.passThrough("USD"), List.of(), TenantRecord.ACTIVE);
    String key = seed.key("k");
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 500, false));
    error(r, 429, "rate_limit_error", "rate_limit_exceeded");
    assertThat(r.headers().firstValue("x-ratelimit-limit-tokens")).contains("100");
    assertThat(r.headers().firstValue("retry-after")).isPresent();
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 20, false)).statusCode()).isEqualTo(200);
  }

  @Test
  void spendCapAnswers402NamingTheCap() {
    Seed seed = seed().cap("daily-key", "ApiKey", "k", "Reject", Period.Day, 50);
    String key = seed.key("k");
    // worst case: ~ 20 prompt tokens (+10%) at 0.15 + 1000 output at 0.60 = 604 micros > 50
    JsonObject e = error(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 1000, false)), 402,
        "insufficient_quota", "spend_cap_exceeded");
    assertThat(e.getString("cap")).isEqualTo("daily-key");
    assertThat(e.getString("scope")).isEqualTo("ApiKey");
    assertThat(e.getString("period")).isEqualTo("Day");
    assertThat(e.getString("limit")).isEqualTo("0.00005");
    assertThat(e.getString("spent")).isEqualTo("0.00");
    assertThat(e.getString("currency")).isEqualTo("USD");
    assertThat(e.getString("resets_at")).isEqualTo(Period.Day.reset(Instant.now()).toString());
    assertThat(HARNESS.fake().requests().stream().map(RecordedRequest::json).toList()).noneMatch(b -> b.getInteger("max_tokens", 0) == 1000);
    assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
    // an Alert cap never rejects
    Seed alert = seed().cap("watch", "Tenant", null, "Alert", Period.Day, 1);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", alert.key("a"), TestGateway.chat(Seed.MODEL, 1000, false)).statusCode()).isEqualTo(200);
  }

  @Test
  void everyChoiceIsReservedAndAnAbsurdCeilingMeetsTheCapNotAnError() {
    Seed seed = seed().cap("daily-key", "ApiKey", "k", "Reject", Period.Day, 400);
    String key = seed.key("k");
    // worst case of one choice: ~ 22 prompt tokens at 0.15 + 500 output at 0.60 = ~304 micros: fits in 400
    String one = TestGateway.chat(Seed.MODEL, 500, false);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, one).statusCode()).isEqualTo(200);
    // two choices may produce twice the output, and the provider bills both: ~604 micros do not fit
    String two = one.replaceFirst("\\{", "{\"n\":2,");
    error(HARNESS.gateway().post("/v1/chat/completions", key, two), 402, "insufficient_quota", "spend_cap_exceeded");
    String huge = TestGateway.chat(Seed.MODEL, null, false).replaceFirst("\\{", "{\"max_tokens\":" + Long.MAX_VALUE + ",");
    error(HARNESS.gateway().post("/v1/chat/completions", key, huge), 402, "insufficient_quota", "spend_cap_exceeded");
    error(HARNESS.gateway().post("/v1/chat/completions", key, one.replaceFirst("\\{", "{\"n\":0,")), 400,
        "invalid_request_error", "invalid_request");
  }

  @Test
  void upstreamFailures() {
    Seed seed = seed();
    String key = seed.key("k");
    String body = TestGateway.chat(Seed.MODEL, 10, false);
    HARNESS.fake().always(Reply.json(500, FakeOpenAiCompatible.error("fake failure 500", "server_error", null)));
    error(HARNESS.gateway().post("/v1/chat/completions", key, body), 502, "api_error", "upstream_error");
    HARNESS.fake().always(Reply.json(429, FakeOpenAiCompatible.error("fake failure 429", "server_error", null)));
    error(HARNESS.gateway().post("/v1/chat/completions", key, body), 502, "api_error", "upstream_error");
    HARNESS.fake().always(Reply.json(400, FakeOpenAiCompatible.error("fake failure 400", "server_error", null)));
    assertThat(error(HARNESS.gateway().post("/v1/chat/completions", key, body), 400, "invalid_request_error", "upstream_invalid_request")
        .getString("message")).contains("fake failure 400");

    // a failed request costs nothing and leaves no reservation
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
      assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now()))))
          .containsEntry("requests", "3").containsEntry("costMicros", "0");
    });
  }

  @Test
  void upstreamTimeoutAnswers504() {
    Seed seed = seed();
    seed.plan(Map.of("fake", seed.provider(HARNESS.fake().baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(Seed.target("fake", "slow")), List.of())),
        new RoutePlan.Timeouts(1000, 300, 5000));
    HARNESS.fake().always(Reply.stall());
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, false));
    error(r, 504, "api_error", "upstream_timeout");
    // a timeout is retried like any trigger (3 attempts by default); each call was abandoned
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("3");
    assertThat(HARNESS.fake().requests()).hasSize(3).allSatisfy(q -> assertThat(q.clientDisconnected()).isTrue());
  }

  @Test
  void connectErrorFallsBackToTheNextTarget() {
    Seed seed = seed();
    seed.plan(Map.of("dead", seed.provider("http://127.0.0.1:1/v1"), "fake", seed.provider(HARNESS.fake().baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(
            new RoutePlan.Target("dead", "m-dead", 0, 1, 9_000_000, 9_000_000, 0),
            new RoutePlan.Target("fake", "m-live", 1, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0)), List.of())),
        null);
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, false));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("fake");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    // settled at the price of the target that served (10 in, 5 out at 0.15/0.60), not the dead one
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now()))))
            .containsEntry("costMicros", "5"));
  }
}
