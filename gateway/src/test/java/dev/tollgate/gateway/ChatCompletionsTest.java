package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/** The happy paths end to end: a real gateway, real Redis, a fake OpenAI-compatible provider. */
class ChatCompletionsTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  @Test
  void chatCompletionIsProxiedBilledAndRecorded() {
    HARNESS.fake().reportUsage(10, 5);
    Seed seed = HARNESS.seed()
        .tenant(0, 0, new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000, 0), List.of(), TenantRecord.ACTIVE)
        .plan(HARNESS.fake().baseUrl())
        .cap("monthly", "Tenant", null, "Reject", Period.Month, 1_000_000);
    String key = seed.key("web");

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("fake");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo(FakeOpenAiCompatible.DEFAULT_TEXT);
    // upstream saw its own model name and the sealed credential, opened; never the client's key
    assertThat(HARNESS.fake().lastRequest().json().getString("model")).isEqualTo("upstream-mini");
    assertThat(HARNESS.fake().lastRequest().header("authorization")).isEqualTo("Bearer " + Seed.UPSTREAM_KEY);

    // provider cost: ceil(10 * 0.15) + ceil(5 * 0.60) = 2 + 3 micros; billed with 20% markup = 6
    String spendKey = RedisKeys.spend(seed.tenant, "monthly", Period.Month.key(Instant.now()));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(spendKey)).containsEntry("spent", "6").containsEntry("reserved", "0"));
    assertThat(HARNESS.redis().hlen(RedisKeys.reservations(seed.tenant))).isZero();
    Map<String, String> totals = HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now())));
    assertThat(totals).containsEntry("requests", "1").containsEntry("tokensIn", "10").containsEntry("tokensOut", "5")
        .containsEntry("costMicros", "5").containsEntry("billedMicros", "6").containsEntry("k:web:requests", "1");
    List<StreamEntry> usage = HARNESS.redis().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null);
    assertThat(usage).hasSize(1);
    assertThat(usage.get(0).getFields())
        .containsEntry("requestId", r.headers().firstValue("x-request-id").orElseThrow())
        .containsEntry("tenant", seed.tenant.id())
        .containsEntry("apiKey", "web")
        .containsEntry("requestedModel", Seed.MODEL)
        .containsEntry("servedModel", "upstream-mini")
        .containsEntry("provider", "fake")
        .containsEntry("tokensIn", "10")
        .containsEntry("tokensOut", "5")
        .containsEntry("costMicros", "5")
        .containsEntry("billedMicros", "6")
        .containsEntry("usageSource", "provider")
        .containsEntry("attempts", "1")
        .containsEntry("status", "200")
        .containsKeys("policyVersion", "latencyMs");
  }

  /**
   * The record's {@code ts} is the admission's instant, which the month totals and cap periods are
   * keyed by, not the arrival's: a body that arrives 1.5 s after its headers (as a request arriving at
   * 23:59:59 and admitted after midnight would) is stamped when it was admitted, so an export by month
   * and the month totals count it in the same month.
   */
  @Test
  void theUsageRecordIsStampedWhenTheRequestWasAdmitted() throws Exception {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("slow");
    byte[] body = TestGateway.chat(Seed.MODEL, 10, false).getBytes(StandardCharsets.UTF_8);
    URI uri = URI.create(HARNESS.gateway().url("/v1/chat/completions"));
    long arrived;
    try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
      s.setSoTimeout(10_000);
      var out = s.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      arrived = System.currentTimeMillis();
      // the body follows 1.5 s later, as a slow upload's would
      CompletableFuture.runAsync(() -> { },
          CompletableFuture.delayedExecutor(1_500, TimeUnit.MILLISECONDS)).join();
      out.write(body);
      out.flush();
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
    }
    long ts = Long.parseLong(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1).get("ts"));
    assertThat(ts).isGreaterThanOrEqualTo(arrived + 1_400);
  }

  @Test
  void theClientsTraceContextReachesTheProviderAndNothingIsInventedWithoutOne() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("traced");
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    HttpResponse<String> r = HARNESS.gateway().postWithHeaders("/v1/chat/completions", TestGateway.chat(Seed.MODEL, 10, false),
        "authorization", "Bearer " + key, "traceparent", traceparent, "tracestate", "vendor=abc");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().header("traceparent")).isEqualTo(traceparent);
    assertThat(HARNESS.fake().lastRequest().header("tracestate")).isEqualTo("vendor=abc");

    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false)).statusCode()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().header("traceparent")).isNull();
  }

  @Test
  void embeddingsAreBilledForInputTokens() {
    HARNESS.fake().reportUsage(7, 0);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("emb");

    HttpResponse<String> r = HARNESS.gateway().post("/v1/embeddings", key,
        "{\"model\":\"text-embedding-3-small\",\"input\":[\"hello\",\"world\"]}");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getJsonArray("data")).hasSize(1);
    assertThat(HARNESS.fake().lastRequest().json().getString("model")).isEqualTo("upstream-embed");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now()))))
            .containsEntry("tokensIn", "7").containsEntry("tokensOut", "0").containsEntry("costMicros", "1"));
  }

  @Test
  void modelsListsOnlyWhatTheKeyMayUse() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String narrow = seed.key("narrow", 0, 0, List.of("gpt-4o*"), ApiKeyRecord.ACTIVE, 0);
    String wide = seed.key("wide");

    assertThat(ids(HARNESS.gateway().get("/v1/models", narrow))).containsExactly("gpt-4o", "gpt-4o-mini");
    assertThat(ids(HARNESS.gateway().get("/v1/models", wide))).containsExactly("gpt-4o", "gpt-4o-mini", "text-embedding-3-small");
  }

  /**
   * A per-model markup (premium models at a higher margin) bills the requested model at its own
   * markup, and reserves against the caps with it too: a cap the plan's markup would pass refuses.
   */
  @Test
  void aModelMarkupBillsAndReservesThatModelAtItsOwnMargin() {
    HARNESS.fake().reportUsage(10, 5);
    Pricing pricing = new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000, 0,
        List.of(new Pricing.ModelMarkup("gpt-4o-m*", 1_000_000)));
    Seed seed = HARNESS.seed().tenant(0, 0, pricing, List.of(), TenantRecord.ACTIVE).plan(HARNESS.fake().baseUrl());
    String key = seed.key("web");

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false));

    // provider cost 2 + 3 = 5 micros; gpt-4o-mini at 100% markup: 10 billed (20% would be 6)
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains("10");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now()))))
            .containsEntry("costMicros", "5").containsEntry("billedMicros", "10"));

    // worst case of 100 output tokens: ceil(prompt) + 60 micros of cost, 2x with the model's markup:
    // a 100-micro cap holds it at 20% (~75) but not at 100% (~125)
    Seed capped = HARNESS.seed().tenant(0, 0, pricing, List.of(), TenantRecord.ACTIVE).plan(HARNESS.fake().baseUrl())
        .cap("small", "Tenant", null, "Reject", Period.Day, 100);
    HttpResponse<String> refused = HARNESS.gateway().post("/v1/chat/completions", capped.key("web"), TestGateway.chat(Seed.MODEL, 100, false));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(402);
    Seed plain = HARNESS.seed().tenant(0, 0, new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000, 0), List.of(), TenantRecord.ACTIVE)
        .plan(HARNESS.fake().baseUrl()).cap("small", "Tenant", null, "Reject", Period.Day, 100);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", plain.key("web"), TestGateway.chat(Seed.MODEL, 100, false)).statusCode())
        .isEqualTo(200);
  }

  /** The SDKs' {@code models.retrieve}: the same rules as the chat endpoint, for one name. */
  @Test
  void oneModelIsRetrievedWhenTheKeyMayUseIt() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String narrow = seed.key("narrow", 0, 0, List.of("gpt-4o*"), ApiKeyRecord.ACTIVE, 0);
    String wide = seed.key("wide");

    HttpResponse<String> one = HARNESS.gateway().get("/v1/models/gpt-4o-mini", narrow);
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(one.body()).getMap()).containsEntry("id", "gpt-4o-mini").containsEntry("object", "model");

    assertThat(errorCode(HARNESS.gateway().get("/v1/models/text-embedding-3-small", narrow), 403)).isEqualTo("model_not_allowed");
    assertThat(errorCode(HARNESS.gateway().get("/v1/models/no-such-model", wide), 404)).isEqualTo("model_not_found");
    // names with a slash (org/model, as OpenRouter and vLLM spell them) reach the same check
    HttpResponse<String> slashed = HARNESS.gateway().get("/v1/models/acme/no-such-model", wide);
    assertThat(errorCode(slashed, 404)).isEqualTo("model_not_found");
    assertThat(new JsonObject(slashed.body()).getJsonObject("error").getString("message")).contains("'acme/no-such-model'");
    // a fine-tuned name has colons: still OpenAI's envelope (Gemini's POST paths use Google's)
    assertThat(errorCode(HARNESS.gateway().get("/v1/models/ft:gpt-4o-mini:acme::abc123", wide), 404)).isEqualTo("model_not_found");
    assertThat(errorCode(HARNESS.gateway().get("/v1/models/gpt-4o", "tg-not-a-key"), 401)).isNotBlank();
  }

  private static String errorCode(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return new JsonObject(r.body()).getJsonObject("error").getString("code");
  }

  private static List<Object> ids(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("data").stream().map(o -> ((JsonObject) o).getValue("id")).toList();
  }

  @Test
  void configChangeReachesTheGatewayAtOnce() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("soon-revoked");
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false)).statusCode()).isEqualTo(200);

    // the operator suspends the key and publishes the change; the cached record must not survive it
    String hash = ApiKeys.sha256Hex(key);
    HARNESS.redis().set(RedisKeys.apiKey(hash), ConfigCodec.toJson(
        new ApiKeyRecord(seed.tenant.id(), "soon-revoked", ApiKeyRecord.SUSPENDED, 0, List.of(), 0, 0, null, 2)));
    HARNESS.redis().publish(RedisKeys.CONFIG_CHANNEL, new ConfigChange(ConfigChange.API_KEY, hash).encode());

    await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false)).statusCode()).isEqualTo(401));
  }

  @Test
  void healthReadinessAndMetrics() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    HARNESS.gateway().post("/v1/chat/completions", seed.key("m"), TestGateway.chat(Seed.MODEL, 10, false));

    assertThat(HARNESS.gateway().get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(HARNESS.gateway().get("/readyz", null).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      String metrics = HARNESS.gateway().get("/metrics", null).body();
      assertThat(metrics).contains("tollgate_requests_total{").contains("tenant=\"" + seed.tenant.id() + "\"")
          .containsPattern("tollgate_requests_total\\{endpoint=\"chat.completions\",[^}]*tenant=\"" + seed.tenant.id() + "\"")
          .contains("tollgate_tokens_total").contains("tollgate_request_duration_seconds_bucket");
    });
  }
}
