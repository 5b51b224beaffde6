package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.Completions;
import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
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
import io.vertx.core.json.JsonArray;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /v1/completions} (OpenAI's legacy text completions, as code autocomplete and FIM
 * clients call it) through the whole chain against fake providers speaking that wire format:
 * passed through with the target's model name, reserved for every completion it may generate,
 * billed exactly from the provider's usage (streams from their usage chunk), falling back before
 * the first byte, ending cut streams with an error event, and refused before admission on a route
 * whose providers cannot serve it.
 */
class CompletionsApiTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAzureOpenAi AZURE = new FakeAzureOpenAi(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String PATH = "/v1/completions";
  static final String PREFIX = "def add(a, b):\n    ";
  static final String SUFFIX = "\n\nprint(add(1, 2))";

  /** $0.15 input, $0.60 output per million tokens. */
  static RoutePlan.Target target(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 150_000, 600_000, 128_000);
  }

  /** A tenant whose route for {@link Seed#MODEL} has one target per provider, tried in this order. */
  static Seed seed(Map<String, RoutePlan.Provider> providers, List<String> order, Seed seed) {
    return OpenAiShapedRoutes.route(seed, providers, order, CompletionsApiTest::target);
  }

  static Seed openAi() {
    Seed seed = HARNESS.seed().tenant();
    return seed(Map.of("p", seed.provider(HARNESS.fake().baseUrl())), List.of("p"), seed);
  }

  /** A fill-in-the-middle body, as an autocomplete client sends it. */
  static String body(String extra) {
    return new JsonObject().put("model", Seed.MODEL).put("prompt", PREFIX).put("suffix", SUFFIX)
        .put("max_tokens", 64).put("temperature", 0).encode().replace("}", extra + "}");
  }

  static Stream<Case> providers() {
    return Stream.of(
        new Case("openai-compatible", HARNESS.fake(), "openai-compatible", null, "/v1/completions", null),
        new Case("azure-openai deployment", AZURE, "azure-openai", null, "/openai/deployments/up-p/completions", "2024-10-21"),
        new Case("azure-openai v1", AZURE, "azure-openai", "v1", "/openai/v1/completions", null));
  }

  static Seed seed(Case c) {
    Seed seed = HARNESS.seed().tenant();
    return seed(Map.of("p", seed.provider(c.type(), c.fake().baseUrl(), c.apiVersion())), List.of("p"), seed);
  }

  /** The upstream call: the provider's path and credential, the target's model, prompt and suffix untouched. */
  static JsonObject calledAsTheProviderDocuments(Case c, RecordedRequest up) {
    JsonObject sent = OpenAiShapedRoutes.calledAt(c, up);
    // a deployment URL names the model; everywhere else the body does
    assertThat(sent.getString("model")).isEqualTo(c.path().contains("/deployments/") ? null : "up-p");
    assertThat(sent.getString("prompt")).isEqualTo(PREFIX);
    assertThat(sent.getString("suffix")).isEqualTo(SUFFIX);
    assertThat(sent.getInteger("max_tokens")).isEqualTo(64);
    return sent;
  }

  /** 10,000 in, 500 out: 10,000 x 0.15 + 500 x 0.60 = 1,800 micros, in the record and the spend. */
  static void billed1800(Seed seed, boolean stream) {
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "completions").containsEntry("stream", Boolean.toString(stream))
        .containsEntry("status", "200").containsEntry("usageSource", "provider")
        .containsEntry("requestedModel", Seed.MODEL).containsEntry("servedModel", "up-p").containsEntry("provider", "p")
        .containsEntry("tokensIn", "10000").containsEntry("tokensOut", "500")
        .containsEntry("costMicros", "1800").containsEntry("billedMicros", "1800");
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", "1800").containsEntry("reserved", "0"));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void anAnswerIsPassedThroughAndBilledExactlyFromTheProvidersUsage(Case c) {
    Seed seed = seed(c);
    JsonObject upstream = Completions.completion(List.of("return a + b"), 10_000, 500);
    if (c.type().equals("azure-openai")) {
      // Azure annotates prompts and choices with its content filter's verdicts: not for the client
      upstream.put("prompt_filter_results", new JsonArray().add(new JsonObject().put("prompt_index", 0)));
      upstream.getJsonArray("choices").getJsonObject(0).put("content_filter_results", new JsonObject());
    }
    c.fake().enqueue(Reply.json(200, upstream));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("1800");
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("up-p");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getString("object")).isEqualTo("text_completion");
    assertThat(answer.getString("id")).isEqualTo(Completions.ID);
    assertThat(answer.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(answer.getJsonArray("choices").getJsonObject(0).getString("text")).isEqualTo("return a + b");
    assertThat(answer.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(500);
    assertThat(r.body()).doesNotContain("filter_results");
    JsonObject sent = calledAsTheProviderDocuments(c, c.fake().lastRequest());
    assertThat(sent.containsKey("stream")).isFalse();
    billed1800(seed, false);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aStreamIsPassedThroughChunkByChunkAndBilledFromItsUsageChunk(boolean clientAsksForUsage) {
    Case c = providers().findFirst().orElseThrow();
    Seed seed = seed(c);
    HARNESS.fake().enqueue(Reply.sse(Completions.textEvents(List.of("return ", "a + b"), 10_000, 500, true)));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"),
        body(",\"stream\":true" + (clientAsksForUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
    assertThat(r.body()).endsWith("data: [DONE]\n\n");
    List<JsonObject> chunks = chunks(r.body());
    assertThat(chunks).allSatisfy(ch -> assertThat(ch.getString("object")).isEqualTo("text_completion"))
        .allSatisfy(ch -> assertThat(ch.getString("model")).isEqualTo(Seed.MODEL));
    assertThat(text(chunks)).isEqualTo("return a + b");
    // the usage-only chunk reaches the client only if it asked for it; the gateway always reads it
    assertThat(chunks.stream().anyMatch(ch -> ch.getValue("usage") instanceof JsonObject)).isEqualTo(clientAsksForUsage);
    JsonObject sent = calledAsTheProviderDocuments(c, HARNESS.fake().lastRequest());
    assertThat(sent.getBoolean("stream")).isTrue();
    assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    billed1800(seed, true);
  }

  @Test
  void aCutStreamEndsWithAnErrorEventAndIsBilledForTheStreamedText() {
    Seed seed = openAi();
    List<String> pieces = IntStream.range(0, 20).mapToObj(i -> "word" + i + " ").toList();
    HARNESS.fake().enqueue(Reply.sse(Completions.textEvents(pieces, 10_000, 500, true)).cutAfter(3));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"stream\":true"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("[DONE]");
    List<JsonObject> chunks = chunks(r.body());
    JsonObject last = chunks.get(chunks.size() - 1);
    assertThat(last.getJsonObject("error").getString("code")).isEqualTo("upstream_error");
    assertThat(last.getJsonObject("error").getString("type")).isEqualTo("api_error");
    String streamed = text(chunks);
    assertThat(streamed).isEqualTo("word0 word1 word2 ");
    long tokensOut = TOKENS.count(streamed);
    long tokensIn = TOKENS.completionsPrompt(new JsonObject(body("")));
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "completions").containsEntry("status", "502")
        .containsEntry("errorCode", "upstream_error").containsEntry("usageSource", "estimated")
        .containsEntry("tokensIn", Long.toString(tokensIn)).containsEntry("tokensOut", Long.toString(tokensOut))
        .containsEntry("costMicros", Long.toString(target("p", 0).costMicros(tokensIn, tokensOut)));
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", rec.get("costMicros")).containsEntry("reserved", "0"));
  }

  @Test
  void aStreamFallsBackFromA5xxPrimaryToTheSecondaryBeforeTheFirstByte() {
    HARNESS.fake().always(Reply.json(503, FakeOpenAiCompatible.error("overloaded", "server_error", null)));
    SECONDARY.enqueue(Reply.sse(Completions.textEvents(List.of("return ", "a + b"), 10_000, 500, true)));
    Seed seed = HARNESS.seed().tenant();
    seed(Map.of("primary", seed.provider(HARNESS.fake().baseUrl()), "secondary", seed.provider(SECONDARY.baseUrl())),
        List.of("primary", "secondary"), seed);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"stream\":true"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(text(chunks(r.body()))).isEqualTo("return a + b");
    assertThat(HARNESS.fake().requests()).isNotEmpty().allSatisfy(up -> assertThat(up.path()).isEqualTo(PATH));
    assertThat(SECONDARY.lastRequest().path()).isEqualTo(PATH);
    assertThat(SECONDARY.lastRequest().json().getString("model")).isEqualTo("up-secondary");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "completions")
        .containsEntry("provider", "secondary").containsEntry("servedModel", "up-secondary")
        .containsEntry("attempts", "2").containsEntry("costMicros", "1800");
  }

  @Test
  void withoutMaxTokensOpenAisDefaultOf16IsReservedAndSentUpstream() {
    Seed seed = openAi();
    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"),
        "{\"model\":\"" + Seed.MODEL + "\",\"prompt\":\"Say hello\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject sent = HARNESS.fake().lastRequest().json();
    assertThat(sent.getInteger("max_tokens")).isEqualTo(16);
    assertThat(sent.getString("prompt")).isEqualTo("Say hello");
    // the fake's default usage, 10 in and 5 out at the list prices: 2 + 3 micros
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("5");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "completions")
        .containsEntry("tokensIn", "10").containsEntry("tokensOut", "5");
  }

  /**
   * 100 tokens at $0.60 per million is 60 micros: one completion fits a 300-micro cap, but five
   * candidates ({@code best_of}) for each of two prompts (1,000 tokens, 600 micros) do not.
   */
  @Test
  void theReservationCoversEveryCompletionGeneratedForEveryPrompt() {
    Seed seed = openAi().cap("small", "Tenant", null, "Reject", Period.Month, 300);
    String one = "{\"model\":\"" + Seed.MODEL + "\",\"prompt\":\"Say hello\",\"max_tokens\":100}";
    String many = "{\"model\":\"" + Seed.MODEL + "\",\"prompt\":[\"Say hello\",\"Say bye\"],\"max_tokens\":100,\"n\":2,\"best_of\":5}";

    HttpResponse<String> refused = HARNESS.gateway().post(PATH, seed.key("k"), many);
    HttpResponse<String> served = HARNESS.gateway().post(PATH, seed.key("k"), one);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(402);
    JsonObject e = new JsonObject(refused.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(e.getString("cap")).isEqualTo("small");
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    assertThat(HARNESS.fake().requests()).hasSize(1);
    assertThat(HARNESS.fake().lastRequest().json().getString("prompt")).isEqualTo("Say hello");
  }

  @Test
  void aRouteWithOnlyAnAnthropicTargetIsRefusedBeforeAdmissionAndCostsNothing() {
    Seed seed = HARNESS.seed().tenant();
    seed(Map.of("claude", seed.provider("anthropic", ANTHROPIC.baseUrl(), null)), List.of("claude"), seed);
    String key = seed.key("one-rpm", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // the refusal and the chat request in one window

    HttpResponse<String> r = HARNESS.gateway().post(PATH, key, body(""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("param")).isEqualTo("model");
    assertThat(e.getString("message")).contains("Completions API");
    assertThat(ANTHROPIC.requests()).isEmpty();
    String day = Period.Day.key(Instant.now());
    assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day))).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
    // nor did it count: the key's one request per minute still serves a chat completion
    HttpResponse<String> chat = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "chat.completions");
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).hasSize(1);
  }

  @Test
  void anAnthropicTargetIsSkippedForTheNextOneThatServesCompletions() {
    OpenAiShapedRoutes.servedPastAnAnthropicTarget(HARNESS, ANTHROPIC, PATH, body(""), CompletionsApiTest::target);
  }


  @ParameterizedTest
  @MethodSource("invalidBodies")
  void invalidBodiesAnswer400InTheEnvelopeWithTheParamNamed(String body, String param) {
    OpenAiShapedRoutes.invalid(HARNESS.gateway().post(PATH, openAi().key("k"), body), param);
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  static Stream<Arguments> invalidBodies() {
    String m = "\"model\":\"" + Seed.MODEL + "\"";
    return Stream.of(
        Arguments.of("{\"prompt\":\"hi\"}", "model"),
        Arguments.of("{" + m + "}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":null}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":42}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":{\"text\":\"hi\"}}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":[]}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":[\"hi\",1]}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":[[1,2],[]]}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":[-1]}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":\"hi\",\"suffix\":7}", "suffix"),
        Arguments.of("{" + m + ",\"prompt\":\"hi\",\"max_tokens\":\"16\"}", "max_tokens"),
        Arguments.of("{" + m + ",\"prompt\":\"hi\",\"max_tokens\":-1}", "max_tokens"),
        Arguments.of("{" + m + ",\"prompt\":\"hi\",\"n\":0}", "n"),
        Arguments.of("{" + m + ",\"prompt\":\"hi\",\"best_of\":1.5}", "best_of"),
        Arguments.of("{" + m + ",\"prompt\":\"hi\",\"stream\":\"yes\"}", "stream"));
  }

  /** The JSON payloads of the stream's {@code data:} lines, {@code [DONE]} left out. */
  static List<JsonObject> chunks(String sse) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
        out.add(new JsonObject(line.substring(6)));
      }
    }
    return out;
  }

  /** The text of every choice of every chunk, in order. */
  static String text(List<JsonObject> chunks) {
    StringBuilder sb = new StringBuilder();
    for (JsonObject ch : chunks) {
      if (ch.getValue("choices") instanceof JsonArray choices) {
        for (int i = 0; i < choices.size(); i++) {
          sb.append(choices.getJsonObject(i).getString("text", ""));
        }
      }
    }
    return sb.toString();
  }
}
