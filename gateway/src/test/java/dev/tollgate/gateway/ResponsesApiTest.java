package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Responses;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.OpenAiShapedRoutes;
import dev.tollgate.gateway.support.OpenAiShapedRoutes.Case;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/responses} through the whole chain against fake providers speaking the Responses
 * wire format: passed through with the target's model name, billed exactly from the provider's
 * usage (cached input at the cached price; streams from {@code response.completed}), limited and
 * capped like chat, falling back before the first byte, and ending cut streams with an error event.
 */
class ResponsesApiTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAzureOpenAi AZURE = new FakeAzureOpenAi(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String PATH = "/v1/responses";

  /** gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million tokens. */
  static RoutePlan.Target target(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 150_000, 600_000, 128_000)
        .withCachePrices(75_000L, null);
  }

  /** A tenant whose route for {@link Seed#MODEL} has one target per provider, tried in this order. */
  static Seed seed(Map<String, RoutePlan.Provider> providers, List<String> order, Seed seed) {
    return OpenAiShapedRoutes.route(seed, providers, order, ResponsesApiTest::target);
  }

  static Seed openAi() {
    Seed seed = HARNESS.seed().tenant();
    return seed(Map.of("p", seed.provider(HARNESS.fake().baseUrl())), List.of("p"), seed);
  }

  static String body(String extra) {
    return "{\"model\":\"" + Seed.MODEL + "\",\"instructions\":\"Be brief.\",\"input\":[{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"input_text\",\"text\":\"Say hello\"}]}],\"max_output_tokens\":600" + extra + "}";
  }

  static Stream<Case> providers() {
    return Stream.of(
        new Case("openai-compatible", HARNESS.fake(), "openai-compatible", null, "/v1/responses", null),
        new Case("azure-openai v1", AZURE, "azure-openai", "v1", "/openai/v1/responses", null),
        new Case("azure-openai dated", AZURE, "azure-openai", "2025-04-01-preview", "/openai/responses", "2025-04-01-preview"));
  }

  static Seed seed(Case c) {
    Seed seed = HARNESS.seed().tenant();
    return seed(Map.of("p", seed.provider(c.type(), c.fake().baseUrl(), c.apiVersion())), List.of("p"), seed);
  }

  /** The tenant stored {@code resp_previous} at provider "p" (ADR 0050): its follow-ups are routed there. */
  static Seed storedPrevious(Seed seed) {
    HARNESS.redis().set(RedisKeys.storedResponse(seed.tenant, "resp_previous"), new JsonObject()
        .put("policy", seed.tenant.namespace() + "/" + seed.policy).put("provider", "p").put("model", "up-p").encode());
    return seed;
  }

  /** The upstream call: the provider's path and credential, the target's model, the rest untouched. */
  static void calledAsTheProviderDocuments(Case c, RecordedRequest up, boolean stream) {
    JsonObject sent = OpenAiShapedRoutes.calledAt(c, up);
    assertThat(sent.getString("model")).isEqualTo("up-p");
    assertThat(sent.getString("instructions")).isEqualTo("Be brief.");
    assertThat(sent.getString("previous_response_id")).isEqualTo("resp_previous");
    assertThat(sent.getBoolean("store")).isTrue();
    assertThat(sent.getJsonArray("input").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo("Say hello");
    assertThat(sent.getBoolean("stream", false)).isEqualTo(stream);
    assertThat(sent.containsKey("stream_options")).isFalse();
  }

  /** 10,000 in (8,000 cached), 500 out: 2,000 x 0.15 + 8,000 x 0.075 + 500 x 0.60 = 1,200 micros. */
  static void billed1200(Seed seed, boolean stream) {
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "responses").containsEntry("stream", Boolean.toString(stream))
        .containsEntry("status", "200").containsEntry("usageSource", "provider")
        .containsEntry("requestedModel", Seed.MODEL).containsEntry("servedModel", "up-p").containsEntry("provider", "p")
        .containsEntry("tokensIn", "10000").containsEntry("tokensInCached", "8000").containsEntry("tokensOut", "500")
        .containsEntry("costMicros", "1200").containsEntry("billedMicros", "1200");
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", "1200").containsEntry("reserved", "0"));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void anAnswerIsPassedThroughAndBilledExactlyWithCachedInputAtTheCachedPrice(Case c) {
    Seed seed = storedPrevious(seed(c));
    c.fake().enqueue(Reply.json(200, Responses.response("Hi there", 10_000, 8_000, 500, 120)));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"previous_response_id\":\"resp_previous\",\"store\":true"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("1200");
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getString("object")).isEqualTo("response");
    assertThat(answer.getString("id")).isEqualTo(Responses.ID);
    assertThat(answer.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(answer.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo("Hi there");
    assertThat(answer.getJsonObject("usage").getJsonObject("output_tokens_details").getLong("reasoning_tokens")).isEqualTo(120);
    calledAsTheProviderDocuments(c, c.fake().lastRequest(), false);
    billed1200(seed, false);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aStreamIsPassedThroughEventByEventAndBilledFromResponseCompleted(Case c) {
    Seed seed = storedPrevious(seed(c));
    c.fake().enqueue(Reply.sse(Responses.textEvents(List.of("Hi ", "there"), 10_000, 8_000, 500)));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"),
        body(",\"stream\":true,\"previous_response_id\":\"resp_previous\",\"store\":true"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
    List<Event> events = events(r.body());
    assertThat(events).extracting(Event::name).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done",
        "response.output_item.done", "response.completed");
    assertThat(events).allSatisfy(e -> assertThat(e.data().getString("type")).isEqualTo(e.name()));
    assertThat(r.body()).doesNotContain("[DONE]");
    JsonObject completed = events.get(events.size() - 1).data().getJsonObject("response");
    assertThat(completed.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(completed.getJsonObject("usage").getLong("input_tokens")).isEqualTo(10_000);
    assertThat(text(events)).isEqualTo("Hi there");
    calledAsTheProviderDocuments(c, c.fake().lastRequest(), true);
    billed1200(seed, true);
  }

  @Test
  void withoutMaxOutputTokensTheDefaultCeilingIsReservedAndSentUpstream() {
    Seed seed = openAi();
    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"),
        "{\"model\":\"" + Seed.MODEL + "\",\"input\":\"Say hello\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject sent = HARNESS.fake().lastRequest().json();
    assertThat(sent.getInteger("max_output_tokens")).isEqualTo(4096);
    assertThat(sent.containsKey("max_tokens")).isFalse();
    assertThat(sent.getString("input")).isEqualTo("Say hello");
    // 10 in, 5 out at the list prices: 2 + 3 micros
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("5");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "responses")
        .containsEntry("tokensIn", "10").containsEntry("tokensOut", "5");
  }

  @Test
  void aSpendCapRefusesWith402BeforeAnyProviderIsCalled() {
    Seed seed = openAi().cap("tiny", "Tenant", null, "Reject", Period.Month, 100);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(402);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(e.getString("cap")).isEqualTo("tiny");
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  @Test
  void aKeyOverItsRequestsPerMinuteGets429() {
    Seed seed = openAi();
    String key = seed.key("one-rpm", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // both requests in one window

    assertThat(HARNESS.gateway().post(PATH, key, body("")).statusCode()).isEqualTo(200);
    HttpResponse<String> r = HARNESS.gateway().post(PATH, key, body(""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("rate_limit_exceeded");
    assertThat(r.headers().firstValue("retry-after")).isPresent();
    assertThat(HARNESS.fake().requests()).hasSize(1);
  }

  @Test
  void aStreamFallsBackFromA5xxPrimaryToTheSecondaryBeforeTheFirstByte() {
    HARNESS.fake().always(Reply.json(503, FakeOpenAiCompatible.error("overloaded", "server_error", null)));
    SECONDARY.enqueue(Reply.sse(Responses.textEvents(List.of("Hi ", "there"), 10_000, 8_000, 500)));
    Seed seed = HARNESS.seed().tenant();
    seed(Map.of("primary", seed.provider(HARNESS.fake().baseUrl()), "secondary", seed.provider(SECONDARY.baseUrl())),
        List.of("primary", "secondary"), seed);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"stream\":true"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(text(events(r.body()))).isEqualTo("Hi there");
    assertThat(SECONDARY.lastRequest().json().getString("model")).isEqualTo("up-secondary");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "responses")
        .containsEntry("provider", "secondary").containsEntry("attempts", "2").containsEntry("costMicros", "1200");
  }

  @Test
  void aCutStreamEndsWithAnErrorEventAndIsBilledForTheStreamedText() {
    Seed seed = openAi();
    List<String> pieces = IntStream.range(0, 20).mapToObj(i -> "word" + i + " ").toList();
    // created, in_progress, item added, part added, then three of twenty deltas: no response.completed
    HARNESS.fake().enqueue(Reply.sse(Responses.textEvents(pieces, 10_000, 8_000, 500)).cutAfter(7));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(200);
    List<Event> events = events(r.body());
    Event last = events.get(events.size() - 1);
    assertThat(last.name()).isEqualTo("error");
    assertThat(last.data().getString("type")).isEqualTo("error");
    assertThat(last.data().getString("code")).isEqualTo("upstream_error");
    assertThat(last.data().getLong("sequence_number")).isEqualTo(7);
    assertThat(last.data().getJsonObject("error").getString("code")).isEqualTo("upstream_error");
    String streamed = text(events);
    assertThat(streamed).isEqualTo("word0 word1 word2 ");
    long tokensOut = TOKENS.count(streamed);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    long tokensIn = Long.parseLong(rec.get("tokensIn"));
    assertThat(rec).containsEntry("endpoint", "responses").containsEntry("status", "502").containsEntry("errorCode", "upstream_error")
        .containsEntry("usageSource", "estimated").containsEntry("tokensOut", Long.toString(tokensOut))
        .containsEntry("costMicros", Long.toString(target("p", 0).costMicros(tokensIn, 0, 0, tokensOut)));
    assertThat(tokensIn).isPositive().isLessThan(100); // the prompt estimate, not the 10,000 never reported
  }

  @Test
  void anUpstreamResponseFailedEventEndsTheStreamWithOneErrorEventAndBillsItsUsage() {
    Seed seed = openAi();
    List<String> events = new ArrayList<>(Responses.textEvents(List.of("Hi "), 10_000, 8_000, 500).subList(0, 5));
    JsonObject failed = Responses.response("Hi ", 10_000, 8_000, 500, 0).put("status", "failed")
        .put("error", new JsonObject().put("code", "server_error").put("message", "The model crashed"));
    events.add(Responses.event("response.failed", new JsonObject().put("sequence_number", 5).put("response", failed)));
    HARNESS.fake().enqueue(Reply.sse(events));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"stream\":true"));

    List<Event> seen = events(r.body());
    assertThat(seen).extracting(Event::name).doesNotContain("response.failed").endsWith("response.output_text.delta", "error");
    assertThat(seen.get(seen.size() - 1).data().getString("message")).contains("The model crashed");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("status", "502")
        .containsEntry("usageSource", "provider").containsEntry("costMicros", "1200");
  }

  @Test
  void aClientThatHangsUpCancelsTheUpstreamAndIsBilledForWhatWasStreamed() {
    Seed seed = openAi();
    List<String> pieces = IntStream.range(0, 400).mapToObj(i -> "word" + i + " ").toList();
    HARNESS.fake().enqueue(Reply.sse(Responses.textEvents(pieces, 10, 0, 400)).eventDelayMs(20));

    assertThat(HARNESS.gateway().readThenHangUp(PATH, seed.key("k"), body(",\"stream\":true"), 8)).isEqualTo(8);

    await().atMost(Duration.ofSeconds(5)).until(() -> HARNESS.fake().lastRequest().clientDisconnected());
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "responses").containsEntry("status", "499")
        .containsEntry("errorCode", "client_closed").containsEntry("usageSource", "estimated");
    // at least the four deltas the client read (about three tokens each), far fewer than the 400 on offer
    assertThat(Long.parseLong(rec.get("tokensOut"))).isGreaterThanOrEqualTo(4).isLessThan(600);
    assertThat(HARNESS.fake().lastRequest().eventsSent()).isLessThan(300);
  }

  @Test
  void aRouteWhoseProvidersCannotServeTheResponsesApiIsRefusedBeforeAdmissionAndCostsNothing() {
    Seed seed = HARNESS.seed().tenant();
    seed(Map.of("claude", seed.provider("anthropic", ANTHROPIC.baseUrl(), null)), List.of("claude"), seed);
    String key = seed.key("one-rpm", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // the refusal and the chat request in one window

    HttpResponse<String> r = HARNESS.gateway().post(PATH, key, body(""));
    HttpResponse<String> embeddings = HARNESS.gateway().post("/v1/embeddings", key,
        "{\"model\":\"" + Seed.MODEL + "\",\"input\":\"hi\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("param")).isEqualTo("model");
    assertThat(embeddings.statusCode()).as(embeddings.body()).isEqualTo(400);
    assertThat(new JsonObject(embeddings.body()).getJsonObject("error").getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(ANTHROPIC.requests()).isEmpty();
    // neither refusal counted: the key's one request per minute still serves a chat completion
    HttpResponse<String> chat = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "chat.completions");
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).hasSize(1);
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", Long.toString(target("claude", 0).costMicros(FakeAnthropic.DEFAULT_INPUT_TOKENS,
                FakeAnthropic.DEFAULT_OUTPUT_TOKENS))).containsEntry("reserved", "0"));
  }

  @Test
  void theReservationIsPricedAtTheTargetsThatServeTheEndpointNotAtASkippedDearerOne() {
    Seed seed = HARNESS.seed().tenant();
    // $600 per million output tokens: 600 reserved output tokens would be 360,000 micros there
    RoutePlan.Target dear = new RoutePlan.Target("claude", "up-claude", 0, 1, 600_000_000, 600_000_000, 200_000);
    seed.plan(Map.of("claude", seed.provider("anthropic", ANTHROPIC.baseUrl(), null), "p", seed.provider(HARNESS.fake().baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(dear, target("p", 1)), List.of())), null, null);
    // room for the OpenAI target's worst case (about 370 micros), not for the Anthropic one's
    seed.cap("small", "Tenant", null, "Reject", Period.Month, 10_000);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    assertThat(ANTHROPIC.requests()).isEmpty();
    // the same request on chat, which the Anthropic target serves, is priced at it and refused
    HttpResponse<String> chat = HARNESS.gateway().post("/v1/chat/completions", seed.key("k2"), TestGateway.chat(Seed.MODEL, 600, false));
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(402);
  }

  @Test
  void anAnthropicTargetIsSkippedForTheNextOneThatServesTheResponsesApi() {
    OpenAiShapedRoutes.servedPastAnAnthropicTarget(HARNESS, ANTHROPIC, PATH, body(""), ResponsesApiTest::target);
  }


  @ParameterizedTest
  @MethodSource("invalidBodies")
  void invalidBodiesAnswer400WithTheParamNamed(String body, String param) {
    OpenAiShapedRoutes.invalid(HARNESS.gateway().post(PATH, openAi().key("k"), body), param);
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> invalidBodies() {
    String m = "\"model\":\"" + Seed.MODEL + "\"";
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("{\"input\":\"hi\"}", "model"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + "}", "input"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":[]}", "input"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":42}", "input"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":[\"hi\"]}", "input"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":\"hi\",\"instructions\":[]}", "instructions"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":\"hi\",\"max_output_tokens\":\"9\"}", "max_output_tokens"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":\"hi\",\"max_output_tokens\":0}", "max_output_tokens"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":\"hi\",\"stream\":\"yes\"}", "stream"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":\"hi\",\"store\":\"yes\"}", "store"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":\"hi\",\"tools\":{}}", "tools"),
        org.junit.jupiter.params.provider.Arguments.of("{" + m + ",\"input\":\"hi\",\"previous_response_id\":1}", "previous_response_id"));
  }

  /** One SSE event the client got. */
  record Event(String name, JsonObject data) {}

  static List<Event> events(String sse) {
    List<Event> out = new ArrayList<>();
    for (String block : sse.split("\n\n")) {
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (data != null) {
        out.add(new Event(name, new JsonObject(data)));
      }
    }
    return out;
  }

  /** The text of the output_text deltas, in order. */
  static String text(List<Event> events) {
    StringBuilder sb = new StringBuilder();
    events.stream().filter(e -> "response.output_text.delta".equals(e.name()))
        .forEach(e -> sb.append(e.data().getString("delta")));
    return sb.toString();
  }
}
