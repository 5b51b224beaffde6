package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.http.AccessLog;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.Period;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * {@code TOLLGATE_ACCESS_LOG=json}: every {@code /v1/*} request ends in exactly one line on the
 * {@code tollgate.access} logger that parses as one JSON object with what an operator needs to find
 * it (who, what, how it ended, what it cost), and never the key that made it.
 */
class AccessLogTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone().env("TOLLGATE_ACCESS_LOG", "json");

  static final ListAppender<ILoggingEvent> LINES = new ListAppender<>();

  @BeforeAll
  static void capture() {
    LINES.start();
    ((Logger) LoggerFactory.getLogger(AccessLog.LOGGER)).addAppender(LINES);
  }

  @AfterAll
  static void release() {
    ((Logger) LoggerFactory.getLogger(AccessLog.LOGGER)).detachAppender(LINES);
  }

  /** Every line so far, each parsed: a line that is not one JSON object fails the test. */
  static List<JsonObject> lines() {
    synchronized (LINES.list) {
      return LINES.list.stream().map(e -> {
        String msg = e.getFormattedMessage();
        assertThat(msg).as("one line").doesNotContain("\n");
        return new JsonObject(msg);
      }).toList();
    }
  }

  /** The single line of request {@code id}, once it was written. */
  static JsonObject lineOf(String field, String value) {
    await().atMost(Duration.ofSeconds(10)).until(() -> lines().stream().anyMatch(l -> value.equals(l.getString(field))));
    List<JsonObject> found = lines().stream().filter(l -> value.equals(l.getString(field))).toList();
    assertThat(found).as("lines with %s=%s", field, value).hasSize(1);
    return found.get(0);
  }

  static String requestId(HttpResponse<String> r) {
    return r.headers().firstValue("x-request-id").orElseThrow();
  }

  @Test
  void aStoredResponseReadIsLoggedWithItsEndpointAndTheProviderAnswer() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("reader");
    HttpResponse<String> created = HARNESS.gateway().post("/v1/responses", key,
        "{\"model\":\"" + Seed.MODEL + "\",\"input\":\"Say hello\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    String id = new JsonObject(created.body()).getString("id");

    // this fake stores nothing: its 404 is passed through, and logged as the read's outcome
    HttpResponse<String> r = HARNESS.gateway().get("/v1/responses/" + id + "?include%5B%5D=x", key);

    assertThat(r.statusCode()).isEqualTo(404);
    JsonObject line = lineOf("request_id", requestId(r));
    assertThat(line.getMap()).containsEntry("method", "GET").containsEntry("path", "/v1/responses/" + id)
        .containsEntry("status", 404).containsEntry("endpoint", "responses.retrieve").containsEntry("provider", "fake")
        .containsEntry("tenant", seed.tenant.id()).containsEntry("api_key", "reader").doesNotContainKey("cost_micros");
  }

  @Test
  void aServedRequestLogsWhoWhatWhereAndWhatItCost() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("served-key");
    HttpResponse<String> r = HARNESS.gateway().postWithHeaders("/v1/chat/completions?trace=1", TestGateway.chat(Seed.MODEL, 50, false),
        "authorization", "Bearer " + key, "x-forwarded-for", "203.0.113.7, 10.0.0.1", "user-agent", "OpenAI/Python 1.99.0");
    assertThat(r.statusCode()).isEqualTo(200);

    JsonObject line = lineOf("request_id", requestId(r));
    Map<String, String> usage = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(line.getString("method")).isEqualTo("POST");
    assertThat(line.getString("path")).as("no query string").isEqualTo("/v1/chat/completions");
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.containsKey("error")).isFalse();
    assertThat(line.getString("tenant")).isEqualTo(seed.tenant.id());
    assertThat(line.getString("api_key")).isEqualTo("served-key");
    assertThat(line.getString("endpoint")).isEqualTo("chat.completions");
    assertThat(line.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(line.getString("served_model")).isEqualTo("upstream-mini");
    assertThat(line.getString("provider")).isEqualTo("fake");
    assertThat(line.getInteger("attempts")).isEqualTo(1);
    assertThat(line.getBoolean("stream")).isFalse();
    // the same figures as the usage record settle wrote
    assertThat(line.getLong("tokens_in")).isEqualTo(Long.parseLong(usage.get("tokensIn"))).isPositive();
    assertThat(line.getLong("tokens_out")).isEqualTo(Long.parseLong(usage.get("tokensOut"))).isPositive();
    assertThat(line.getLong("cost_micros")).isEqualTo(Long.parseLong(usage.get("costMicros"))).isPositive();
    assertThat(line.getLong("billed_micros")).isEqualTo(Long.parseLong(usage.get("billedMicros")));
    assertThat(line.getString("currency")).isEqualTo(usage.get("currency"));
    assertThat(line.getLong("latency_ms")).isNotNegative();
    assertThat(Instant.parse(line.getString("ts"))).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MINUTES));
    assertThat(line.getString("ts")).endsWith("Z");
    assertThat(line.getString("client_address")).isEqualTo("127.0.0.1");
    assertThat(line.getString("x_forwarded_for")).isEqualTo("203.0.113.7, 10.0.0.1");
    assertThat(line.getString("user_agent")).isEqualTo("OpenAI/Python 1.99.0");
    assertThat(line.encode()).doesNotContain(key).doesNotContain(Seed.UPSTREAM_KEY).doesNotContain("Say hello")
        .doesNotContain(FakeOpenAiCompatible.DEFAULT_TEXT);
  }

  @Test
  void aSpendCapRefusalLogs402WithItsCodeAndNoCost() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl()).cap("tiny", "ApiKey", "capped", "Reject", Period.Day, 50);
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("capped"), TestGateway.chat(Seed.MODEL, 1000, false));
    assertThat(r.statusCode()).isEqualTo(402);

    JsonObject line = lineOf("request_id", requestId(r));
    assertThat(line.getInteger("status")).isEqualTo(402);
    assertThat(line.getString("error")).isEqualTo("spend_cap_exceeded");
    assertThat(line.getString("tenant")).isEqualTo(seed.tenant.id());
    assertThat(line.getString("api_key")).isEqualTo("capped");
    assertThat(line.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(line.fieldNames()).as("nothing was served or settled")
        .doesNotContain("served_model", "provider", "tokens_in", "tokens_out", "cost_micros", "billed_micros");
  }

  @Test
  void anUnknownKeyLogs401WithoutTenantOrKey() {
    String unknown = ApiKeys.generate();
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", unknown, TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(r.statusCode()).isEqualTo(401);

    JsonObject line = lineOf("request_id", requestId(r));
    assertThat(line.getInteger("status")).isEqualTo(401);
    assertThat(line.getString("error")).isEqualTo("invalid_api_key");
    assertThat(line.fieldNames()).doesNotContain("tenant", "api_key");
    assertThat(line.getString("endpoint")).isEqualTo("chat.completions");
    assertThat(line.encode()).doesNotContain(unknown).doesNotContain(ApiKeys.sha256Hex(unknown));
  }

  @Test
  void aStreamTheClientCutLogsOnceWhenItEnds() {
    HARNESS.fake().always(Reply.sse(FakeOpenAiCompatible.textEvents(
        IntStream.range(1, 500).mapToObj(i -> "word" + i + " ").toList(), 10, 499, true)).eventDelayMs(10));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    assertThat(HARNESS.gateway().readThenHangUp(seed.key("leaver"), TestGateway.chat(Seed.MODEL, 2000, true), 5)).isEqualTo(5);

    JsonObject line = lineOf("api_key", "leaver");
    assertThat(line.getInteger("status")).isEqualTo(499);
    assertThat(line.getString("error")).isEqualTo("client_closed");
    assertThat(line.getBoolean("stream")).isTrue();
    assertThat(line.getString("provider")).isEqualTo("fake");
    assertThat(line.getLong("tokens_out")).as("billed for what was streamed").isPositive();
    Map<String, String> usage = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(line.getString("request_id")).isEqualTo(usage.get("requestId"));
    assertThat(line.getLong("billed_micros")).isEqualTo(Long.parseLong(usage.get("billedMicros")));
  }

  @Test
  void untrustedValuesAreEscapedAndUnknownPathsAndModelListsAreLogged() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("escaper");
    String model = "gpt\"}{\\\n\u0001-evil";
    HttpResponse<String> bad = HARNESS.gateway().post("/v1/chat/completions", key,
        new JsonObject().put("model", model).put("messages", List.of(Map.of("role", "user", "content", "hi"))).encode());
    assertThat(bad.statusCode()).isBetween(400, 499);
    JsonObject line = lineOf("request_id", requestId(bad));
    assertThat(line.getString("model")).isEqualTo(model);
    assertThat(line.getInteger("status")).isEqualTo(bad.statusCode());

    HttpResponse<String> models = HARNESS.gateway().get("/v1/models", key);
    assertThat(models.statusCode()).isEqualTo(200);
    JsonObject listed = lineOf("request_id", requestId(models));
    assertThat(listed.getString("method")).isEqualTo("GET");
    assertThat(listed.getInteger("status")).isEqualTo(200);
    assertThat(listed.getString("endpoint")).isEqualTo("models");
    assertThat(listed.getString("api_key")).isEqualTo("escaper");

    HttpResponse<String> unknown = HARNESS.gateway().get("/v1/nothing-here", key);
    JsonObject notFound = lineOf("request_id", requestId(unknown));
    assertThat(notFound.getInteger("status")).isEqualTo(404);
    assertThat(notFound.getString("error")).isEqualTo("unknown_url");

    // health checks are not API requests: no line
    int before = lines().size();
    assertThat(HARNESS.gateway().get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(HARNESS.gateway().get("/v1/models", key).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> lines().size() > before);
    assertThat(lines().subList(before, lines().size())).extracting(l -> l.getString("path")).doesNotContain("/healthz");
  }
}
