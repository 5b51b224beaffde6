package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.FakeGoogleOAuth;
import dev.tollgate.gateway.fake.FakeVertexAi;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenAI {@code /v1/embeddings} served by {@code gemini} targets through the whole chain against fake
 * Gemini servers: translated to {@code batchEmbedContents} with the target's key, answered in
 * OpenAI's list shape, billed for the input tokens the gateway counted (Gemini reports none), falling
 * back from a failing target, and refusing what Gemini cannot embed in OpenAI's envelope; and by
 * Gemini models on {@code vertex-ai} targets ({@code :predict}), billed from the token counts Vertex
 * AI reports, while Claude on Vertex AI stays ineligible.
 */
class GeminiEmbeddingsTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeGemini PRIMARY = new FakeGemini(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeGemini SECONDARY = new FakeGemini(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeGoogleOAuth OAUTH = new FakeGoogleOAuth();
  @RegisterExtension
  static final FakeVertexAi VERTEX = new FakeVertexAi("acme-prod", "europe-west4", OAUTH::valid);

  static final TokenEstimator TOKENS = new TokenEstimator();
  static final String MODEL = "gemini-embedding-001";

  /** $150 per million input tokens, so that a few tokens cost a visible number of micros. */
  static RoutePlan.Target target(String provider, int priority) {
    return new RoutePlan.Target(provider, MODEL + "-" + provider, priority, 1, 150_000_000, 0, 2_048);
  }

  /** A tenant whose route for {@link #MODEL} has one Gemini target per fake, tried in this order. */
  static Seed seed(FakeGemini... fakes) {
    Seed seed = HARNESS.seed().tenant();
    Map<String, RoutePlan.Provider> providers = new LinkedHashMap<>();
    List<RoutePlan.Target> targets = new java.util.ArrayList<>();
    for (int i = 0; i < fakes.length; i++) {
      String name = fakes[i] == PRIMARY ? "primary" : "secondary";
      providers.put(name, seed.provider("gemini", fakes[i].baseUrl(), null));
      targets.add(target(name, i));
    }
    return seed.plan(providers, List.of(new RoutePlan.Route(MODEL, targets, List.of())),
            new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
  }

  static HttpResponse<String> embed(String key, String body) {
    return HARNESS.gateway().post("/v1/embeddings", key, body);
  }

  /** The usage record and the cap's spend show {@code tokens} input tokens at the target's price, none output. */
  static void billed(Seed seed, long tokens, String provider) {
    long cost = target(provider, 0).costMicros(tokens, 0);
    assertThat(tokens).isPositive();
    assertThat(cost).isPositive();
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "embeddings").containsEntry("status", "200")
        .containsEntry("usageSource", "estimated").containsEntry("provider", provider)
        .containsEntry("requestedModel", MODEL).containsEntry("servedModel", MODEL + "-" + provider)
        .containsEntry("tokensIn", Long.toString(tokens)).containsEntry("tokensOut", "0")
        .containsEntry("costMicros", Long.toString(cost));
    String day = Period.Day.key(Instant.now());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", day)))
            .containsEntry("spent", Long.toString(cost)).containsEntry("reserved", "0"));
  }

  @Test
  void aStringIsEmbeddedWithTheTargetsKeyAndBilledForTheCountedInput() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("rag");
    String text = "The quick brown fox jumps over the lazy dog";

    HttpResponse<String> r = embed(key, new JsonObject().put("model", MODEL).put("input", text).put("dimensions", 2).encode());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    RecordedRequest up = PRIMARY.lastRequest();
    assertThat(up.path()).isEqualTo("/v1beta/models/" + MODEL + "-primary:batchEmbedContents");
    assertThat(up.header("x-goog-api-key")).isEqualTo(Seed.UPSTREAM_KEY);
    assertThat(up.header("authorization")).isNull();
    assertThat(up.body()).doesNotContain(key);
    assertThat(up.json()).isEqualTo(new JsonObject().put("requests", new JsonArray().add(new JsonObject()
        .put("model", "models/" + MODEL + "-primary")
        .put("content", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", text))))
        .put("outputDimensionality", 2))));

    long tokens = TOKENS.count(text);
    JsonObject body = new JsonObject(r.body());
    assertThat(body).isEqualTo(new JsonObject().put("object", "list")
        .put("data", new JsonArray().add(new JsonObject().put("object", "embedding").put("index", 0)
            .put("embedding", new JsonArray().add((double) text.length()).add(0.5))))
        .put("model", MODEL)
        .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)));
    billed(seed, tokens, "primary");
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(target("primary", 0).costMicros(tokens, 0)));
  }

  @Test
  void anArrayIsEmbeddedInOrderAndBase64IsEncodedAsOpenAiDoes() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("rag");

    HttpResponse<String> r = embed(key,
        "{\"model\":\"" + MODEL + "\",\"input\":[\"first chunk\",\"a second, longer chunk of text\"]}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonArray requests = PRIMARY.lastRequest().json().getJsonArray("requests");
    assertThat(requests).hasSize(2);
    assertThat(requests.getJsonObject(1).getJsonObject("content").encode()).contains("a second, longer chunk of text");
    assertThat(requests.getJsonObject(0).containsKey("outputDimensionality")).isFalse();
    JsonArray data = new JsonObject(r.body()).getJsonArray("data");
    assertThat(data).hasSize(2);
    assertThat(data.getJsonObject(0).getInteger("index")).isZero();
    assertThat(data.getJsonObject(0).getJsonArray("embedding")).isEqualTo(new JsonArray().add(11.0).add(0.5).add(0.25).add(-1.0));
    assertThat(data.getJsonObject(1).getInteger("index")).isEqualTo(1);
    assertThat(data.getJsonObject(1).getJsonArray("embedding").getDouble(0)).isEqualTo(30.0);
    billed(seed, TOKENS.count("first chunk") + TOKENS.count("a second, longer chunk of text"), "primary");

    // the OpenAI SDKs ask for base64 by default: little-endian float32s
    HttpResponse<String> b64 = embed(key, "{\"model\":\"" + MODEL + "\",\"input\":[\"abc\"],\"encoding_format\":\"base64\"}");
    assertThat(b64.statusCode()).as(b64.body()).isEqualTo(200);
    ByteBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(
        new JsonObject(b64.body()).getJsonArray("data").getJsonObject(0).getString("embedding"))).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(floats.remaining()).isEqualTo(4 * Float.BYTES);
    assertThat(List.of(floats.getFloat(), floats.getFloat(), floats.getFloat(), floats.getFloat()))
        .containsExactly(3.0f, 0.5f, 0.25f, -1.0f);
  }

  @Test
  void aFailingGeminiTargetFallsBackToTheNext() {
    Seed seed = seed(PRIMARY, SECONDARY);
    String key = seed.key("rag");
    PRIMARY.enqueue(Reply.json(503, FakeGemini.error(503, "UNAVAILABLE", "The model is overloaded.")));

    HttpResponse<String> r = embed(key, "{\"model\":\"" + MODEL + "\",\"input\":\"hello world\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(PRIMARY.requests()).hasSize(1);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(SECONDARY.lastRequest().path()).isEqualTo("/v1beta/models/" + MODEL + "-secondary:batchEmbedContents");
    assertThat(new JsonObject(r.body()).getString("model")).isEqualTo(MODEL);
    billed(seed, TOKENS.count("hello world"), "secondary");
  }

  @Test
  void inputGeminiCannotEmbedIsRefusedInOpenAisEnvelope() {
    Seed seed = seed(PRIMARY);
    String key = seed.key("rag");

    for (String input : List.of("[[1,2,3]]", "[15339, 1917]", "[\"ok\", \"\"]")) {
      HttpResponse<String> r = embed(key, "{\"model\":\"" + MODEL + "\",\"input\":" + input + "}");
      assertThat(r.statusCode()).as(input + ": " + r.body()).isEqualTo(400);
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getString("type")).isEqualTo("invalid_request_error");
      assertThat(error.getString("code")).isEqualTo("invalid_request");
      assertThat(error.getString("message")).contains("input");
    }
    assertThat(PRIMARY.requests()).isEmpty();
    Map<String, String> spend = HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now())));
    assertThat(spend.getOrDefault("spent", "0")).isEqualTo("0");
  }

  /** A tenant whose route for {@link #MODEL} has the given targets on one vertex-ai provider. */
  static Seed vertexSeed(RoutePlan.Target... targets) {
    Seed seed = HARNESS.seed().tenant();
    return seed.plan(Map.of("vertex-ai", seed.vertexProvider(VERTEX.baseUrl(), OAUTH.account().json(), "acme-prod", "europe-west4")),
            List.of(new RoutePlan.Route(MODEL, List.of(targets), List.of())),
            new RoutePlan.Retry(1, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
  }

  @Test
  void aVertexAiGeminiModelEmbedsAtPredictAndIsBilledForTheTokensVertexCounted() {
    RoutePlan.Target claude = new RoutePlan.Target("vertex-ai", "claude-sonnet-4@20250514", 0, 1, 3_000_000, 15_000_000, 200_000);
    RoutePlan.Target google = new RoutePlan.Target("vertex-ai", "text-embedding-005", 1, 1, 150_000_000, 0, 2_048);
    Seed seed = vertexSeed(claude, google);
    String key = seed.key("rag");

    HttpResponse<String> r = embed(key,
        "{\"model\":\"" + MODEL + "\",\"input\":[\"one two three\",\"four five\"],\"dimensions\":3}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(VERTEX.requests()).hasSize(1); // the Claude target is not eligible for embeddings
    RecordedRequest up = VERTEX.lastRequest();
    assertThat(up.path()).isEqualTo("/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/text-embedding-005:predict");
    assertThat(OAUTH.issuedTo()).containsKey(up.header("authorization").substring("Bearer ".length()));
    assertThat(up.headers().values()).noneMatch(v -> v.contains(key));
    assertThat(up.json()).isEqualTo(new JsonObject()
        .put("instances", new JsonArray().add(new JsonObject().put("content", "one two three"))
            .add(new JsonObject().put("content", "four five")))
        .put("parameters", new JsonObject().put("outputDimensionality", 3)));

    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("object")).isEqualTo("list");
    assertThat(body.getString("model")).isEqualTo(MODEL);
    assertThat(body.getJsonArray("data").getJsonObject(1))
        .isEqualTo(new JsonObject().put("object", "embedding").put("index", 1)
            .put("embedding", new JsonArray().add(9.0).add(1.5).add(0.25)));
    assertThat(body.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 5).put("total_tokens", 5));
    long cost = google.costMicros(5, 0);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("endpoint", "embeddings").containsEntry("usageSource", "provider")
        .containsEntry("provider", "vertex-ai").containsEntry("servedModel", "text-embedding-005")
        .containsEntry("tokensIn", "5").containsEntry("tokensOut", "0").containsEntry("costMicros", Long.toString(cost));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now()))))
            .containsEntry("spent", Long.toString(cost)).containsEntry("reserved", "0"));
  }

  @Test
  void aRouteWithOnlyClaudeOnVertexAiAnswersEndpointNotSupported() {
    Seed seed = vertexSeed(new RoutePlan.Target("vertex-ai", "claude-sonnet-4@20250514", 0, 1, 3_000_000, 15_000_000, 200_000));
    String key = seed.key("rag");

    HttpResponse<String> r = embed(key, "{\"model\":\"" + MODEL + "\",\"input\":\"hello\"}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("endpoint_not_supported");
    assertThat(VERTEX.requests()).isEmpty();
  }
}
