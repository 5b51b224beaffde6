package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.ResponsesApiTest.Event;
import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeGoogleOAuth;
import dev.tollgate.gateway.fake.FakeVertexAi;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1/messages} (Claude Code, Anthropic SDKs) to Claude on Vertex AI through the whole
 * gateway: the client's Messages body goes to rawPredict / streamRawPredict with Vertex AI's {@code
 * anthropic_version} and without {@code model}, as an access token from a fake Google token
 * endpoint, and is billed exactly from Anthropic's usage; a Gemini target never serves it.
 */
class VertexMessagesTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeGoogleOAuth OAUTH = new FakeGoogleOAuth();
  @RegisterExtension
  static final FakeVertexAi VERTEX = new FakeVertexAi("acme-prod", "europe-west4", OAUTH::valid);

  static final String MODEL = "claude-sonnet-4";
  static final String CLAUDE_MODEL = "claude-sonnet-4@20250514";
  static final String CLAUDE_PATH =
      "/v1/projects/acme-prod/locations/europe-west4/publishers/anthropic/models/claude-sonnet-4@20250514";
  static final String BETA = "interleaved-thinking-2025-05-14";

  /** $3 input, $0.30 cache reads, $3.75 5-minute and $6 1-hour cache writes, $15 output per million; $10 per 1,000 searches. */
  static final RoutePlan.Target CLAUDE = new RoutePlan.Target("vertex-ai", CLAUDE_MODEL, 1, 1, 3_000_000, 15_000_000, 200_000)
      .withCachePrices(300_000L, 3_750_000L).withCacheWriteLongPrice(6_000_000L).withWebSearchPrice(10_000_000L);
  static final RoutePlan.Target GEMINI = new RoutePlan.Target("vertex-ai", "gemini-2.5-flash", 0, 1, 300_000, 2_500_000, 1_000_000);

  /** A tenant whose route for {@link #MODEL} goes to these targets of one Vertex AI provider, with a daily cap. */
  static Seed seed(RoutePlan.Target... targets) {
    Seed seed = HARNESS.seed().tenant();
    return seed.plan(
            Map.of("vertex-ai", seed.vertexProvider(VERTEX.baseUrl(), OAUTH.account().json(), "acme-prod", "europe-west4")),
            List.of(new RoutePlan.Route(MODEL, List.of(targets), List.of())),
            new RoutePlan.Retry(1, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
  }

  static String body(String extra) {
    return "{\"model\":\"" + MODEL + "\",\"max_tokens\":600,"
        + "\"system\":[{\"type\":\"text\",\"text\":\"You are terse.\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]" + extra + "}";
  }

  static HttpResponse<String> post(String path, String body, String key) {
    return HARNESS.gateway().postWithHeaders(path, body, "x-api-key", key, "anthropic-version", "2023-06-01",
        "anthropic-beta", BETA);
  }

  /** The one call to Vertex AI went to {@code method} as a Google access token, with Vertex AI's body and the client's beta. */
  static void calledAsVertex(String method, String clientKey, boolean stream) {
    assertThat(VERTEX.requests()).hasSize(1);
    RecordedRequest up = VERTEX.lastRequest();
    assertThat(up.path()).isEqualTo(CLAUDE_PATH + ":" + method);
    assertThat(up.header("authorization")).startsWith("Bearer ");
    assertThat(OAUTH.issuedTo()).containsKey(up.header("authorization").substring("Bearer ".length()));
    assertThat(up.header("x-api-key")).isNull();
    assertThat(up.headers().values()).noneMatch(v -> v.contains(clientKey));
    assertThat(up.body()).doesNotContain(clientKey);
    assertThat(up.header("anthropic-beta")).isEqualTo(BETA);
    assertThat(up.header("anthropic-version")).as("Vertex AI takes the version in the body").isNull();
    JsonObject sent = up.json();
    assertThat(sent.containsKey("model")).isFalse();
    assertThat(sent.getString("anthropic_version")).isEqualTo("vertex-2023-10-16");
    assertThat(sent.getInteger("max_tokens")).isEqualTo(600);
    assertThat(sent.getJsonArray("system").getJsonObject(0).getJsonObject("cache_control").getString("ttl")).isEqualTo("1h");
    assertThat(sent.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("Say hello");
    assertThat(sent.getBoolean("stream", false)).isEqualTo(stream);
  }

  /** The usage record and the cap's spend hold exactly {@code cost}, nothing left reserved. */
  static void billed(Seed seed, boolean stream, long cost, Map<String, String> counts) {
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "messages").containsEntry("stream", Boolean.toString(stream))
        .containsEntry("status", "200").containsEntry("usageSource", "provider").containsEntry("provider", "vertex-ai")
        .containsEntry("requestedModel", MODEL).containsEntry("servedModel", CLAUDE_MODEL)
        .containsEntry("costMicros", Long.toString(cost)).containsAllEntriesOf(counts);
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", Long.toString(cost)).containsEntry("reserved", "0"));
  }

  @Test
  void anAnswerGoesToRawPredictAndIsBilledWithCacheReadsAndFiveMinuteAndOneHourWrites() {
    Seed seed = seed(GEMINI, CLAUDE);
    JsonObject message = FakeAnthropic.message("Hi there", 300, 500, "end_turn");
    PromptCacheBillingTest.anthropicCacheWithLongWrites(message);
    VERTEX.enqueue(Reply.json(200, message));
    String key = seed.key("k");

    HttpResponse<String> r = post("/v1/messages", body(""), key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getString("type")).isEqualTo("message");
    assertThat(answer.getString("model")).isEqualTo(MODEL);
    assertThat(answer.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("Hi there");
    assertThat(answer.getJsonObject("usage").getJsonObject("cache_creation").getLong("ephemeral_1h_input_tokens"))
        .isEqualTo(3_000);
    // the Gemini target comes first in the route, but only the Claude one serves the Messages API
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    calledAsVertex("rawPredict", key, false);
    // 300 x $3 + 20,000 x $0.30 + 1,000 x $3.75 + 3,000 x $6 + 500 x $15 per million
    // = 900 + 6,000 + 3,750 + 18,000 + 7,500 = 36,150 micros
    long cost = CLAUDE.costMicros(24_300, 20_000, 4_000, 3_000, 500);
    assertThat(cost).isEqualTo(36_150);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(cost));
    billed(seed, false, cost, Map.of("tokensIn", "24300", "tokensInCached", "20000", "tokensInCacheWrite", "4000",
        "tokensOut", "500"));
  }

  @Test
  void aStreamGoesToStreamRawPredictEventByEventAndIsBilledWithItsWebSearches() {
    Seed seed = seed(CLAUDE);
    VERTEX.enqueue(Reply.sse(FakeAnthropic.webSearchEvents(List.of("Here is ", "the news."), 2, 1_000, 200)));
    String key = seed.key("k");

    HttpResponse<String> r = post("/v1/messages", body(
        ",\"stream\":true,\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5}]"), key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
    List<Event> events = ResponsesApiTest.events(r.body());
    assertThat(events).first().extracting(Event::name).isEqualTo("message_start");
    assertThat(events).last().extracting(Event::name).isEqualTo("message_stop");
    assertThat(events).allSatisfy(e -> assertThat(e.data().getString("type")).isEqualTo(e.name()));
    assertThat(events.get(0).data().getJsonObject("message").getString("model")).isEqualTo(MODEL);
    assertThat(events).filteredOn(e -> "content_block_start".equals(e.name()))
        .extracting(e -> e.data().getJsonObject("content_block").getString("type")).contains("web_search_tool_result");
    assertThat(MessagesApiTest.text(events)).isEqualTo("Here is the news.");
    assertThat(r.body()).doesNotContain("[DONE]");
    calledAsVertex("streamRawPredict", key, true);
    // 1,000 x $3 + 200 x $15 per million = 6,000 micros, plus 2 searches x $0.01
    long cost = CLAUDE.costMicros(1_000, 200) + 2 * 10_000;
    assertThat(cost).isEqualTo(26_000);
    billed(seed, true, cost, Map.of("tokensIn", "1000", "tokensOut", "200"));
  }

  @Test
  void aRouteWithOnlyAGeminiTargetOnVertexAnswersEndpointNotSupportedWithNothingReserved() {
    Seed seed = seed(GEMINI);
    String key = seed.key("k");

    HttpResponse<String> r = post("/v1/messages", body(""), key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body());
    assertThat(e.getString("type")).isEqualTo("error");
    assertThat(e.getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getJsonObject("error").getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(VERTEX.requests()).isEmpty();
    assertThat(OAUTH.tokenRequests()).as("refused before any token is fetched").isZero();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
    assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now()))))
        .doesNotContainKey("reserved").doesNotContainKey("spent");
  }

  @Test
  void aTokenCountIsNotServedByClaudeOnVertex() {
    Seed seed = seed(CLAUDE);

    HttpResponse<String> r = post("/v1/messages/count_tokens",
        "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", seed.key("k"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(VERTEX.requests()).isEmpty();
  }
}
