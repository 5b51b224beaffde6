package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.ResponsesApiTest.Event;
import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/messages}, the Anthropic Messages API as Anthropic SDKs and Claude Code call it,
 * through the whole chain against fake Anthropic servers: passed through with the target's model
 * name and credential (never the client's key), billed exactly from Anthropic's usage with cache
 * reads and writes at their prices, limited and capped like chat, falling back before the first
 * byte, ending cut streams with an Anthropic error event, and answering errors in Anthropic's
 * envelope with the gateway's stable codes.
 */
class MessagesApiTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeAnthropic PRIMARY = new FakeAnthropic(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAnthropic SECONDARY = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String PATH = "/v1/messages";
  static final String MODEL = "claude-haiku-4-5";

  /** claude-haiku-4-5: $1 input, $0.10 cache reads, $1.25 cache writes, $5 output per million tokens. */
  static RoutePlan.Target target(String provider, int priority) {
    return new RoutePlan.Target(provider, "claude-haiku-4-5-" + provider, priority, 1, 1_000_000, 5_000_000, 200_000)
        .withCachePrices(100_000L, 1_250_000L);
  }

  /** A tenant whose route for {@link #MODEL} has one Anthropic target per fake, tried in this order. */
  static Seed seed(FakeAnthropic... fakes) {
    Seed seed = HARNESS.seed().tenant();
    Map<String, RoutePlan.Provider> providers = new java.util.LinkedHashMap<>();
    List<RoutePlan.Target> targets = new java.util.ArrayList<>();
    for (int i = 0; i < fakes.length; i++) {
      String name = fakes[i] == PRIMARY ? "primary" : "secondary";
      providers.put(name, seed.provider("anthropic", fakes[i].baseUrl(), null));
      targets.add(target(name, i));
    }
    return seed.plan(providers, List.of(new RoutePlan.Route(MODEL, targets, List.of())),
            new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
  }

  static String body(String extra) {
    return "{\"model\":\"" + MODEL + "\",\"max_tokens\":600,"
        + "\"system\":[{\"type\":\"text\",\"text\":\"You are terse.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]" + extra + "}";
  }

  static HttpResponse<String> post(String body, String... headers) {
    return postTo(PATH, body, headers);
  }

  static HttpResponse<String> postTo(String path, String body, String... headers) {
    return HARNESS.gateway().postWithHeaders(path, body, headers);
  }


  /** Anthropic's usage for 300 uncached input tokens, 20,000 cache reads, 4,000 cache writes. */
  static JsonObject cachedMessage(String text, long outputTokens) {
    JsonObject m = FakeAnthropic.message(text, 300, outputTokens, "end_turn");
    PromptCacheBillingTest.anthropicCache(m);
    return m;
  }

  /**
   * 300 x $1 + 20,000 x $0.10 + 4,000 x $1.25 + 500 x $5 per million = 300 + 2,000 + 5,000 + 2,500
   * = 9,800 micros, in the usage record, the cap's spend and the response header.
   */
  static void billed9800(Seed seed, HttpResponse<String> r, boolean stream, String provider) {
    assertThat(target(provider, 0).costMicros(24_300, 20_000, 4_000, 500)).isEqualTo(9_800);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "messages").containsEntry("stream", Boolean.toString(stream))
        .containsEntry("status", "200").containsEntry("usageSource", "provider")
        .containsEntry("requestedModel", MODEL).containsEntry("servedModel", "claude-haiku-4-5-" + provider)
        .containsEntry("provider", provider)
        .containsEntry("tokensIn", "24300").containsEntry("tokensInCached", "20000").containsEntry("tokensInCacheWrite", "4000")
        .containsEntry("tokensOut", "500").containsEntry("costMicros", "9800").containsEntry("billedMicros", "9800");
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", "9800").containsEntry("reserved", "0"));
    if (!stream) {
      assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("9800");
    }
  }

  /** The upstream call carries the target's credential and model, the client's version and betas, never its key. */
  static void calledAsTheTarget(RecordedRequest up, String clientKey, String provider, boolean stream) {
    assertThat(up.path()).isEqualTo("/v1/messages");
    assertThat(up.header("x-api-key")).isEqualTo(Seed.UPSTREAM_KEY);
    assertThat(up.header("authorization")).isNull();
    assertThat(up.headers().values()).noneMatch(v -> v.contains(clientKey));
    assertThat(up.body()).doesNotContain(clientKey);
    assertThat(up.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(up.header("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
    JsonObject sent = up.json();
    assertThat(sent.getString("model")).isEqualTo("claude-haiku-4-5-" + provider);
    assertThat(sent.getInteger("max_tokens")).isEqualTo(600);
    assertThat(sent.getJsonArray("system").getJsonObject(0).getJsonObject("cache_control").getString("type"))
        .isEqualTo("ephemeral");
    assertThat(sent.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("Say hello");
    assertThat(sent.getBoolean("stream", false)).isEqualTo(stream);
  }

  @Test
  void anAnswerIsPassedThroughWithAnXApiKeyAndBilledExactlyWithCacheReadsAndWrites() {
    Seed seed = seed(PRIMARY);
    PRIMARY.enqueue(Reply.json(200, cachedMessage("Hi there", 500)));
    String key = seed.key("k");

    HttpResponse<String> r = post(body(""), "x-api-key", key, "anthropic-version", "2023-06-01",
        "anthropic-beta", "prompt-caching-2024-07-31");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getString("type")).isEqualTo("message");
    assertThat(answer.getString("model")).isEqualTo(MODEL);
    assertThat(answer.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("Hi there");
    assertThat(answer.getJsonObject("usage").getLong("cache_read_input_tokens")).isEqualTo(20_000);
    calledAsTheTarget(PRIMARY.lastRequest(), key, "primary", false);
    billed9800(seed, r, false, "primary");
  }

  @Test
  void aStreamWithABearerKeyIsPassedThroughEventByEventAndBilledFromMessageStartAndMessageDelta() {
    Seed seed = seed(PRIMARY);
    PRIMARY.enqueue(Reply.sse(PromptCacheBillingTest.edit(
        FakeAnthropic.textEvents(List.of("Hi ", "there"), 300, 500, "end_turn"), PromptCacheBillingTest::anthropicCache)));
    String key = seed.key("k");

    HttpResponse<String> r = post(body(",\"stream\":true"), "authorization", "Bearer " + key,
        "anthropic-version", "2023-06-01", "anthropic-beta", "prompt-caching-2024-07-31");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
    List<Event> events = ResponsesApiTest.events(r.body());
    assertThat(events).extracting(Event::name).containsExactly("message_start", "content_block_start", "ping",
        "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
    assertThat(events).allSatisfy(e -> assertThat(e.data().getString("type")).isEqualTo(e.name()));
    assertThat(events.get(0).data().getJsonObject("message").getString("model")).isEqualTo(MODEL);
    assertThat(text(events)).isEqualTo("Hi there");
    assertThat(r.body()).doesNotContain("[DONE]");
    calledAsTheTarget(PRIMARY.lastRequest(), key, "primary", true);
    billed9800(seed, r, true, "primary");
  }

  @Test
  void aWrongOrMissingKeyIs401InAnthropicsEnvelopeWithTheStableCode() {
    Seed seed = seed(PRIMARY);
    seed.key("k");

    for (HttpResponse<String> r : List.of(post(body(""), "x-api-key", "tg-not-a-key"), post(body("")),
        post(body(""), "authorization", "Bearer tg-not-a-key"))) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
      JsonObject e = new JsonObject(r.body());
      assertThat(e.getString("type")).isEqualTo("error");
      assertThat(e.getJsonObject("error").getString("type")).isEqualTo("authentication_error");
      assertThat(e.getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
      assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }
    assertThat(PRIMARY.requests()).isEmpty();
  }

  @Test
  void aDocumentsTextIsReservedAsThePromptItIsSoACapHoldsAgainstIt() {
    // ~50,000 tokens of plain text as a document block: at $1.25 per million (the cache-write price)
    // plus the margin it reserves ~69,000 micros, past the cap; it was reserved as 1,000 tokens
    Seed seed = seed(PRIMARY).cap("month", "Tenant", null, "Reject", Period.Month, 20_000);
    String text = "word ".repeat(50_000);
    for (String source : List.of(
        "{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"" + text + "\"}",
        "{\"type\":\"content\",\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}]}")) {
      String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":["
          + "{\"type\":\"document\",\"source\":" + source + "},{\"type\":\"text\",\"text\":\"Summarize it.\"}]}]}";

      HttpResponse<String> r = post(body, "x-api-key", seed.key("k"));

      assertThat(r.statusCode()).as(r.body()).isEqualTo(402);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("spend_cap_exceeded");
    }
    assertThat(PRIMARY.requests()).isEmpty();
  }

  @Test
  void aSpendCapRefusesWith402InAnthropicsEnvelopeBeforeAnyProviderIsCalled() {
    Seed seed = seed(PRIMARY).cap("tiny", "Tenant", null, "Reject", Period.Month, 100);

    HttpResponse<String> r = post(body(""), "x-api-key", seed.key("k"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(402);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("billing_error");
    assertThat(e.getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(e.getString("cap")).isEqualTo("tiny");
    assertThat(PRIMARY.requests()).isEmpty();
  }

  @Test
  void aKeyOverItsRequestsPerMinuteGets429WithRetryAfter() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("one-rpm", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5));

    assertThat(post(body(""), "x-api-key", key).statusCode()).isEqualTo(200);
    HttpResponse<String> r = post(body(""), "x-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("rate_limit_error");
    assertThat(e.getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(r.headers().firstValue("retry-after")).isPresent();
    assertThat(PRIMARY.requests()).hasSize(1);
  }

  @Test
  void withoutMaxTokensTheRequestIs400InvalidRequest() {
    HttpResponse<String> r = post("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "x-api-key", seed(PRIMARY).key("k"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("code")).isEqualTo("invalid_request");
    assertThat(e.getString("param")).isEqualTo("max_tokens");
    assertThat(PRIMARY.requests()).isEmpty();
  }

  static Stream<Reply> primaryFailures() {
    return Stream.of(
        Reply.json(529, FakeAnthropic.error("overloaded_error", "Overloaded")),
        Reply.json(500, FakeAnthropic.error("api_error", "Internal server error")),
        Reply.sse(List.of(FakeAnthropic.errorEvent("overloaded_error", "Overloaded"))));
  }

  @ParameterizedTest
  @MethodSource("primaryFailures")
  void aStreamFallsBackToTheSecondAnthropicTargetBeforeTheFirstByte(Reply failure) {
    PRIMARY.always(failure);
    SECONDARY.enqueue(Reply.sse(PromptCacheBillingTest.edit(
        FakeAnthropic.textEvents(List.of("Hi ", "there"), 300, 500, "end_turn"), PromptCacheBillingTest::anthropicCache)));
    Seed seed = seed(PRIMARY, SECONDARY);

    HttpResponse<String> r = post(body(",\"stream\":true"), "x-api-key", seed.key("k"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    List<Event> events = ResponsesApiTest.events(r.body());
    assertThat(events).extracting(Event::name).doesNotContain("error").endsWith("message_stop");
    assertThat(text(events)).isEqualTo("Hi there");
    assertThat(SECONDARY.lastRequest().json().getString("model")).isEqualTo("claude-haiku-4-5-secondary");
    billed9800(seed, r, true, "secondary");
  }

  @Test
  void aCutStreamEndsWithAnAnthropicErrorEventAndIsBilledForThePromptAndTheStreamedText() {
    Seed seed = seed(PRIMARY);
    List<String> pieces = IntStream.range(0, 10).mapToObj(i -> "word" + i + " ").toList();
    // message_start, content_block_start, ping, then three of ten deltas: no message_delta
    PRIMARY.enqueue(Reply.sse(PromptCacheBillingTest.edit(FakeAnthropic.textEvents(pieces, 300, 500, "end_turn"),
        PromptCacheBillingTest::anthropicCache)).cutAfter(6));

    HttpResponse<String> r = post(body(",\"stream\":true"), "x-api-key", seed.key("k"));

    assertThat(r.statusCode()).isEqualTo(200);
    List<Event> events = ResponsesApiTest.events(r.body());
    Event last = events.get(events.size() - 1);
    assertThat(last.name()).isEqualTo("error");
    assertThat(last.data().getString("type")).isEqualTo("error");
    assertThat(last.data().getJsonObject("error").getString("type")).isEqualTo("api_error");
    assertThat(last.data().getJsonObject("error").getString("code")).isEqualTo("upstream_error");
    assertThat(last.data().getJsonObject("error").getString("message")).contains("primary");
    String streamed = text(events);
    assertThat(streamed).isEqualTo("word0 word1 word2 ");
    long tokensOut = TOKENS.count(streamed);
    long cost = target("primary", 0).costMicros(24_300, 20_000, 4_000, tokensOut);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "messages")
        .containsEntry("status", "502").containsEntry("errorCode", "upstream_error")
        .containsEntry("usageSource", "provider-prompt").containsEntry("tokensIn", "24300")
        .containsEntry("tokensInCached", "20000").containsEntry("tokensInCacheWrite", "4000")
        .containsEntry("tokensOut", Long.toString(tokensOut)).containsEntry("costMicros", Long.toString(cost));
  }

  @Test
  void aRouteWithOnlyOpenAiTargetsAnswersEndpointNotSupportedAndConsumesNothing() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("openai", seed.provider(HARNESS.fake().baseUrl())),
        List.of(new RoutePlan.Route(MODEL, List.of(target("openai", 0)), List.of())), null, null);
    String key = seed.key("one-rpm", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // the refusal and the chat request in one window

    HttpResponse<String> r = post(body(""), "x-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(e.getString("param")).isEqualTo("model");
    assertThat(HARNESS.fake().requests()).isEmpty();
    // the key's one request per minute is still there for a chat completion, the only usage record
    HttpResponse<String> chat = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(MODEL, 50, false));
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "chat.completions");
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).hasSize(1);
  }

  static final String COUNT_PATH = "/v1/messages/count_tokens";

  /** A token-counting body as Claude Code sends it: no max_tokens. */
  static String countBody() {
    return "{\"model\":\"" + MODEL + "\","
        + "\"system\":[{\"type\":\"text\",\"text\":\"You are terse.\"}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
  }

  /**
   * A token count is free at the provider: it reaches the target as the target (its model and
   * credential, never the client's key), the provider's count comes back as it is, and nothing is
   * reserved, spent or recorded: the messages call after it is the tenant's only record and spend.
   */
  @Test
  void aTokenCountIsPassedThroughAsTheTargetAndBillsNothing() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("k");
    PRIMARY.enqueue(Reply.json(200, new JsonObject().put("input_tokens", 2095)));

    HttpResponse<String> r = postTo(COUNT_PATH, countBody(), "x-api-key", key, "anthropic-version", "2023-06-01",
        "anthropic-beta", "token-counting-2024-11-01");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("input_tokens", 2095));
    RecordedRequest up = PRIMARY.lastRequest();
    assertThat(up.path()).isEqualTo(FakeAnthropic.COUNT_TOKENS_PATH);
    assertThat(up.header("x-api-key")).isEqualTo(Seed.UPSTREAM_KEY);
    assertThat(up.header("authorization")).isNull();
    assertThat(up.headers().values()).noneMatch(v -> v.contains(key));
    assertThat(up.body()).doesNotContain(key);
    assertThat(up.header("anthropic-beta")).isEqualTo("token-counting-2024-11-01");
    assertThat(up.json().getString("model")).isEqualTo("claude-haiku-4-5-primary");
    assertThat(up.json().containsKey("max_tokens")).isFalse();
    assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
    assertThat(HARNESS.redis().zcard(RedisKeys.reservationLeases(seed.tenant))).isZero();
    // served, so counted in the request metrics (with no cost)
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(HARNESS.gateway().metrics.scrape())
        .containsPattern("tollgate_requests_total\\{endpoint=\"messages.count_tokens\",[^}]*tenant=\"" + seed.tenant.id() + "\""));

    // a bearer key works too; then a real message: the only record, the only spend
    HttpResponse<String> bearer = postTo(COUNT_PATH, countBody(), "authorization", "Bearer " + key);
    assertThat(bearer.statusCode()).as(bearer.body()).isEqualTo(200);
    assertThat(new JsonObject(bearer.body()).getLong("input_tokens")).isEqualTo(FakeAnthropic.DEFAULT_INPUT_TOKENS);
    PRIMARY.enqueue(Reply.json(200, cachedMessage("Hi there", 500)));
    HttpResponse<String> message = post(body(""), "x-api-key", key);
    assertThat(message.statusCode()).as(message.body()).isEqualTo(200);
    billed9800(seed, message, false, "primary");
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).hasSize(1);
    assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now()))))
        .containsEntry("costMicros", "9800");
  }

  /** A token count is a request: it counts against the key's RPM (not its TPM: it consumes no tokens). */
  @Test
  void aTokenCountCountsAgainstRequestsPerMinuteOnly() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("two-rpm", 2, 1_000, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5));
    long minute = System.currentTimeMillis() / 60_000;

    assertThat(postTo(COUNT_PATH, countBody(), "x-api-key", key).statusCode()).isEqualTo(200);
    assertThat(postTo(COUNT_PATH, countBody(), "x-api-key", key).statusCode()).isEqualTo(200);
    HttpResponse<String> r = postTo(COUNT_PATH, countBody(), "x-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
    JsonObject e = new JsonObject(r.body());
    assertThat(e.getString("type")).isEqualTo("error");
    assertThat(e.getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(e.getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(PRIMARY.requests()).hasSize(2);
    assertThat(HARNESS.redis().get(RedisKeys.rateWindow(seed.tenant, "k", "two-rpm", "req", minute))).isEqualTo("2");
    assertThat(HARNESS.redis().exists(RedisKeys.rateWindow(seed.tenant, "k", "two-rpm", "tok", minute))).isFalse();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
  }

  @Test
  void aTokenCountWithAWrongKeyIs401InAnthropicsEnvelope() {
    seed(PRIMARY).key("k");

    for (HttpResponse<String> r : List.of(postTo(COUNT_PATH, countBody(), "x-api-key", "tg-not-a-key"),
        postTo(COUNT_PATH, countBody(), "authorization", "Bearer tg-not-a-key"))) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
      JsonObject e = new JsonObject(r.body());
      assertThat(e.getString("type")).isEqualTo("error");
      assertThat(e.getJsonObject("error").getString("type")).isEqualTo("authentication_error");
      assertThat(e.getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
    }
    assertThat(PRIMARY.requests()).isEmpty();
  }

  @Test
  void aTokenCountOnARouteWithOnlyOpenAiTargetsAnswersEndpointNotSupported() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("openai", seed.provider(HARNESS.fake().baseUrl())),
        List.of(new RoutePlan.Route(MODEL, List.of(target("openai", 0)), List.of())), null, null);

    HttpResponse<String> r = postTo(COUNT_PATH, countBody(), "x-api-key", seed.key("k"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body());
    assertThat(e.getString("type")).isEqualTo("error");
    assertThat(e.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getJsonObject("error").getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(HARNESS.fake().requests()).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
  }

  @Test
  void anUnknownPathUnderMessagesIs404InAnthropicsEnvelope() {
    HttpResponse<String> r = postTo("/v1/messages/batches", countBody(), "x-api-key", seed(PRIMARY).key("k"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    JsonObject e = new JsonObject(r.body());
    assertThat(e.getString("type")).isEqualTo("error");
    assertThat(e.getJsonObject("error").getString("type")).isEqualTo("not_found_error");
    assertThat(e.getJsonObject("error").getString("code")).isEqualTo("unknown_url");
    // elsewhere unknown paths keep the OpenAI envelope
    HttpResponse<String> other = postTo("/v1/nothing", countBody());
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(other.body()).getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(PRIMARY.requests()).isEmpty();
  }

  /** The text of the text deltas, in order. */
  static String text(List<Event> events) {
    StringBuilder sb = new StringBuilder();
    events.stream().filter(e -> "content_block_delta".equals(e.name()))
        .forEach(e -> sb.append(e.data().getJsonObject("delta").getString("text", "")));
    return sb.toString();
  }
}
