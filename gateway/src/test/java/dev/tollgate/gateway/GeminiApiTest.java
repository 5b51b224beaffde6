package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.FakeGoogleOAuth;
import dev.tollgate.gateway.fake.FakeVertexAi;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Sse;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.Seed;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Google's Gemini API ({@code /v1beta/models/{model}:generateContent}, {@code
 * :streamGenerateContent?alt=sse}, {@code :countTokens}) as Gemini CLI and the Google GenAI SDKs
 * call it, through the whole chain against fake Gemini and Vertex AI servers: the key taken from
 * {@code x-goog-api-key} or {@code ?key=}, the body passed through to the target's model with the
 * target's credential, billed exactly from {@code usageMetadata} with thoughts as output and cached
 * content at its price, thinking reserved, falling back before the first byte, and every error in
 * Google's envelope with the gateway's stable code (ADR 0051).
 */
class GeminiApiTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeGemini PRIMARY = new FakeGemini(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeGemini SECONDARY = new FakeGemini(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeGoogleOAuth OAUTH = new FakeGoogleOAuth();
  @RegisterExtension
  static final FakeVertexAi VERTEX = new FakeVertexAi("acme-prod", "europe-west4", OAUTH::valid);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String MODEL = "gemini-2.5-flash";
  static final String GENERATE = "/v1beta/models/" + MODEL + ":generateContent";
  static final String STREAM = "/v1beta/models/" + MODEL + ":streamGenerateContent?alt=sse";
  static final String COUNT = "/v1beta/models/" + MODEL + ":countTokens";

  /** gemini-2.5-flash: $0.30 input, $0.03 cached input, $2.50 output (thinking included) per million tokens. */
  static RoutePlan.Target target(String provider, int priority) {
    return new RoutePlan.Target(provider, MODEL + "-" + provider, priority, 1, 300_000, 2_500_000, 1_000_000)
        .withCachePrices(30_000L, null);
  }

  /** A tenant whose route for {@link #MODEL} has one Gemini target per fake, tried in this order. */
  static Seed seed(FakeGemini... fakes) {
    Seed seed = HARNESS.seed().tenant();
    Map<String, RoutePlan.Provider> providers = new LinkedHashMap<>();
    List<RoutePlan.Target> targets = new ArrayList<>();
    for (int i = 0; i < fakes.length; i++) {
      String name = fakes[i] == PRIMARY ? "primary" : "secondary";
      providers.put(name, seed.provider("gemini", fakes[i].baseUrl(), null));
      targets.add(target(name, i));
    }
    return seed.plan(providers, List.of(new RoutePlan.Route(MODEL, targets, List.of())),
            new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
  }

  /** A body as the GenAI SDKs send it: 600 output tokens and a 1,000-token thinking budget. */
  static String body(String thinking) {
    return "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Say hello\"}]}],"
        + "\"systemInstruction\":{\"parts\":[{\"text\":\"You are terse.\"}]},"
        + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"read_file\",\"parameters\":{\"type\":\"OBJECT\"}}]}],"
        + "\"generationConfig\":{\"maxOutputTokens\":600" + thinking + "}}";
  }

  static final String THINKING = ",\"thinkingConfig\":{\"thinkingBudget\":1000,\"includeThoughts\":true}";

  static HttpResponse<String> post(String path, String body, String... headers) {
    return HARNESS.gateway().postWithHeaders(path, body, headers);
  }

  /** 10,000 prompt tokens of which 4,000 cached, 200 candidate and 300 thought tokens (none if {@code final}). */
  static JsonObject usage(boolean last) {
    return FakeGemini.usage(10_000, last ? 200 : 0, 300).put("cachedContentTokenCount", 4_000);
  }

  /**
   * 6,000 x $0.30 + 4,000 x $0.03 + (200 + 300) x $2.50 per million = 1,800 + 120 + 1,250 = 3,170
   * micros, in the usage record, the cap's spend and (for an answer) the cost header.
   */
  static void billed3170(Seed seed, HttpResponse<String> r, boolean stream, String provider, String servedModel) {
    assertThat(target(provider, 0).costMicros(10_000, 4_000, 0, 500)).isEqualTo(3_170);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "gemini.generate_content").containsEntry("stream", Boolean.toString(stream))
        .containsEntry("status", "200").containsEntry("usageSource", "provider")
        .containsEntry("requestedModel", MODEL).containsEntry("servedModel", servedModel).containsEntry("provider", provider)
        .containsEntry("tokensIn", "10000").containsEntry("tokensInCached", "4000").containsEntry("tokensOut", "500")
        .containsEntry("costMicros", "3170").containsEntry("billedMicros", "3170");
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", "3170").containsEntry("reserved", "0"));
    if (!stream) {
      assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("3170");
    }
  }

  /** The upstream call went to {@code method} of the target's model as the target, with the client's body and never its key. */
  static void calledAsTheTarget(RecordedRequest up, String clientKey, String provider, String method) {
    assertThat(up.path()).isEqualTo("/v1beta/models/" + MODEL + "-" + provider + ":" + method);
    assertThat(up.header("x-goog-api-key")).isEqualTo(Seed.UPSTREAM_KEY);
    assertThat(up.query("key")).isNull();
    assertThat(up.headers().values()).noneMatch(v -> v.contains(clientKey));
    assertThat(up.uri()).doesNotContain(clientKey);
    assertThat(up.body()).doesNotContain(clientKey);
    JsonObject sent = up.json();
    assertThat(sent.getJsonArray("contents").getJsonObject(0).getJsonArray("parts").getJsonObject(0).getString("text"))
        .isEqualTo("Say hello");
    assertThat(sent.getJsonObject("systemInstruction")).isNotNull();
    assertThat(sent.getJsonArray("tools").getJsonObject(0).containsKey("functionDeclarations")).isTrue();
  }

  /** Google's envelope with the HTTP status, the canonical status, and the gateway's code in an ErrorInfo. */
  static JsonObject googleError(HttpResponse<String> r, int status, String canonical, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getInteger("code")).isEqualTo(status);
    assertThat(e.getString("status")).isEqualTo(canonical);
    assertThat(e.getString("message")).isNotBlank();
    JsonObject info = e.getJsonArray("details").getJsonObject(0);
    assertThat(info.getString("@type")).isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
    assertThat(info.getString("reason")).isEqualTo(code.toUpperCase());
    assertThat(info.getString("domain")).isEqualTo("tollgate.dev");
    assertThat(info.getJsonObject("metadata").getString("code")).isEqualTo(code);
    return e;
  }

  @Test
  void generateContentWithAnXGoogApiKeyIsPassedThroughAndBilledExactlyWithThoughtsAndCachedContent() {
    Seed seed = seed(PRIMARY);
    JsonObject answer = FakeGemini.chunk(new JsonArray().add(new JsonObject().put("text", "Hi there")), "STOP", usage(true));
    PRIMARY.enqueue(Reply.json(200, answer));
    String key = seed.key("k");

    HttpResponse<String> r = post(GENERATE, body(THINKING), "x-goog-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject got = new JsonObject(r.body());
    assertThat(got.getJsonArray("candidates").getJsonObject(0).getJsonObject("content").getJsonArray("parts")
        .getJsonObject(0).getString("text")).isEqualTo("Hi there");
    assertThat(got.getJsonObject("usageMetadata").getLong("thoughtsTokenCount")).isEqualTo(300);
    assertThat(got.getString("modelVersion")).isEqualTo(MODEL);
    calledAsTheTarget(PRIMARY.lastRequest(), key, "primary", "generateContent");
    assertThat(PRIMARY.lastRequest().json().getJsonObject("generationConfig").getJsonObject("thinkingConfig")
        .getInteger("thinkingBudget")).isEqualTo(1000);
    billed3170(seed, r, false, "primary", MODEL + "-primary");
  }

  @Test
  void aStreamWithTheKeyInTheQueryIsPassedThroughChunkByChunkAndBilledFromTheLastUsageMetadata() {
    Seed seed = seed(PRIMARY);
    PRIMARY.enqueue(hiThere());
    String key = seed.key("k");

    HttpResponse<String> r = post(STREAM + "&key=" + key, body(THINKING));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
    List<JsonObject> chunks = chunks(r.body());
    assertThat(chunks).hasSize(2);
    assertThat(text(chunks)).isEqualTo("Hi there");
    assertThat(chunks).allSatisfy(c -> assertThat(c.getString("modelVersion")).isEqualTo(MODEL));
    assertThat(chunks.get(1).getJsonObject("usageMetadata").getLong("candidatesTokenCount")).isEqualTo(200);
    RecordedRequest up = PRIMARY.lastRequest();
    assertThat(up.query("alt")).isEqualTo("sse");
    calledAsTheTarget(up, key, "primary", "streamGenerateContent");
    billed3170(seed, r, true, "primary", MODEL + "-primary");
  }

  @Test
  void aWrongOrMissingKeyIs401InGooglesEnvelopeWithTheStableCode() {
    seed(PRIMARY).key("k");

    for (HttpResponse<String> r : List.of(post(GENERATE, body(""), "x-goog-api-key", "tg-not-a-key"),
        post(GENERATE + "?key=tg-not-a-key", body("")), post(STREAM, body("")))) {
      googleError(r, 401, "UNAUTHENTICATED", "invalid_api_key");
    }
    assertThat(PRIMARY.requests()).isEmpty();
  }

  /**
   * The reservation counts the thinking budget as output: a cap with room for 600 output tokens but
   * not for 600 plus 1,000 of thinking refuses the request with 402 in Google's envelope, the cap's
   * fields in the ErrorInfo; the same request without a thinking budget fits.
   */
  @Test
  void theThinkingBudgetIsReservedAndACapRefusesWith402InGooglesEnvelope() {
    Seed seed = seed(PRIMARY);
    long prompt = TOKENS.geminiPrompt(new JsonObject(body(THINKING)));
    long withMargin = prompt + (prompt * 10 + 99) / 100;
    long without = target("primary", 0).worstCaseCostMicros(withMargin, 600);
    long with = target("primary", 0).worstCaseCostMicros(withMargin, 1_600);
    seed.cap("tight", "Tenant", null, "Reject", Period.Month, (without + with) / 2);
    String key = seed.key("k");

    JsonObject e = googleError(post(GENERATE, body(THINKING), "x-goog-api-key", key), 402, "RESOURCE_EXHAUSTED",
        "spend_cap_exceeded");
    assertThat(e.getJsonArray("details").getJsonObject(0).getJsonObject("metadata").getString("cap")).isEqualTo("tight");
    assertThat(PRIMARY.requests()).isEmpty();

    PRIMARY.enqueue(Reply.json(200, FakeGemini.response("Hi", 20, 2, 0)));
    HttpResponse<String> fits = post(GENERATE, body(""), "x-goog-api-key", key);
    assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
  }

  @Test
  void withoutMaxOutputTokensTheDefaultCeilingIsReservedAndSentUpstream() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("k");

    HttpResponse<String> r = post(GENERATE, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
        + "\"generationConfig\":{\"temperature\":0.2}}", "x-goog-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject config = PRIMARY.lastRequest().json().getJsonObject("generationConfig");
    assertThat(config.getInteger("maxOutputTokens")).isEqualTo(4096);
    assertThat(config.getDouble("temperature")).isEqualTo(0.2);
  }

  @Test
  void aProviderRunToolIsRefusedAsNotPricedBeforeAdmission() {
    Seed seed = seed(PRIMARY);

    HttpResponse<String> r = post(GENERATE, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"news?\"}]}],"
        + "\"tools\":[{\"googleSearch\":{}}]}", "x-goog-api-key", seed.key("k"));

    JsonObject e = googleError(r, 400, "INVALID_ARGUMENT", "tool_not_priced");
    assertThat(e.getString("message")).contains("googleSearch");
    assertThat(e.getJsonArray("details").getJsonObject(0).getJsonObject("metadata").getString("param")).isEqualTo("tools");
    assertThat(PRIMARY.requests()).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
  }

  /**
   * A part by URI and a context cache name state in the provider account the gateway calls with
   * (Vertex AI reads a {@code gs://} object with the operator's service account; a file or cache of
   * another tenant), of a size no reservation could bound: refused before admission. A {@code model}
   * in the body never reaches the provider: the path's model is the one authorized and priced.
   */
  @Test
  void filesByUriAndCachesOfTheProviderAccountAreRefusedAndABodyModelIsDropped() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("k");
    for (String part : List.of("{\"fileData\":{\"fileUri\":\"gs://operator-bucket/secret.pdf\",\"mimeType\":\"application/pdf\"}}",
        "{\"file_data\":{\"file_uri\":\"https://generativelanguage.googleapis.com/v1beta/files/abc\"}}")) {
      googleError(post(GENERATE, "{\"contents\":[{\"parts\":[{\"text\":\"summarize\"}," + part + "]}]}",
          "x-goog-api-key", key), 400, "INVALID_ARGUMENT", "provider_state_not_supported");
    }
    googleError(post(GENERATE, "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"cachedContent\":\"cachedContents/xyz\"}",
        "x-goog-api-key", key), 400, "INVALID_ARGUMENT", "provider_state_not_supported");
    googleError(post("/v1beta/models/" + MODEL + ":countTokens",
        "{\"contents\":[{\"parts\":[{\"fileData\":{\"fileUri\":\"gs://b/o\"}}]}]}", "x-goog-api-key", key), 400,
        "INVALID_ARGUMENT", "provider_state_not_supported");
    assertThat(PRIMARY.requests()).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();

    PRIMARY.enqueue(Reply.json(200, FakeGemini.chunk(new JsonArray().add(new JsonObject().put("text", "ok")), "STOP", usage(true))));
    HttpResponse<String> r = post(GENERATE, "{\"model\":\"models/gemini-3-ultra\",\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}",
        "x-goog-api-key", key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(PRIMARY.lastRequest().json().containsKey("model")).isFalse();
  }

  @Test
  void aStreamNotAskedAsServerSentEventsAndABadBodyAre400() {
    String key = seed(PRIMARY).key("k");

    googleError(post("/v1beta/models/" + MODEL + ":streamGenerateContent", body(""), "x-goog-api-key", key), 400,
        "INVALID_ARGUMENT", "invalid_request");
    googleError(post(GENERATE, "{\"contents\":[]}", "x-goog-api-key", key), 400, "INVALID_ARGUMENT", "invalid_request");
    googleError(post(GENERATE, "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"generation_config\":{\"max_output_tokens\":1}}",
        "x-goog-api-key", key), 400, "INVALID_ARGUMENT", "invalid_request");
    for (String method : List.of("embedContent", "generateContentX", "countTokens/x")) {
      googleError(post("/v1beta/models/" + MODEL + ":" + method, body(""), "x-goog-api-key", key), 404, "NOT_FOUND",
          "unknown_url");
    }
    assertThat(PRIMARY.requests()).isEmpty();
  }

  /** A GenAI SDK set to {@code api_version="v1"} calls the {@code /v1/models/…} paths: served the same. */
  @Test
  void theV1PathsAreServedAndAnsweredInGooglesEnvelopeToo() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("k");
    PRIMARY.enqueue(Reply.json(200, FakeGemini.chunk(new JsonArray().add(new JsonObject().put("text", "Hi")), "STOP", usage(true))));

    HttpResponse<String> r = post("/v1/models/" + MODEL + ":generateContent", body(""), "x-goog-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    calledAsTheTarget(PRIMARY.lastRequest(), key, "primary", "generateContent");
    billed3170(seed, r, false, "primary", MODEL + "-primary");
    googleError(post("/v1/models/" + MODEL + ":generateContent", body(""), "x-goog-api-key", "tg-not-a-key"), 401,
        "UNAUTHENTICATED", "invalid_api_key");
    // OpenAI's model list keeps its own envelope
    HttpResponse<String> models = HARNESS.gateway().get("/v1/models", "tg-not-a-key");
    assertThat(new JsonObject(models.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_api_key");
  }

  static Stream<Reply> primaryFailures() {
    return Stream.of(
        Reply.json(503, FakeGemini.error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
        Reply.json(429, FakeGemini.error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted.")),
        FakeGemini.sse(List.of(Sse.data(FakeGemini.error(500, "INTERNAL", "An internal error has occurred.").encode()))));
  }

  @ParameterizedTest
  @MethodSource("primaryFailures")
  void aStreamFallsBackToTheSecondGeminiTargetBeforeTheFirstByte(Reply failure) {
    PRIMARY.always(failure);
    SECONDARY.enqueue(hiThere());
    Seed seed = seed(PRIMARY, SECONDARY);
    String key = seed.key("k");

    HttpResponse<String> r = post(STREAM, body(THINKING), "x-goog-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(text(chunks(r.body()))).isEqualTo("Hi there");
    assertThat(r.body()).doesNotContain("\"error\"");
    calledAsTheTarget(SECONDARY.lastRequest(), key, "secondary", "streamGenerateContent");
    billed3170(seed, r, true, "secondary", MODEL + "-secondary");
  }

  /**
   * A stream cut after three chunks ends with an error chunk in Google's envelope (the SDKs raise on
   * it) and is billed for what was produced: the prompt as reported, and the running output the
   * chunks reported (300 thought tokens), larger than the streamed text counted.
   */
  @Test
  void aCutStreamEndsWithAGoogleErrorChunkAndIsBilledForWhatWasProduced() {
    Seed seed = seed(PRIMARY);
    PRIMARY.enqueue(FakeGemini.sse(words(10)).cutAfter(3));

    HttpResponse<String> r = post(STREAM, body(THINKING), "x-goog-api-key", seed.key("k"));

    assertThat(r.statusCode()).isEqualTo(200);
    List<JsonObject> chunks = chunks(r.body());
    assertThat(text(chunks)).isEqualTo("word0 word1 word2 ");
    JsonObject last = chunks.get(chunks.size() - 1).getJsonObject("error");
    assertThat(last.getInteger("code")).isEqualTo(502);
    assertThat(last.getString("status")).isEqualTo("UNAVAILABLE");
    assertThat(last.getString("message")).contains("primary");
    assertThat(last.getJsonArray("details").getJsonObject(0).getString("reason")).isEqualTo("UPSTREAM_ERROR");
    assertThat(TOKENS.count("word0 word1 word2 ")).isLessThan(300);
    long cost = target("primary", 0).costMicros(10_000, 4_000, 0, 300);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "gemini.generate_content")
        .containsEntry("status", "502").containsEntry("errorCode", "upstream_error")
        .containsEntry("usageSource", "provider-prompt").containsEntry("tokensIn", "10000")
        .containsEntry("tokensInCached", "4000").containsEntry("tokensOut", "300")
        .containsEntry("costMicros", Long.toString(cost));
  }

  /**
   * A client that hangs up mid-stream cancels the upstream call and is billed for what was produced:
   * the reported prompt and the running output (the thoughts) of the chunks it was sent.
   */
  @Test
  void aClientThatHangsUpMidStreamIsBilledForWhatWasProduced() {
    Seed seed = seed(PRIMARY);
    PRIMARY.always(FakeGemini.sse(words(300)).eventDelayMs(10));

    assertThat(HARNESS.gateway().readThenHangUp("/v1beta/models/" + MODEL + ":streamGenerateContent?alt=sse",
        seed.key("k"), body(THINKING), 5)).isEqualTo(5);

    await().atMost(Duration.ofSeconds(5)).until(() -> PRIMARY.lastRequest().clientDisconnected());
    long cost = target("primary", 0).costMicros(10_000, 4_000, 0, 300);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("status", "499")
        .containsEntry("errorCode", "client_closed").containsEntry("usageSource", "provider-prompt")
        .containsEntry("tokensIn", "10000").containsEntry("tokensOut", "300").containsEntry("costMicros", Long.toString(cost));
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", Long.toString(cost)).containsEntry("reserved", "0"));
  }

  /**
   * A token count reaches the target as the target and comes back as it is; it counts against the
   * key's RPM (not its TPM), reserves and records nothing, and the third in a minute is a 429 in
   * Google's envelope with a RetryInfo.
   */
  @Test
  void aTokenCountIsPassedThroughAndCountsAgainstRequestsPerMinuteOnly() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("two-rpm", 2, 1_000, List.of(), ApiKeyRecord.ACTIVE, 0);
    String count = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Say hello\"}]}]}";
    MinuteWindow.awaitRoom(Duration.ofSeconds(5));
    long minute = System.currentTimeMillis() / 60_000;

    HttpResponse<String> first = post(COUNT, count, "x-goog-api-key", key);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(new JsonObject(first.body())).isEqualTo(new JsonObject().put("totalTokens", FakeGemini.DEFAULT_TOTAL_TOKENS));
    RecordedRequest up = PRIMARY.lastRequest();
    assertThat(up.path()).isEqualTo("/v1beta/models/" + MODEL + "-primary:countTokens");
    assertThat(up.header("x-goog-api-key")).isEqualTo(Seed.UPSTREAM_KEY);
    assertThat(up.json()).isEqualTo(new JsonObject(count));
    assertThat(post(COUNT + "?key=" + key, count).statusCode()).isEqualTo(200);

    JsonObject e = googleError(post(COUNT, count, "x-goog-api-key", key), 429, "RESOURCE_EXHAUSTED", "rate_limit_exceeded");
    JsonObject retry = e.getJsonArray("details").getJsonObject(1);
    assertThat(retry.getString("@type")).isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
    assertThat(retry.getString("retryDelay")).matches("[0-9]+s");
    assertThat(PRIMARY.requests()).hasSize(2);
    assertThat(HARNESS.redis().get(RedisKeys.rateWindow(seed.tenant, "k", "two-rpm", "req", minute))).isEqualTo("2");
    assertThat(HARNESS.redis().exists(RedisKeys.rateWindow(seed.tenant, "k", "two-rpm", "tok", minute))).isFalse();
    assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
  }

  @Test
  void aRouteWithOnlyOpenAiTargetsAnswersEndpointNotSupportedAndConsumesNothing() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("openai", seed.provider(HARNESS.fake().baseUrl())),
        List.of(new RoutePlan.Route(MODEL, List.of(target("openai", 0)), List.of())), null, null);
    String key = seed.key("k");

    for (String path : List.of(GENERATE, STREAM, COUNT)) {
      JsonObject e = googleError(post(path, body(""), "x-goog-api-key", key), 400, "INVALID_ARGUMENT",
          "endpoint_not_supported");
      assertThat(e.getJsonArray("details").getJsonObject(0).getJsonObject("metadata").getString("param")).isEqualTo("model");
    }
    assertThat(HARNESS.fake().requests()).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
  }

  /**
   * On Vertex AI the body goes to the publisher model's streamGenerateContent in the project and
   * region, as an access token; a Claude model of the same provider, tried first, cannot serve it.
   */
  @Test
  void aVertexAiGeminiTargetIsCalledAtItsPublisherModelUrlAsAnAccessToken() {
    Seed seed = HARNESS.seed().tenant();
    RoutePlan.Target claude = new RoutePlan.Target("vertex-ai", "claude-sonnet-4@20250514", 0, 1, 3_000_000, 15_000_000, 200_000);
    RoutePlan.Target gemini = new RoutePlan.Target("vertex-ai", MODEL, 1, 1, 300_000, 2_500_000, 1_000_000)
        .withCachePrices(30_000L, null);
    seed.plan(Map.of("vertex-ai", seed.vertexProvider(VERTEX.baseUrl(), OAUTH.account().json(), "acme-prod", "europe-west4")),
            List.of(new RoutePlan.Route(MODEL, List.of(claude, gemini), List.of())),
            new RoutePlan.Retry(1, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
    VERTEX.enqueue(hiThere());
    String key = seed.key("k");

    HttpResponse<String> r = post(STREAM, body(THINKING), "x-goog-api-key", key);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(text(chunks(r.body()))).isEqualTo("Hi there");
    assertThat(VERTEX.requests()).hasSize(1);
    RecordedRequest up = VERTEX.lastRequest();
    assertThat(up.path()).isEqualTo(
        "/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/" + MODEL + ":streamGenerateContent");
    assertThat(up.query("alt")).isEqualTo("sse");
    assertThat(OAUTH.issuedTo()).containsKey(up.header("authorization").substring("Bearer ".length()));
    assertThat(up.header("x-goog-api-key")).isNull();
    assertThat(up.headers().values()).noneMatch(v -> v.contains(key));
    assertThat(up.json().getJsonObject("generationConfig").getInteger("maxOutputTokens")).isEqualTo(600);
    billed3170(seed, r, true, "vertex-ai", MODEL);

    // a token count goes to the same model's countTokens
    HttpResponse<String> count = post(COUNT, body(""), "x-goog-api-key", key);
    assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
    assertThat(new JsonObject(count.body()).getLong("totalTokens")).isEqualTo(FakeGemini.DEFAULT_TOTAL_TOKENS);
    assertThat(VERTEX.lastRequest().path()).isEqualTo(
        "/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/" + MODEL + ":countTokens");
  }

  /**
   * Google's parser takes the proto field names too, and its own curl examples send {@code
   * system_instruction}: a prompt spelled that way (or a part Google reads whose text is not in
   * {@code text}) is reserved like its camelCase twin, so a cap with room for a short prompt
   * refuses a long one in any spelling before it reaches the provider.
   */
  @Test
  void aLongPromptInSnakeCaseFieldsIsReservedLikeItsCamelCaseTwin() {
    Seed seed = seed(PRIMARY);
    String big = "lorem ipsum dolor sit amet ".repeat(8_000);
    String small = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],"
        + "\"generationConfig\":{\"maxOutputTokens\":100}}";
    String system = "{\"%s\":{\"parts\":[{\"text\":\"" + big + "\"}]},"
        + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],\"generationConfig\":{\"maxOutputTokens\":100}}";
    String part = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"%s\":{\"name\":\"read_file\","
        + "\"response\":{\"content\":\"" + big + "\"}}}]}],\"generationConfig\":{\"maxOutputTokens\":100}}";
    long camel = TOKENS.geminiPrompt(new JsonObject(system.formatted("systemInstruction")));
    assertThat(camel).isGreaterThan(30_000);
    // room for the short prompt, not for 30,000 prompt tokens at $0.30 per million (9,000 micros)
    seed.cap("tight", "Tenant", null, "Reject", Period.Month, 5_000);
    String key = seed.key("k");

    for (String body : List.of(system.formatted("systemInstruction"), system.formatted("system_instruction"),
        part.formatted("functionResponse"), part.formatted("function_response"), part.formatted("executableCode"))) {
      HttpResponse<String> r = post(GENERATE, body, "x-goog-api-key", key);
      assertThat(r.statusCode()).as(body.substring(0, 40)).isEqualTo(402);
      googleError(r, 402, "RESOURCE_EXHAUSTED", "spend_cap_exceeded");
    }
    assertThat(PRIMARY.requests()).isEmpty();
    PRIMARY.enqueue(Reply.json(200, FakeGemini.response("Hi", 20, 2, 0)));
    assertThat(post(GENERATE, small, "x-goog-api-key", key).statusCode()).isEqualTo(200);
  }

  /**
   * Google's output bounds are 32-bit integers: a larger one is the client's mistake, answered 400,
   * never an overflow in the reservation's arithmetic (a 500 with an error logged).
   */
  @Test
  void anOutputBoundBeyondThirtyTwoBitsIs400NotAnInternalError() {
    String key = seed(PRIMARY).key("k");

    for (String config : List.of("\"maxOutputTokens\":9223372036854775807,\"thinkingConfig\":{\"thinkingBudget\":1}",
        "\"maxOutputTokens\":100,\"thinkingConfig\":{\"thinkingBudget\":9223372036854775807}",
        "\"maxOutputTokens\":2147483648", "\"candidateCount\":2147483648")) {
      googleError(post(GENERATE, "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"generationConfig\":{" + config + "}}",
          "x-goog-api-key", key), 400, "INVALID_ARGUMENT", "invalid_request");
    }
    assertThat(PRIMARY.requests()).isEmpty();
  }

  /** "Hi there" in two chunks, the second with STOP and the final usage. */
  static Reply hiThere() {
    return FakeGemini.sse(List.of(
        Sse.data(FakeGemini.chunk(new JsonArray().add(new JsonObject().put("text", "Hi ")), null, usage(false)).encode()),
        Sse.data(FakeGemini.chunk(new JsonArray().add(new JsonObject().put("text", "there")), "STOP", usage(true)).encode())));
  }

  /** {@code n} chunks of one word each, none final, each reporting the prompt and 300 thought tokens so far. */
  static List<String> words(int n) {
    return IntStream.range(0, n).mapToObj(i -> Sse.data(FakeGemini.chunk(
        new JsonArray().add(new JsonObject().put("text", "word" + i + " ")), null, usage(false)).encode())).toList();
  }

  /** The JSON chunks of a Gemini SSE stream, in order. */
  static List<JsonObject> chunks(String sse) {
    List<JsonObject> out = new ArrayList<>();
    for (String event : sse.split("\r?\n\r?\n")) {
      for (String line : event.split("\r?\n")) {
        if (line.startsWith("data: ")) {
          out.add(new JsonObject(line.substring(6)));
        }
      }
    }
    return out;
  }

  /** The text parts of the chunks, in order. */
  static String text(List<JsonObject> chunks) {
    StringBuilder sb = new StringBuilder();
    for (JsonObject c : chunks) {
      JsonArray candidates = c.getJsonArray("candidates");
      if (candidates != null) {
        for (Object p : candidates.getJsonObject(0).getJsonObject("content").getJsonArray("parts")) {
          sb.append(((JsonObject) p).getString("text", ""));
        }
      }
    }
    return sb.toString();
  }
}
