package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Images;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.OpenAiShapedRoutes;
import dev.tollgate.gateway.support.OpenAiShapedRoutes.Case;
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
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/images/generations} through the whole chain against fake providers speaking
 * OpenAI's images API: passed through with the target's model name (Azure at its deployment URL
 * with {@code api-key}), reserved for {@code n} images at the dearest target the route may fall back
 * to, billed per image by size and quality (DALL-E) or from the reported tokens (GPT image models)
 * at the serving target's prices, falling back on a 5xx, and refused before admission where no
 * target has an image price (ADR 0049).
 */
class ImagesApiTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAzureOpenAi AZURE = new FakeAzureOpenAi(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String PATH = "/v1/images/generations";
  static final String PROMPT = "A cute baby sea otter";

  /** dall-e-3 list prices: $0.04 standard and $0.08 hd at 1024x1024, $0.12 hd at 1792x1024; no token prices. */
  static RoutePlan.Target dallE(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 0, 0, 0)
        .withImagePricing(new RoutePlan.ImagePricing(List.of(
            new RoutePlan.ImagePrice("1024x1024", "standard", 40_000),
            new RoutePlan.ImagePrice("1024x1024", "hd", 80_000),
            new RoutePlan.ImagePrice("1792x1024", "hd", 120_000)), null, null));
  }

  /** gpt-image-1 list prices: $5 text input, $10 image input, $40 output per million tokens; 6,240 tokens per image at most. */
  static RoutePlan.Target gptImage(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 5_000_000, 40_000_000, 0)
        .withImagePricing(new RoutePlan.ImagePricing(List.of(), 10_000_000L, 6_240L));
  }

  /** One price for every image: $0.04 at the primary, $0.10 at the secondary. */
  static RoutePlan.Target flat(String provider, int priority) {
    long each = provider.equals("secondary") ? 100_000 : 40_000;
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 0, 0, 0)
        .withImagePricing(new RoutePlan.ImagePricing(List.of(new RoutePlan.ImagePrice(null, null, each)), null, null));
  }

  /** A chat-priced target without image prices. */
  static RoutePlan.Target unpriced(String provider, int priority) {
    return new RoutePlan.Target(provider, "up-" + provider, priority, 1, 150_000, 600_000, 128_000);
  }

  static Seed route(Seed seed, Map<String, RoutePlan.Provider> providers, List<String> order,
      BiFunction<String, Integer, RoutePlan.Target> target) {
    return OpenAiShapedRoutes.route(seed, providers, order, target);
  }

  /** A tenant whose route has one target at the harness's OpenAI-compatible fake. */
  static Seed openAi(BiFunction<String, Integer, RoutePlan.Target> target) {
    Seed seed = HARNESS.seed().tenant();
    return route(seed, Map.of("p", seed.provider(HARNESS.fake().baseUrl())), List.of("p"), target);
  }

  /** A primary at the harness's fake and a secondary at {@link #SECONDARY}. */
  static Seed twoTargets(BiFunction<String, Integer, RoutePlan.Target> target) {
    Seed seed = HARNESS.seed().tenant();
    return route(seed, Map.of("primary", seed.provider(HARNESS.fake().baseUrl()), "secondary", seed.provider(SECONDARY.baseUrl())),
        List.of("primary", "secondary"), target);
  }

  static String body(String extra) {
    return new JsonObject().put("model", Seed.MODEL).put("prompt", PROMPT).encode().replace("}", extra + "}");
  }

  static Stream<Case> providers() {
    return Stream.of(
        new Case("openai-compatible", HARNESS.fake(), "openai-compatible", null, PATH, null),
        new Case("azure-openai deployment", AZURE, "azure-openai", null, "/openai/deployments/up-p/images/generations", "2024-10-21"),
        new Case("azure-openai v1", AZURE, "azure-openai", "v1", "/openai/v1/images/generations", null));
  }

  @ParameterizedTest
  @MethodSource("providers")
  void dallEImagesArePassedThroughAndBilledPerImageAtTheirSizeAndQuality(Case c) {
    Seed seed = HARNESS.seed().tenant();
    route(seed, Map.of("p", seed.provider(c.type(), c.fake().baseUrl(), c.apiVersion())), List.of("p"), ImagesApiTest::dallE);
    JsonObject upstream = Images.dallE(1);
    if (c.type().equals("azure-openai")) {
      // Azure annotates each image with its content filter's verdicts: not for the client
      upstream.getJsonArray("data").getJsonObject(0).put("content_filter_results", new JsonObject())
          .put("prompt_filter_results", new JsonObject());
    }
    c.fake().enqueue(Reply.json(200, upstream));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"),
        body(",\"size\":\"1024x1024\",\"quality\":\"hd\",\"response_format\":\"url\",\"style\":\"natural\""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("80000");
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("up-p");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getLong("created")).isEqualTo(Images.CREATED);
    assertThat(answer.getJsonArray("data")).hasSize(1);
    assertThat(answer.getJsonArray("data").getJsonObject(0).getString("url")).isEqualTo("https://images.example/img-0.png");
    assertThat(r.body()).doesNotContain("filter_results");
    JsonObject sent = OpenAiShapedRoutes.calledAt(c, c.fake().lastRequest());
    // a deployment URL names the model; everywhere else the body does
    assertThat(sent.getString("model")).isEqualTo(c.path().contains("/deployments/") ? null : "up-p");
    assertThat(sent.getString("prompt")).isEqualTo(PROMPT);
    assertThat(sent.getString("size")).isEqualTo("1024x1024");
    assertThat(sent.getString("quality")).isEqualTo("hd");
    assertThat(sent.getString("style")).isEqualTo("natural");

    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "images.generations").containsEntry("stream", "false")
        .containsEntry("status", "200").containsEntry("requestedModel", Seed.MODEL).containsEntry("servedModel", "up-p")
        .containsEntry("provider", "p").containsEntry("images", "1").containsEntry("imageSize", "1024x1024")
        .containsEntry("imageQuality", "hd").containsEntry("imagePriceMicros", "80000")
        // DALL-E reports no tokens: the prompt is the estimate, at the target's input price of 0
        .containsEntry("usageSource", "estimated").containsEntry("tokensIn", Long.toString(TOKENS.count(PROMPT)))
        .containsEntry("tokensOut", "0").containsEntry("costMicros", "80000").containsEntry("billedMicros", "80000");
    assertSpent(seed, 80_000);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(HARNESS.gateway().get("/metrics", null).body())
        .containsPattern("tollgate_requests_total\\{endpoint=\"images.generations\",[^}]*tenant=\"" + seed.tenant.id() + "\""));
  }

  /**
   * Two images reporting 10 text and 40 image input tokens and 8,320 output tokens: 10 x $5 + 40 x
   * $10 = 450 micros, 8,320 x $40 = 332,800 micros.
   */
  @Test
  void gptImageAnswersAreBilledExactlyFromTheirReportedTokens() {
    Seed seed = openAi(ImagesApiTest::gptImage);
    HARNESS.fake().enqueue(Reply.json(200, Images.gptImage(2, "1024x1024", "high", 10, 40, 8_320)));

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"),
        body(",\"n\":2,\"quality\":\"auto\",\"output_format\":\"png\",\"background\":\"opaque\",\"moderation\":\"low\""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("333250");
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getJsonArray("data")).hasSize(2).allSatisfy(i -> assertThat(((JsonObject) i).getString("b64_json")).isEqualTo(Images.B64));
    assertThat(answer.getJsonObject("usage").getLong("output_tokens")).isEqualTo(8_320);
    JsonObject sent = HARNESS.fake().lastRequest().json();
    assertThat(sent.getString("model")).isEqualTo("up-p");
    assertThat(sent.getInteger("n")).isEqualTo(2);
    assertThat(sent.getString("moderation")).isEqualTo("low");
    assertThat(sent.getString("background")).isEqualTo("opaque");

    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "images.generations").containsEntry("usageSource", "provider")
        .containsEntry("tokensIn", "50").containsEntry("tokensInImage", "40").containsEntry("tokensOut", "8320")
        .containsEntry("images", "2").containsEntry("imageSize", "1024x1024").containsEntry("imageQuality", "high")
        .containsEntry("imagePriceMicros", "0").containsEntry("inputPriceMicrosPerMillion", "5000000")
        .containsEntry("imageInputPriceMicrosPerMillion", "10000000").containsEntry("outputPriceMicrosPerMillion", "40000000")
        .containsEntry("costMicros", "333250");
    assertSpent(seed, 333_250);
  }

  @Test
  void nImagesAreEachBilledAndAnUnreportedTokenPricedAnswerCostsItsOutputCeiling() {
    Seed seed = openAi(ImagesApiTest::dallE);
    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"n\":3,\"size\":\"1024x1024\",\"quality\":\"standard\""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getJsonArray("data")).hasSize(3);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("120000");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("images", "3").containsEntry("costMicros", "120000");

    // a GPT image target whose answer lacks usage: never unbilled, each image at its output ceiling
    Seed tokens = openAi(ImagesApiTest::gptImage);
    HARNESS.fake().enqueue(Reply.json(200, Images.dallE(1)));
    HttpResponse<String> unreported = HARNESS.gateway().post(PATH, tokens.key("k"), body(""));
    long prompt = TOKENS.count(PROMPT);
    long expected = gptImage("p", 0).costMicros(prompt, 6_240);
    assertThat(unreported.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(expected));
    assertThat(UsageRecords.nth(HARNESS.redis(), tokens.tenant, 1)).containsEntry("usageSource", "estimated")
        .containsEntry("tokensOut", "6240").containsEntry("costMicros", Long.toString(expected));
  }

  /**
   * An OpenAI-compatible image server whose {@code usage} reports no {@code output_tokens} (an empty
   * object, or only a total) has not reported the images' output: each is billed at the target's
   * output ceiling, as an answer without usage is, never at nothing.
   */
  @Test
  void aUsageWithoutOutputTokensIsBilledAtTheOutputCeilingNotAtNothing() {
    long expected = gptImage("p", 0).costMicros(TOKENS.count(PROMPT), 6_240);
    for (JsonObject usage : List.of(new JsonObject(), new JsonObject().put("total_tokens", 6_300))) {
      Seed seed = openAi(ImagesApiTest::gptImage);
      HARNESS.fake().enqueue(Reply.json(200, Images.dallE(1).put("usage", usage)));

      HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(""));

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-tollgate-cost-micros")).as(usage.encode()).contains(Long.toString(expected));
      assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "estimated")
          .containsEntry("tokensOut", "6240");
    }
  }

  /**
   * The reservation is n images at the dearest target the route may fall back to: 3 x $0.10 (the
   * secondary) = $0.30 does not fit a $0.25 cap although the primary would charge $0.12; 2 x $0.10
   * fits, and the primary that serves bills its own $0.08.
   */
  @Test
  void theWorstCaseForNImagesAtTheDearestFallbackTargetIsReservedAgainstTheCaps() {
    Seed seed = twoTargets(ImagesApiTest::flat).cap("small", "Tenant", null, "Reject", Period.Month, 250_000);

    HttpResponse<String> tooDear = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"n\":3"));
    HttpResponse<String> served = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"n\":2"));

    JsonObject e = refused(tooDear, 402, "spend_cap_exceeded");
    assertThat(e.getString("cap")).isEqualTo("small");
    assertThat(e.getString("requested")).isEqualTo("0.30");
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    assertThat(served.headers().firstValue("x-tollgate-provider")).contains("primary");
    assertThat(served.headers().firstValue("x-tollgate-cost-micros")).contains("80000");
    assertThat(HARNESS.fake().requests()).hasSize(1);
    assertThat(SECONDARY.requests()).isEmpty();
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("provider", "primary").containsEntry("status", "200")
        .containsEntry("reservedMicros", "200000").containsEntry("costMicros", "80000");
    assertSpent(seed, 80_000);
  }

  @Test
  void withoutSizeOrQualityTheDearestPriceThatMayApplyIsReserved() {
    // dall-e prices up to $0.12 an image: 2 images are $0.24 at worst, over a $0.20 cap
    Seed seed = openAi(ImagesApiTest::dallE).cap("small", "Tenant", null, "Reject", Period.Month, 200_000);
    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"n\":2"));
    assertThat(refused(r, 402, "spend_cap_exceeded").getString("requested")).isEqualTo("0.24");
    HttpResponse<String> fits = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"n\":2,\"size\":\"1024x1024\",\"quality\":\"hd\""));
    assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
    assertThat(HARNESS.fake().requests()).hasSize(1);
  }

  @Test
  void aFailingPrimaryFallsBackAndTheSecondaryBillsAtItsOwnPrice() {
    HARNESS.fake().always(Reply.json(503, FakeOpenAiCompatible.error("overloaded", "server_error", null)));
    Seed seed = twoTargets(ImagesApiTest::flat);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(""));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("100000");
    assertThat(HARNESS.fake().requests()).isNotEmpty().allSatisfy(up -> assertThat(up.path()).isEqualTo(PATH));
    assertThat(SECONDARY.lastRequest().path()).isEqualTo(PATH);
    assertThat(SECONDARY.lastRequest().json().getString("model")).isEqualTo("up-secondary");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("provider", "secondary")
        .containsEntry("servedModel", "up-secondary").containsEntry("attempts", "2").containsEntry("imagePriceMicros", "100000")
        .containsEntry("costMicros", "100000");
    assertSpent(seed, 100_000);
  }

  @Test
  void aRouteWithoutAnImagePriceIsRefusedBeforeAdmissionAndCostsNothing() {
    Seed seed = openAi(ImagesApiTest::unpriced);
    String key = seed.key("one-rpm", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // the refusals and the chat request in one window

    HttpResponse<String> r = HARNESS.gateway().post(PATH, key, body(""));

    JsonObject e = refused(r, 400, "image_not_priced");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("param")).isEqualTo("model");
    assertThat(HARNESS.fake().requests()).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
    assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now())))).isEmpty();
    // nor did it count: the key's one request per minute still serves a chat completion
    HttpResponse<String> chat = HARNESS.gateway().post("/v1/chat/completions", key,
        TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
  }

  @Test
  void aSizeWithoutAPriceIsRefusedNamingIt() {
    Seed seed = openAi(ImagesApiTest::dallE);
    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"size\":\"512x512\""));
    JsonObject e = refused(r, 400, "image_not_priced");
    assertThat(e.getString("param")).isEqualTo("size");
    assertThat(e.getString("message")).contains("512x512");
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  @Test
  void anUnpricedTargetIsSkippedForAPricedOne() {
    Seed seed = twoTargets((provider, priority) -> provider.equals("primary") ? unpriced(provider, priority) : dallE(provider, priority));
    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(",\"size\":\"1024x1024\",\"quality\":\"standard\""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  @Test
  void aRouteWithOnlyAnAnthropicTargetAnswersEndpointNotSupported() {
    Seed seed = HARNESS.seed().tenant();
    route(seed, Map.of("claude", seed.provider("anthropic", ANTHROPIC.baseUrl(), null)), List.of("claude"), ImagesApiTest::dallE);
    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), body(""));
    JsonObject e = refused(r, 400, "endpoint_not_supported");
    assertThat(e.getString("message")).contains("Images API");
    assertThat(ANTHROPIC.requests()).isEmpty();
  }

  @Test
  void thePromptCountsAgainstTheTokensPerMinuteLimit() {
    Seed seed = openAi(ImagesApiTest::dallE);
    String key = seed.key("small-tpm", 0, 20, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5));
    String longPrompt = new JsonObject().put("model", Seed.MODEL).put("prompt", "a sea otter on a rock ".repeat(20)).encode();

    HttpResponse<String> limited = HARNESS.gateway().post(PATH, key, longPrompt);
    HttpResponse<String> served = HARNESS.gateway().post(PATH, key, body(",\"size\":\"1024x1024\",\"quality\":\"standard\""));

    refused(limited, 429, "rate_limit_exceeded");
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    assertThat(HARNESS.fake().requests()).hasSize(1);
  }

  /**
   * A GPT image request's output tokens count against TPM at admission, as a text request's ceiling
   * does: with 10,000 tokens a minute, two images of up to 6,240 tokens each are refused up front
   * (else any number of such requests started at once would each pass on their short prompt alone);
   * one image fits and is served.
   */
  @Test
  void eachImagesOutputCeilingCountsAgainstTheTokensPerMinuteLimitAtAdmission() {
    Seed seed = openAi(ImagesApiTest::gptImage);
    String key = seed.key("tpm", 0, 10_000, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5));

    HttpResponse<String> two = HARNESS.gateway().post(PATH, key, body(",\"n\":2"));
    refused(two, 429, "rate_limit_exceeded");
    assertThat(HARNESS.fake().requests()).isEmpty();

    HttpResponse<String> one = HARNESS.gateway().post(PATH, key, body(",\"n\":1"));
    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    assertThat(HARNESS.fake().requests()).hasSize(1);
  }

  @Test
  void aStreamIsRefusedWithItsOwnCode() {
    HttpResponse<String> r = HARNESS.gateway().post(PATH, openAi(ImagesApiTest::gptImage).key("k"),
        body(",\"stream\":true,\"partial_images\":2"));
    JsonObject e = refused(r, 400, "image_stream_not_supported");
    assertThat(e.getString("param")).isEqualTo("stream");
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalidBodies")
  void invalidBodiesAnswer400InTheEnvelopeWithTheParamNamed(String body, String param) {
    OpenAiShapedRoutes.invalid(HARNESS.gateway().post(PATH, openAi(ImagesApiTest::dallE).key("k"), body), param);
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  static Stream<Arguments> invalidBodies() {
    String m = "\"model\":\"" + Seed.MODEL + "\"";
    return Stream.of(
        Arguments.of("{\"prompt\":\"otter\"}", "model"),
        Arguments.of("{" + m + "}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":\"\"}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":[\"otter\"]}", "prompt"),
        Arguments.of("{" + m + ",\"prompt\":\"otter\",\"n\":0}", "n"),
        Arguments.of("{" + m + ",\"prompt\":\"otter\",\"n\":11}", "n"),
        Arguments.of("{" + m + ",\"prompt\":\"otter\",\"n\":\"2\"}", "n"),
        Arguments.of("{" + m + ",\"prompt\":\"otter\",\"n\":1.5}", "n"),
        Arguments.of("{" + m + ",\"prompt\":\"otter\",\"size\":1024}", "size"),
        Arguments.of("{" + m + ",\"prompt\":\"otter\",\"quality\":true}", "quality"),
        Arguments.of("{" + m + ",\"prompt\":\"otter\",\"stream\":\"yes\"}", "stream"));
  }

  /** The error of a refused request, after checking its status and code. */
  static JsonObject refused(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo(code);
    return e;
  }

  static void assertSpent(Seed seed, long micros) {
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", Long.toString(micros)).containsEntry("reserved", "0"));
  }
}
