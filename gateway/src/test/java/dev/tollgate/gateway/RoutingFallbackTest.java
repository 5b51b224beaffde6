package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fallback across targets through the whole gateway, against real OpenAI-compatible fakes: each
 * trigger moves on, non-triggers do not, Retry-After and backoff are waited out, attempts and total
 * time are bounded, and the bill is the serving target's.
 */
class RoutingFallbackTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeOpenAiCompatible PRIMARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeOpenAiCompatible THIRD = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);

  static final String DEAD_URL = "http://127.0.0.1:1/v1";
  static final RoutePlan.Retry FAST_RETRY = new RoutePlan.Retry(3, 10, 1_000);

  static RoutePlan.Target target(String provider, int priority, long contextWindow) {
    return new RoutePlan.Target(provider, "m-" + provider, priority, 1, Seed.IN_PRICE, Seed.OUT_PRICE, contextWindow);
  }

  /** primary → secondary → third, with these triggers (empty: the defaults). */
  static Seed seed(String primaryUrl, List<String> fallbackOn, RoutePlan.Retry retry, RoutePlan.Timeouts timeouts) {
    Seed seed = HARNESS.seed().tenant();
    return seed.plan(
        Map.of("primary", seed.provider(primaryUrl), "secondary", seed.provider(SECONDARY.baseUrl()),
            "third", seed.provider(THIRD.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL,
            List.of(target("primary", 0, 8_000), target("secondary", 1, 8_000), target("third", 2, 128_000)), fallbackOn)),
        retry, timeouts);
  }

  /** A route with the primary as its only target. */
  static Seed primaryOnly(RoutePlan.Retry retry) {
    Seed seed = HARNESS.seed().tenant();
    return seed.plan(Map.of("primary", seed.provider(PRIMARY.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(target("primary", 0, 0)), List.of())), retry, null);
  }

  static HttpResponse<String> chat(Seed seed) {
    return HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, false));
  }

  static void assertServedBy(HttpResponse<String> r, String provider, int attempts) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains(provider);
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("m-" + provider);
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains(Integer.toString(attempts));
  }

  static JsonObject error(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo(code);
    return e;
  }

  static Reply openAiError(int status, String code) {
    return Reply.json(status, FakeOpenAiCompatible.error("fake " + status, "server_error", code));
  }

  @Test
  void serverErrorFallsBackAndTheServingTargetIsBilled() {
    PRIMARY.always(openAiError(503, null));
    Seed seed = seed(PRIMARY.baseUrl(), List.of(), FAST_RETRY, null);
    HttpResponse<String> r = chat(seed);
    assertServedBy(r, "secondary", 2);
    // 10 in, 5 out at 0.15/0.60 per million, rounded up per side: 2 + 3 micros, the secondary's price
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("5");
    assertThat(PRIMARY.requests()).hasSize(1);
    assertThat(THIRD.requests()).isEmpty();
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1))
        .containsEntry("provider", "secondary").containsEntry("servedModel", "m-secondary")
        .containsEntry("attempts", "2").containsEntry("tokensIn", "10").containsEntry("tokensOut", "5")
        .containsEntry("costMicros", "5").containsEntry("status", "200");
  }

  /** A streaming request's error answer arrives on a paused response: it must still be read, then fall back. */
  @Test
  void aStreamingRequestFallsBackFromAServerError() {
    PRIMARY.always(openAiError(503, null));
    Seed seed = seed(PRIMARY.baseUrl(), List.of(), FAST_RETRY, null);
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, true));
    assertServedBy(r, "secondary", 2);
    assertThat(r.body()).contains("Hello from ").endsWith("data: [DONE]\n\n");
  }

  @Test
  void rateLimitFallsBack() {
    PRIMARY.always(openAiError(429, "rate_limit_exceeded"));
    assertServedBy(chat(seed(PRIMARY.baseUrl(), List.of(), FAST_RETRY, null)), "secondary", 2);
  }

  @Test
  void connectErrorFallsBack() {
    assertServedBy(chat(seed(DEAD_URL, List.of(), FAST_RETRY, null)), "secondary", 2);
  }

  @Test
  void firstByteTimeoutFallsBack() {
    PRIMARY.always(Reply.stall());
    HttpResponse<String> r = chat(seed(PRIMARY.baseUrl(), List.of(), FAST_RETRY, new RoutePlan.Timeouts(1_000, 300, 10_000)));
    assertServedBy(r, "secondary", 2);
    assertThat(PRIMARY.requests()).singleElement().satisfies(q -> assertThat(q.clientDisconnected()).isTrue());
  }

  @Test
  void contextLengthMovesToATargetWithALargerWindow() {
    PRIMARY.always(openAiError(400, "context_length_exceeded"));
    HttpResponse<String> r = chat(seed(PRIMARY.baseUrl(), List.of("context-length"), FAST_RETRY, null));
    assertServedBy(r, "third", 2);
    assertThat(SECONDARY.requests()).as("same 8k window as the primary: skipped").isEmpty();
  }

  @Test
  void contextLengthIsNotATriggerByDefault() {
    PRIMARY.always(openAiError(400, "context_length_exceeded"));
    error(chat(seed(PRIMARY.baseUrl(), List.of(), FAST_RETRY, null)), 400, "context_length_exceeded");
    assertThat(SECONDARY.requests()).isEmpty();
    assertThat(THIRD.requests()).isEmpty();
  }

  @Test
  void aClientErrorNeverFallsBack() {
    PRIMARY.always(openAiError(400, "invalid_value"));
    Seed seed = seed(PRIMARY.baseUrl(), List.of(), FAST_RETRY, null);
    HttpResponse<String> r = chat(seed);
    assertThat(error(r, 400, "upstream_invalid_request").getString("message")).contains("fake 400");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    assertThat(PRIMARY.requests()).hasSize(1);
    assertThat(SECONDARY.requests()).isEmpty();
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("costMicros", "0").containsEntry("status", "400");
  }

  @Test
  void onlyTheRoutesTriggersFallBack() {
    PRIMARY.always(openAiError(429, null));
    Seed seed = seed(PRIMARY.baseUrl(), List.of("5xx"), FAST_RETRY, null);
    error(chat(seed), 502, "upstream_error");
    assertThat(PRIMARY.requests()).hasSize(1);
    assertThat(SECONDARY.requests()).isEmpty();

    PRIMARY.always(openAiError(500, null));
    assertServedBy(chat(seed), "secondary", 2);
  }

  @Test
  void retryAfterIsWaitedOutBeforeCallingTheSameTargetAgain() {
    Seed seed = primaryOnly(new RoutePlan.Retry(3, 10, 5_000));
    PRIMARY.enqueue(openAiError(429, null).retryAfter("1"));
    long start = System.nanoTime();
    HttpResponse<String> r = chat(seed);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertServedBy(r, "primary", 2);
    assertThat(elapsedMs).as("the second call waited for Retry-After: 1, not the 10 ms backoff").isGreaterThanOrEqualTo(1_000);
  }

  @Test
  void aRetryAfterLongerThanMaxBackoffIsNotRetriedButFallsBack() {
    PRIMARY.always(openAiError(429, null).retryAfter("30"));
    Seed seed = seed(PRIMARY.baseUrl(), List.of(), new RoutePlan.Retry(5, 10, 500), null);
    SECONDARY.always(openAiError(500, null));
    THIRD.always(openAiError(500, null));
    HttpResponse<String> r = chat(seed);
    error(r, 502, "upstream_error");
    // primary once (its Retry-After exceeds maxBackoff), then secondary and third retried within 5 attempts
    assertThat(PRIMARY.requests()).hasSize(1);
    assertThat(SECONDARY.requests().size() + THIRD.requests().size()).isEqualTo(4);
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("5");
  }

  @Test
  void backoffDoublesBetweenAttemptsOnTheSameTarget() {
    Seed seed = primaryOnly(new RoutePlan.Retry(3, 150, 5_000));
    PRIMARY.enqueue(openAiError(500, null), openAiError(502, null));
    long start = System.nanoTime();
    HttpResponse<String> r = chat(seed);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertServedBy(r, "primary", 3);
    assertThat(elapsedMs).as("150 ms, then 300 ms").isGreaterThanOrEqualTo(450);
  }

  @Test
  void attemptsAreCappedByMaxAttempts() {
    PRIMARY.always(openAiError(500, null));
    SECONDARY.always(openAiError(500, null));
    THIRD.always(openAiError(500, null));
    Seed seed = seed(PRIMARY.baseUrl(), List.of(), new RoutePlan.Retry(2, 10, 100), null);
    HttpResponse<String> r = chat(seed);
    assertThat(error(r, 502, "upstream_error").getString("message")).contains("2 attempt(s)");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(PRIMARY.requests()).hasSize(1);
    assertThat(SECONDARY.requests()).hasSize(1);
    assertThat(THIRD.requests()).isEmpty();
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("attempts", "2").containsEntry("costMicros", "0");
  }

  @Test
  void totalTimeBoundsEveryAttemptTogether() {
    PRIMARY.always(Reply.stall());
    SECONDARY.always(Reply.stall());
    THIRD.always(Reply.stall());
    // a 30 s first-byte timeout per attempt, but 600 ms for the whole request: were the total not
    // enforced, the test's HTTP client (20 s) would give up first
    Seed seed = seed(PRIMARY.baseUrl(), List.of(), new RoutePlan.Retry(3, 10, 100), new RoutePlan.Timeouts(1_000, 30_000, 600));
    error(chat(seed), 504, "upstream_timeout");
  }

  @Test
  void theReservationCoversTheMostExpensiveFallbackAndSettlementThePriceThatServed() {
    Seed seed = HARNESS.seed().tenant();
    RoutePlan.Target cheap = target("primary", 0, 0);
    RoutePlan.Target dear = new RoutePlan.Target("secondary", "m-secondary", 1, 1, 9_000_000, 9_000_000, 0);
    seed.plan(Map.of("primary", seed.provider(PRIMARY.baseUrl()), "secondary", seed.provider(SECONDARY.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(cheap, dear), List.of())), FAST_RETRY, null);
    // 1000 output tokens: at most ~0.6 ct at the primary's price, ~9000 micros at the secondary's
    seed.cap("day", "Tenant", null, "Reject", Period.Day, 5_000);
    String key = seed.key("k");
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 1000, false));
    error(r, 402, "spend_cap_exceeded");
    assertThat(PRIMARY.requests()).isEmpty();

    Seed roomy = HARNESS.seed().tenant();
    roomy.plan(Map.of("primary", roomy.provider(PRIMARY.baseUrl()), "secondary", roomy.provider(SECONDARY.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(cheap, dear), List.of())), FAST_RETRY, null);
    roomy.cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000);
    r = HARNESS.gateway().post("/v1/chat/completions", roomy.key("k"), TestGateway.chat(Seed.MODEL, 1000, false));
    assertServedBy(r, "primary", 1);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), roomy.tenant, 1);
    assertThat(Long.parseLong(rec.get("reservedMicros"))).isGreaterThanOrEqualTo(9_000);
    assertThat(rec).containsEntry("costMicros", "5").containsEntry("inputPriceMicrosPerMillion", Long.toString(Seed.IN_PRICE));
  }

  @Test
  void aTargetThatCannotExpressTheRequestIsSkipped() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("claude", seed.provider("anthropic", DEAD_URL, null), "primary", seed.provider(PRIMARY.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(target("claude", 0, 0), target("primary", 1, 0)), List.of())),
        FAST_RETRY, null);
    String body = "{\"model\":\"" + Seed.MODEL + "\",\"n\":2,\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), body);
    assertServedBy(r, "primary", 1);

    Seed only = HARNESS.seed().tenant();
    only.plan(Map.of("claude", only.provider("anthropic", DEAD_URL, null)),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(target("claude", 0, 0)), List.of())), FAST_RETRY, null);
    assertThat(error(HARNESS.gateway().post("/v1/chat/completions", only.key("k"), body), 400, "invalid_request")
        .getString("message")).contains("n > 1");
  }
}
