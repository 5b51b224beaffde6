package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.filter.ParseFilter;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.OpenAiShapedRoutes;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/moderations} through the whole chain against fake providers speaking OpenAI's
 * moderations API: routed by its model ({@code omni-moderation-latest} when the body names none, as
 * OpenAI defaults), passed through with the target's model name, billed for the input the gateway
 * counts at the serving target's input price (OpenAI reports no usage; its moderation is free, a
 * target priced at zero bills nothing but is still recorded), falling back on a 5xx, and refused
 * before admission where no target serves it.
 */
class ModerationsApiTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAzureOpenAi AZURE = new FakeAzureOpenAi(Seed.UPSTREAM_KEY);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String PATH = "/v1/moderations";
  static final String MODEL = ParseFilter.DEFAULT_MODERATION_MODEL;
  static final String TEXT = "I want to hurt them. How do I do it?";
  /** $1 per million input tokens: one micro per token, so the bill shows the count. */
  static final long PRICE = 1_000_000;

  /** A tenant whose route for the default moderation model has one target per provider, tried in order. */
  static Seed route(Map<String, String> providers, long price) {
    Seed seed = HARNESS.seed().tenant();
    Map<String, RoutePlan.Provider> entries = new java.util.HashMap<>();
    providers.forEach((name, url) -> entries.put(name, name.startsWith("azure")
        ? seed.provider("azure-openai", url, "2024-10-21") : seed.provider(url)));
    List<RoutePlan.Target> targets = providers.keySet().stream().sorted()
        .map(name -> new RoutePlan.Target(name, "up-" + name, name.startsWith("b") ? 1 : 0, 1, price, 0, 0)).toList();
    return seed.plan(entries, List.of(new RoutePlan.Route(MODEL, targets, List.of())),
            new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
  }

  static Seed primaryOnly(long price) {
    return route(Map.of("a-primary", HARNESS.fake().baseUrl()), price);
  }

  @Test
  void aModerationWithoutAModelIsRoutedAsOpenAisDefaultAndBilledForTheInputCounted() {
    Seed seed = primaryOnly(PRICE);
    long tokens = TOKENS.count(TEXT);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), new JsonObject().put("input", TEXT).encode());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("model")).isEqualTo(MODEL);
    assertThat(body.getJsonArray("results").getJsonObject(0).getBoolean("flagged")).isTrue();
    assertThat(body.containsKey("usage")).isFalse(); // OpenAI's shape, nothing added
    JsonObject up = HARNESS.fake().lastRequest().json();
    assertThat(HARNESS.fake().lastRequest().path()).isEqualTo(FakeOpenAiCompatible.MODERATIONS_PATH);
    assertThat(up.getString("model")).isEqualTo("up-a-primary");
    assertThat(up.getString("input")).isEqualTo(TEXT);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(tokens));
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1))
        .containsEntry("endpoint", "moderations").containsEntry("requestedModel", MODEL)
        .containsEntry("servedModel", "up-a-primary").containsEntry("tokensIn", Long.toString(tokens))
        .containsEntry("tokensOut", "0").containsEntry("costMicros", Long.toString(tokens))
        .containsEntry("usageSource", "estimated").containsEntry("status", "200");
    assertSpent(seed, tokens);
  }

  @Test
  void aFreeModerationCostsNothingAndIsStillRecorded() {
    Seed seed = primaryOnly(0);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"),
        new JsonObject().put("model", MODEL).put("input", new JsonArray().add("one").add("two")).encode());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().json().getJsonArray("input")).containsExactly("one", "two");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "moderations")
        .containsEntry("tokensIn", Long.toString(TOKENS.count("one") + TOKENS.count("two"))).containsEntry("costMicros", "0");
    Map<String, String> spend = HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now())));
    assertThat(spend.getOrDefault("spent", "0")).isEqualTo("0");
    assertThat(spend.getOrDefault("reserved", "0")).isEqualTo("0");
  }

  @Test
  void multimodalInputCountsItsTextAndEachImageAtTheFixedCount() {
    Seed seed = primaryOnly(PRICE);
    JsonArray input = new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", TEXT))
        .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "https://example.com/a.png")));
    long tokens = new TokenEstimator().input(input);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), new JsonObject().put("input", input).encode());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(tokens).isGreaterThan(TOKENS.count(TEXT) + 700); // the image counted, not skipped
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("tokensIn", Long.toString(tokens));
    assertSpent(seed, tokens);
  }

  @Test
  void aFailingPrimaryFallsBackAndTheSecondaryServesIt() {
    HARNESS.fake().always(Reply.json(503, FakeOpenAiCompatible.error("overloaded", "server_error", null)));
    Seed seed = route(Map.of("a-primary", HARNESS.fake().baseUrl(), "b-secondary", SECONDARY.baseUrl()), PRICE);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), new JsonObject().put("input", TEXT).encode());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("b-secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(SECONDARY.lastRequest().json().getString("model")).isEqualTo("up-b-secondary");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("provider", "b-secondary")
        .containsEntry("attempts", "2");
  }

  @Test
  void aRouteWithOnlyAnAzureTargetAnswersEndpointNotSupportedAndCallsNothing() {
    Seed seed = route(Map.of("azure", AZURE.baseUrl()), PRICE);

    HttpResponse<String> r = HARNESS.gateway().post(PATH, seed.key("k"), new JsonObject().put("input", TEXT).encode());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(e.getString("message")).contains("Moderations");
    assertThat(AZURE.requests()).isEmpty();
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).isEmpty();
  }

  @Test
  void theOpenAiSdkModeratesUnchanged() {
    Seed seed = primaryOnly(PRICE);

    ModerationCreateResponse m = OpenAIOkHttpClient.builder().baseUrl(HARNESS.gateway().url("/v1")).apiKey(seed.key("sdk"))
        .maxRetries(0).build().moderations().create(ModerationCreateParams.builder().input(TEXT).build());

    assertThat(m.model()).isEqualTo(MODEL);
    assertThat(m.results().get(0).flagged()).isTrue();
    assertThat(m.results().get(0).categories().violence()).isTrue();
    assertThat(HARNESS.fake().lastRequest().json().getString("model")).isEqualTo("up-a-primary");
  }

  static Stream<Arguments> invalidBodies() {
    return Stream.of(
        Arguments.of("{}", "input"),
        Arguments.of("{\"input\":42}", "input"),
        Arguments.of("{\"input\":[]}", "input"),
        Arguments.of("{\"input\":[1,2]}", "input"),
        Arguments.of("{\"input\":[\"a\",{\"type\":\"text\",\"text\":\"b\"}]}", "input"),
        Arguments.of("{\"input\":[{\"type\":\"audio\",\"audio\":{}}]}", "input"),
        Arguments.of("{\"input\":[{\"type\":\"image_url\",\"image_url\":\"https://example.com/a.png\"}]}", "input"),
        Arguments.of("{\"input\":\"x\",\"stream\":true}", "stream"),
        Arguments.of("{\"input\":\"x\",\"model\":5}", "model"));
  }

  @ParameterizedTest
  @MethodSource("invalidBodies")
  void invalidBodiesAnswer400InTheEnvelopeWithTheParamNamed(String body, String param) {
    Seed seed = primaryOnly(PRICE);
    OpenAiShapedRoutes.invalid(HARNESS.gateway().post(PATH, seed.key("k"), body), param);
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  static void assertSpent(Seed seed, long micros) {
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", Long.toString(micros)).containsEntry("reserved", "0"));
  }
}
