package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.FakeGoogleOAuth;
import dev.tollgate.gateway.fake.FakeVertexAi;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Gemini on Vertex AI through the whole gateway: the provider's credential is a service-account key
 * file, exchanged at a fake Google token endpoint (which verifies each signed assertion with the
 * account's public key) for access tokens that a fake Vertex AI checks, both over real HTTP.
 */
class VertexAiTest {

  // declared before the harness so the capture is in place before the gateway starts
  static final NoSecretsLeakTest.LogCapture LOGS = NoSecretsLeakTest.LogCapture.start();

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeGoogleOAuth OAUTH = new FakeGoogleOAuth();
  @RegisterExtension
  static final FakeVertexAi VERTEX = new FakeVertexAi("acme-prod", "europe-west4", OAUTH::valid);

  /** $0.30 / $2.50 per million tokens. */
  static final RoutePlan.Target VERTEX_TARGET =
      new RoutePlan.Target("vertex", "gemini-2.5-flash", 0, 1, 300_000, 2_500_000, 1_000_000);
  static final RoutePlan.Target BACKUP_TARGET =
      new RoutePlan.Target("backup", "backup-mini", 1, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 128_000);
  static final String MODEL_PATH =
      "/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-flash";

  @AfterAll
  static void stopCapture() {
    LOGS.stop();
  }

  /** A tenant whose route goes to Vertex AI with {@code keyJson}, then (if given) to the backup fake. */
  static Seed seed(String keyJson, boolean withBackup, int maxAttempts) {
    Seed seed = HARNESS.seed().tenant();
    return plan(seed, keyJson, withBackup, maxAttempts);
  }

  static Seed plan(Seed seed, String keyJson, boolean withBackup, int maxAttempts) {
    Map<String, RoutePlan.Provider> providers = new HashMap<>();
    providers.put("vertex", seed.vertexProvider(VERTEX.baseUrl(), keyJson, "acme-prod", "europe-west4"));
    List<RoutePlan.Target> targets = new ArrayList<>(List.of(VERTEX_TARGET));
    if (withBackup) {
      providers.put("backup", seed.provider(HARNESS.fake().baseUrl()));
      targets.add(BACKUP_TARGET);
    }
    return seed.plan(providers, List.of(new RoutePlan.Route(Seed.MODEL, targets, List.of())),
        new RoutePlan.Retry(maxAttempts, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000));
  }

  static HttpResponse<String> chat(String key, boolean stream) {
    return HARNESS.gateway().post("/v1/chat/completions", key,
        TestGateway.chat(Seed.MODEL, 50, stream).replace("}]", "}]" + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")));
  }

  static Map<String, String> record(Seed seed, int n) {
    return UsageRecords.nth(HARNESS.redis(), seed.tenant, n);
  }

  static String bearer(RecordedRequest r) {
    return r.header("authorization").substring("Bearer ".length());
  }

  @Test
  void jsonAndStreamedChatsAreServedWithOneTokenAndBilledExactlyFromUsageMetadata() throws Exception {
    FakeGoogleOAuth.Account account = OAUTH.account();
    Seed seed = seed(account.json(), false, 2);
    String key = seed.key("k");

    // a burst on a key no token exists for yet: they all wait for the same token request
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        burst.add(CompletableFuture.supplyAsync(() -> chat(key, false), pool));
      }
      for (CompletableFuture<HttpResponse<String>> r : burst) {
        assertThat(r.get().statusCode()).as(r.get().body()).isEqualTo(200);
      }
    } finally {
      pool.shutdown();
    }

    VERTEX.enqueue(Reply.json(200, FakeGemini.response("Blue light scatters most.", 12, 7, 30)));
    HttpResponse<String> plain = chat(key, false);
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    JsonObject body = new JsonObject(plain.body());
    assertThat(body.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo("Blue light scatters most.");
    // thinking tokens are billed as output
    assertThat(body.getJsonObject("usage").getLong("prompt_tokens")).isEqualTo(12);
    assertThat(body.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(37);
    assertThat(plain.headers().firstValue("x-tollgate-provider")).contains("vertex");
    assertThat(plain.headers().firstValue("x-tollgate-model")).contains("gemini-2.5-flash");
    assertThat(plain.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(VERTEX_TARGET.costMicros(12, 37)));
    assertThat(record(seed, 7)).containsEntry("provider", "vertex").containsEntry("servedModel", "gemini-2.5-flash")
        .containsEntry("tokensIn", "12").containsEntry("tokensOut", "37").containsEntry("usageSource", "provider")
        .containsEntry("costMicros", Long.toString(VERTEX_TARGET.costMicros(12, 37)));

    VERTEX.enqueue(FakeGemini.sse(FakeGemini.textEvents(List.of("Blue ", "light."), 9, 4)));
    HttpResponse<String> streamed = chat(key, true);
    assertThat(streamed.statusCode()).isEqualTo(200);
    List<String> data = RoutingProvidersTest.dataLines(streamed.body());
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(RoutingProvidersTest.content(data)).isEqualTo("Blue light.");
    assertThat(new JsonObject(data.get(data.size() - 2)).getJsonObject("usage").getLong("completion_tokens")).isEqualTo(4);
    assertThat(record(seed, 8)).containsEntry("tokensIn", "9").containsEntry("tokensOut", "4")
        .containsEntry("usageSource", "provider").containsEntry("costMicros", Long.toString(VERTEX_TARGET.costMicros(9, 4)));

    assertThat(OAUTH.tokenRequests()).as("one token for eight calls").isEqualTo(1);
    assertThat(OAUTH.rejections()).isEmpty();
    List<RecordedRequest> calls = VERTEX.requests();
    assertThat(calls).hasSize(8);
    assertThat(calls).allSatisfy(r -> {
      assertThat(bearer(r)).isEqualTo(bearer(calls.get(0)));
      assertThat(r.path()).startsWith(MODEL_PATH + ":");
    });
    assertThat(OAUTH.issuedTo()).containsEntry(bearer(calls.get(0)), account.keyId());
    assertThat(calls.get(7).uri()).isEqualTo(MODEL_PATH + ":streamGenerateContent?alt=sse");
  }

  @Test
  void claudeOnVertexIsServedWithOneTokenAndBilledFromAnthropicUsage() {
    RoutePlan.Target claude = new RoutePlan.Target("vertex", "claude-sonnet-4@20250514", 0, 1, 3_000_000, 15_000_000, 200_000);
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("vertex", seed.vertexProvider(VERTEX.baseUrl(), OAUTH.account().json(), "acme-prod", "europe-west4")),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(claude), List.of())),
        new RoutePlan.Retry(1, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000));
    String key = seed.key("k");

    HttpResponse<String> plain = chat(key, false);
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    assertThat(new JsonObject(plain.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo(FakeVertexAi.CLAUDE_TEXT);
    assertThat(record(seed, 1)).containsEntry("servedModel", "claude-sonnet-4@20250514").containsEntry("tokensIn", "12")
        .containsEntry("tokensOut", "5").containsEntry("costMicros", Long.toString(claude.costMicros(12, 5)));

    HttpResponse<String> streamed = chat(key, true);
    List<String> data = RoutingProvidersTest.dataLines(streamed.body());
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(RoutingProvidersTest.content(data)).isEqualTo(FakeVertexAi.CLAUDE_TEXT);
    assertThat(record(seed, 2)).containsEntry("tokensIn", "12").containsEntry("tokensOut", "5")
        .containsEntry("usageSource", "provider").containsEntry("costMicros", Long.toString(claude.costMicros(12, 5)));

    assertThat(VERTEX.requests()).extracting(RecordedRequest::path).containsExactly(
        "/v1/projects/acme-prod/locations/europe-west4/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict",
        "/v1/projects/acme-prod/locations/europe-west4/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict");
    assertThat(OAUTH.tokenRequests()).isEqualTo(1);
  }

  @Test
  void aTokenEndpointThatFailsIsAnUpstreamFailureThatFallsBackOrAnswers502() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    Seed seed = seed(OAUTH.account("http://127.0.0.1:" + deadPort + "/token").json(), true, 3);
    HttpResponse<String> r = chat(seed.key("k"), false);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("backup");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(VERTEX.requests()).as("no call without a token").isEmpty();
    Map<String, String> rec = record(seed, 1);
    assertThat(rec).containsEntry("provider", "backup").containsEntry("attempts", "2")
        .containsEntry("costMicros", Long.toString(BACKUP_TARGET.costMicros(
            Long.parseLong(rec.get("tokensIn")), Long.parseLong(rec.get("tokensOut")))));

    // the token endpoint answers 503 and nothing else serves: 502 in the OpenAI envelope, not a 500
    OAUTH.failWith(503);
    Seed alone = seed(OAUTH.account().json(), false, 2);
    r = chat(alone.key("k"), false);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("api_error");
    assertThat(error.getString("code")).isEqualTo("upstream_error");
    assertThat(error.getString("message"))
        .contains("access token: token endpoint answered 503: internal_failure: try again later");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(OAUTH.tokenRequests()).isEqualTo(2);
    assertThat(VERTEX.requests()).isEmpty();
    assertThat(record(alone, 1)).containsEntry("costMicros", "0").containsEntry("status", "502");
  }

  @Test
  void aTokenVertexRefusesIsReplacedAndOneItAlwaysRefusesIsA502WithNoSecretLoggedStoredOrEchoed() {
    int logStart = LOGS.length();
    FakeGoogleOAuth.Account account = OAUTH.account();
    Seed seed = seed(account.json(), false, 2);
    String key = seed.key("k");
    assertThat(chat(key, false).statusCode()).isEqualTo(200);

    // revoked before its time: Vertex answers 401, the retry gets a new token
    OAUTH.revokeTokens();
    HttpResponse<String> recovered = chat(key, false);
    assertThat(recovered.statusCode()).as(recovered.body()).isEqualTo(200);
    assertThat(recovered.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(OAUTH.tokenRequests()).isEqualTo(2);

    // Vertex refuses every token (say, the account lost its role): 502 in the OpenAI envelope
    VERTEX.always(Reply.json(401, FakeGemini.error(401, "UNAUTHENTICATED", FakeVertexAi.UNAUTHENTICATED_MESSAGE)));
    HttpResponse<String> refused = chat(key, false);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(502);
    JsonObject error = new JsonObject(refused.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("api_error");
    assertThat(error.getString("code")).isEqualTo("upstream_error");
    assertThat(error.containsKey("param")).isTrue();
    assertThat(error.getString("message")).contains(FakeVertexAi.UNAUTHENTICATED_MESSAGE);
    assertThat(UsageRecords.atLeast(HARNESS.redis(), seed.tenant, 3).get(2)).containsEntry("status", "502")
        .containsEntry("costMicros", "0");

    String requestId = refused.headers().firstValue("x-request-id").orElseThrow();
    String logs = LOGS.since(logStart);
    assertThat(logs).as("the failure is logged").contains(requestId);
    String redis = NoSecretsLeakTest.dumpRedis(HARNESS.redis());
    List<String> secrets = new ArrayList<>(OAUTH.issuedTo().keySet());
    secrets.addAll(OAUTH.assertions());
    String pem = new JsonObject(account.json()).getString("private_key");
    pem.lines().filter(l -> !l.startsWith("-----")).forEach(secrets::add);
    secrets.add("PRIVATE KEY");
    for (String secret : secrets) {
      assertThat(logs).as("logs must not hold %s", secret).doesNotContain(secret);
      assertThat(redis).as("Redis must not hold %s", secret).doesNotContain(secret);
      assertThat(refused.body() + recovered.body()).doesNotContain(secret);
    }
  }

  @Test
  void aRotatedKeyTakesEffectWithoutARestart() {
    FakeGoogleOAuth.Account before = OAUTH.account();
    Seed seed = seed(before.json(), false, 1);
    String key = seed.key("k");
    assertThat(chat(key, false).statusCode()).isEqualTo(200);
    assertThat(OAUTH.issuedTo()).containsEntry(bearer(VERTEX.lastRequest()), before.keyId());

    // the Secret now holds a new key, and the old one is deleted at Google
    FakeGoogleOAuth.Account after = OAUTH.account();
    plan(seed, after.json(), false, 1);
    OAUTH.revoke(before);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      HttpResponse<String> r = chat(key, false);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(OAUTH.issuedTo()).containsEntry(bearer(VERTEX.lastRequest()), after.keyId());
    });
  }
}
