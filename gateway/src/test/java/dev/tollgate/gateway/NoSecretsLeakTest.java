package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Responses;
import dev.tollgate.gateway.http.AccessLog;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * "Never log or store a raw API key or a prompt body": drives every kind of request, success and
 * failure, with a marked prompt and per-request client keys, while every log event (DEBUG and up,
 * from every logger, the access log included) is captured; then no log line, no Redis key or value,
 * and no answer may hold a client key, the prompt marker, the provider credential or the credentials key.
 */
class NoSecretsLeakTest {

  // declared before the harness so the capture is in place before the gateway starts
  static final LogCapture LOGS = LogCapture.start();

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone().env("TOLLGATE_MAX_BODY_BYTES", "4096")
      .env("TOLLGATE_ACCESS_LOG", "json");
  @RegisterExtension static final FakeOpenAiCompatible BACKUP = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeGemini GEMINI = new FakeGemini(Seed.UPSTREAM_KEY);

  static final String MARKER = "PROMPT-MARKER-" + UUID.randomUUID();

  /** A chat body whose only user text carries the marker. */
  static String chat(Integer maxTokens, boolean stream) {
    return TestGateway.chat(Seed.MODEL, maxTokens, stream).replace("Say hello", "my secret is " + MARKER);
  }

  final List<String> clientKeys = new ArrayList<>();
  final List<HttpResponse<String>> answers = new ArrayList<>();

  @AfterAll
  static void stopCapture() {
    LOGS.stop();
  }

  @Test
  void noKeyPromptOrCredentialIsLoggedStoredOrEchoed() {
    int logStart = LOGS.length();
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());

    // success, plain and streamed
    assertThat(post(seed.key("plain"), chat(50, false)).statusCode()).isEqualTo(200);
    assertThat(post(seed.key("streamed"), chat(50, true)).statusCode()).isEqualTo(200);

    // the client hangs up mid-stream
    HARNESS.fake().always(Reply.sse(FakeOpenAiCompatible.textEvents(
        IntStream.range(1, 500).mapToObj(i -> "word" + i + " ").toList(), 10, 499, true)).eventDelayMs(10));
    assertThat(HARNESS.gateway().readThenHangUp(key(seed.key("leaver")), chat(2000, true), 5)).isEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).until(() -> HARNESS.fake().lastRequest().clientDisconnected());
    HARNESS.fake().reset();

    // upstream 500 with no other target: the provider's message goes to the client and the log
    HARNESS.fake().always(Reply.json(500, FakeOpenAiCompatible.error("The server had an error", "server_error", null)));
    assertThat(post(seed.key("upstream-500"), chat(50, false)).statusCode()).isEqualTo(502);

    // upstream 500 then fallback; upstream stall then timeout and fallback
    Seed fallback = HARNESS.seed().tenant();
    fallback.plan(Map.of("primary", fallback.provider(HARNESS.fake().baseUrl()), "backup", fallback.provider(BACKUP.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL,
            List.of(new RoutePlan.Target("primary", "m-primary", 0, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0),
                new RoutePlan.Target("backup", "m-backup", 1, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0)), List.of())),
        new RoutePlan.Retry(3, 10, 1_000), new RoutePlan.Timeouts(1_000, 300, 10_000));
    HttpResponse<String> fellBack = post(fallback.key("fallback"), chat(50, false));
    assertThat(fellBack.headers().firstValue("x-tollgate-provider")).contains("backup");
    HARNESS.fake().always(Reply.stall());
    assertThat(post(fallback.key("timeout"), chat(50, true)).headers().firstValue("x-tollgate-provider")).contains("backup");
    HARNESS.fake().reset();

    // an unknown key, well-formed and not
    assertThat(post(ApiKeys.generate(), chat(50, false)).statusCode()).isEqualTo(401);
    assertThat(post("sk-live-" + UUID.randomUUID(), chat(50, false)).statusCode()).isEqualTo(401);

    // a spend cap (402), a rate limit (429), a malformed body, an oversized body
    Seed capped = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl()).cap("tiny", "ApiKey", "capped", "Reject", Period.Day, 50);
    assertThat(post(capped.key("capped"), chat(1000, false)).statusCode()).isEqualTo(402);
    String limited = seed.key("limited", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // both requests in one window
    assertThat(post(limited, chat(50, false)).statusCode()).isEqualTo(200);
    assertThat(post(limited, chat(50, false)).statusCode()).isEqualTo(429);
    assertThat(post(seed.key("malformed"), "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + MARKER + "\"")
        .statusCode()).isEqualTo(400);
    assertThat(post(seed.key("oversized"), chat(50, false).replace(MARKER, MARKER + " " + "x".repeat(5000))).statusCode())
        .isEqualTo(413);

    // a key reading its own budget and usage (GET /v1/tollgate/usage), and a wrong key trying to
    HttpResponse<String> usage = HARNESS.gateway().get("/v1/tollgate/usage", key(seed.key("usage-reader")));
    answers.add(usage);
    assertThat(usage.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(usage.body()).getJsonObject("key").getString("name")).isEqualTo("usage-reader");
    HttpResponse<String> usageDenied = HARNESS.gateway().get("/v1/tollgate/usage", key(ApiKeys.generate()));
    answers.add(usageDenied);
    assertThat(usageDenied.statusCode()).isEqualTo(401);

    // settle writes usage after the answer: wait for every billed request (the 401s, 402, 429 and 4xx write none)
    UsageRecords.atLeast(HARNESS.redis(), seed.tenant, 5);
    UsageRecords.atLeast(HARNESS.redis(), fallback.tenant, 2);

    // the capture and the dump are not vacuous: they hold what the gateway did write
    String requestId = fellBack.headers().firstValue("x-request-id").orElseThrow();
    String logs = LOGS.since(logStart);
    assertThat(logs).as("the fallback is logged under its request id").contains(requestId);
    assertAccessLogged(logs, 14);
    String redis = dumpRedis(HARNESS.redis());
    assertThat(redis).as("usage records are in the dump").contains(requestId).contains("upstream-mini");

    assertNothingLeaked(logs, redis);
  }

  @Test
  void theResponsesCompletionsAndMessagesEndpointsKeepKeysAndPromptsOutOfLogsRedisAndAnswers() {
    int logStart = LOGS.length();
    // /v1/responses, plain and streamed, to the OpenAI-compatible fake
    Seed openai = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String input = "{\"model\":\"" + Seed.MODEL + "\",\"max_output_tokens\":50,\"input\":\"my secret is " + MARKER + "\"";
    HARNESS.fake().enqueue(Reply.json(200, Responses.response("Hi there", 20, 0, 5, 0)));
    assertThat(send("/v1/responses", input + "}", "authorization", "Bearer " + key(openai.key("responses")))).isEqualTo(200);
    HARNESS.fake().enqueue(Reply.sse(Responses.textEvents(List.of("Hi ", "there"), 20, 0, 5)));
    assertThat(send("/v1/responses", input + ",\"stream\":true}", "authorization", "Bearer " + key(openai.key("responses-sse"))))
        .isEqualTo(200);

    // /v1/completions, plain and streamed (a FIM body: the marker in the prompt and the suffix)
    String completion = "{\"model\":\"" + Seed.MODEL + "\",\"max_tokens\":50,\"prompt\":\"# " + MARKER
        + "\\ndef f(\",\"suffix\":\"# " + MARKER + "\"";
    assertThat(send("/v1/completions", completion + "}", "authorization", "Bearer " + key(openai.key("completions")))).isEqualTo(200);
    assertThat(send("/v1/completions", completion + ",\"stream\":true}", "authorization",
        "Bearer " + key(openai.key("completions-sse")))).isEqualTo(200);

    // /v1/messages with the key in x-api-key, as Anthropic SDKs send it: plain, streamed, a token count, a wrong key
    Seed anthropic = HARNESS.seed().tenant();
    anthropic.plan(Map.of("claude", anthropic.provider("anthropic", ANTHROPIC.baseUrl(), null)),
        List.of(new RoutePlan.Route("claude-haiku-4-5",
            List.of(new RoutePlan.Target("claude", "claude-haiku-4-5", 0, 1, 1_000_000, 5_000_000, 0)), List.of())),
        RoutePlan.Retry.DEFAULT, RoutePlan.Timeouts.DEFAULT);
    String messages = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"my secret is "
        + MARKER + "\"}]";
    assertThat(send("/v1/messages", messages + "}", "x-api-key", key(anthropic.key("messages")))).isEqualTo(200);
    assertThat(send("/v1/messages", messages + ",\"stream\":true}", "x-api-key", key(anthropic.key("messages-sse")))).isEqualTo(200);
    assertThat(send("/v1/messages/count_tokens", messages.replace("\"max_tokens\":50,", "") + "}", "x-api-key",
        key(anthropic.key("count")))).isEqualTo(200);
    assertThat(send("/v1/messages", messages + "}", "x-api-key", key(ApiKeys.generate()))).isEqualTo(401);

    UsageRecords.atLeast(HARNESS.redis(), openai.tenant, 4);
    UsageRecords.atLeast(HARNESS.redis(), anthropic.tenant, 2);
    String logs = LOGS.since(logStart);
    String redis = dumpRedis(HARNESS.redis());
    assertThat(redis).as("usage records are in the dump").contains("claude-haiku-4-5").contains("responses")
        .contains("endpoint=completions");
    assertAccessLogged(logs, 7);
    assertNothingLeaked(logs, redis);
  }

  /**
   * Gemini CLI and the Google GenAI SDKs send the key as {@code x-goog-api-key} or in the URL's
   * query ({@code ?key=}): neither reaches a log line (the access log's path has no query), Redis or
   * an answer, nor the provider.
   */
  @Test
  void theGeminiApiKeepsKeysFromHeadersAndQueriesOutOfLogsRedisAndAnswers() {
    int logStart = LOGS.length();
    Seed gemini = HARNESS.seed().tenant();
    gemini.plan(Map.of("gemini", gemini.provider("gemini", GEMINI.baseUrl(), null)),
        List.of(new RoutePlan.Route("gemini-2.5-flash",
            List.of(new RoutePlan.Target("gemini", "gemini-2.5-flash", 0, 1, 300_000, 2_500_000, 0)), List.of())),
        RoutePlan.Retry.DEFAULT, RoutePlan.Timeouts.DEFAULT);
    String model = "/v1beta/models/gemini-2.5-flash";
    String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"my secret is " + MARKER + "\"}]}],"
        + "\"generationConfig\":{\"maxOutputTokens\":50}}";
    assertThat(send(model + ":generateContent", body, "x-goog-api-key", key(gemini.key("gemini")))).isEqualTo(200);
    assertThat(send(model + ":streamGenerateContent?alt=sse&key=" + key(gemini.key("gemini-sse")), body)).isEqualTo(200);
    assertThat(send(model + ":countTokens?key=" + key(gemini.key("gemini-count")), body)).isEqualTo(200);
    assertThat(send(model + ":generateContent?key=" + key(ApiKeys.generate()), body)).isEqualTo(401);
    assertThat(send(model + ":embedContent?key=" + key(gemini.key("gemini-unknown")), body)).isEqualTo(404);
    GEMINI.always(Reply.json(500, FakeGemini.error(500, "INTERNAL", "An internal error has occurred.")));
    assertThat(send(model + ":generateContent?key=" + key(gemini.key("gemini-500")), body)).isEqualTo(502);
    assertThat(GEMINI.requests()).allSatisfy(up -> clientKeys.forEach(k ->
        assertThat(up.uri() + up.headers() + up.body()).doesNotContain(k)));

    UsageRecords.atLeast(HARNESS.redis(), gemini.tenant, 3);
    String logs = LOGS.since(logStart);
    String redis = dumpRedis(HARNESS.redis());
    assertThat(redis).as("usage records are in the dump").contains("gemini.generate_content");
    assertAccessLogged(logs, 6);
    assertNothingLeaked(logs, redis);
  }

  /** POSTs {@code body} to {@code path} with the given header pairs; keeps the answer; returns its status. */
  private int send(String path, String body, String... headers) {
    HttpResponse<String> r = HARNESS.gateway().postWithHeaders(path, body, headers);
    answers.add(r);
    return r.statusCode();
  }

  /**
   * The access log wrote a line for at least {@code n} of these requests (each holding its key's
   * name, its headers' values absent), so the leak check below covers it.
   */
  private static void assertAccessLogged(String logs, int n) {
    List<String> lines = logs.lines().filter(l -> l.contains(" " + AccessLog.LOGGER + " ")).toList();
    assertThat(lines).hasSizeGreaterThanOrEqualTo(n);
    assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"request_id\":\"req_").doesNotContain("Bearer")
        .doesNotContainIgnoringCase("authorization").doesNotContainIgnoringCase("x-api-key")
        .doesNotContainIgnoringCase("x-goog-api-key").doesNotContain("key=").doesNotContain("?"));
  }

  /** No log line, Redis key or value, or answer holds a client key, the prompt marker or a credential. */
  private void assertNothingLeaked(String logs, String redis) {
    List<String> secrets = new ArrayList<>(clientKeys);
    secrets.addAll(List.of(MARKER, Seed.UPSTREAM_KEY, Seed.CREDENTIALS_KEY));
    for (String secret : secrets) {
      assertThat(logs).as("logs must not hold %s", secret).doesNotContain(secret);
      assertThat(redis).as("Redis must not hold %s", secret).doesNotContain(secret);
    }
    for (HttpResponse<String> r : answers) {
      String seen = r.headers().map() + "\n" + r.body();
      assertThat(seen).as("answer %s", seen).doesNotContain(Seed.UPSTREAM_KEY).doesNotContain(Seed.CREDENTIALS_KEY);
      clientKeys.forEach(k -> assertThat(seen).as("answer %s", seen).doesNotContain(k).doesNotContain(ApiKeys.sha256Hex(k)));
    }
  }


  @Test
  void providerErrorEchoingTheCredentialDoesNotReachClientOrLogs() {
    // some OpenAI-compatible servers echo the key they were given in their 401 message
    int logStart = LOGS.length();
    HARNESS.fake().always(Reply.json(401, FakeOpenAiCompatible.error(
        "Incorrect API key provided: " + Seed.UPSTREAM_KEY, "invalid_request_error", "invalid_api_key")));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    HttpResponse<String> r = post(seed.key("echoed"), chat(50, false));

    assertThat(r.statusCode()).isBetween(400, 599);
    assertThat(r.body()).doesNotContain(Seed.UPSTREAM_KEY);
    assertThat(LOGS.since(logStart)).contains(r.headers().firstValue("x-request-id").orElseThrow()).doesNotContain(Seed.UPSTREAM_KEY);
  }

  @Test
  void providerErrorShowingTheCredentialMaskedDoesNotReachClientOrLogs() {
    // OpenAI's own 401 shows the key it was sent masked, its first and last characters in clear:
    // fragments of the operator's provider credential, never the tenant's business
    String masked = "sk-proj-ab" + "*".repeat(40) + "x9Qz";
    int logStart = LOGS.length();
    HARNESS.fake().always(Reply.json(401, FakeOpenAiCompatible.error("Incorrect API key provided: " + masked
        + ". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error",
        "invalid_api_key")));
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    HttpResponse<String> r = post(seed.key("masked"), chat(50, false));

    assertThat(r.statusCode()).isBetween(400, 599);
    assertThat(r.body()).contains("Incorrect API key provided").doesNotContain("x9Qz").doesNotContain("sk-proj-ab");
    assertThat(LOGS.since(logStart)).contains(r.headers().firstValue("x-request-id").orElseThrow())
        .doesNotContain("x9Qz").doesNotContain("sk-proj-ab");
  }

  private String key(String raw) {
    clientKeys.add(raw);
    return raw;
  }

  private HttpResponse<String> post(String rawKey, String body) {
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key(rawKey), body);
    answers.add(r);
    return r;
  }

  /** Every key with every value, whatever its type, one per line. */
  static String dumpRedis(UnifiedJedis redis) {
    StringBuilder out = new StringBuilder();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().count(500));
      for (String key : page.getResult()) {
        String type = redis.type(key);
        Object value = switch (type) {
          case "string" -> redis.get(key);
          case "hash" -> redis.hgetAll(key);
          case "list" -> redis.lrange(key, 0, -1);
          case "set" -> redis.smembers(key);
          case "zset" -> redis.zrangeWithScores(key, 0, -1);
          case "stream" -> redis.xrange(key, (redis.clients.jedis.StreamEntryID) null, null).stream()
              .map(e -> e.getID() + " " + e.getFields()).toList();
          default -> throw new AssertionError("unexpected Redis type " + type + " at " + key);
        };
        out.append(key).append(" (").append(type).append(") = ").append(value).append('\n');
      }
      cursor = page.getCursor();
    } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
    return out.toString();
  }

  /** Every logback event of every logger, at DEBUG and up, rendered with its MDC, arguments and stack trace. */
  static final class LogCapture {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    private final Map<Logger, Level> levels = new HashMap<>();

    static LogCapture start() {
      LogCapture c = new LogCapture();
      LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
      PatternLayoutEncoder encoder = new PatternLayoutEncoder();
      encoder.setContext(ctx);
      encoder.setPattern("%level %logger [%thread] %mdc %kvp %msg%n%ex{full}");
      encoder.start();
      c.appender.setContext(ctx);
      c.appender.setName("no-secrets-capture");
      c.appender.setEncoder(encoder);
      c.appender.setOutputStream(c.bytes);
      c.appender.start();
      for (Logger logger : ctx.getLoggerList()) {
        if (logger.getLevel() != null) {
          c.levels.put(logger, logger.getLevel());
          logger.setLevel(Level.DEBUG);
        }
      }
      Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      c.levels.put(root, root.getLevel());
      root.setLevel(Level.DEBUG);
      root.addAppender(c.appender);
      // the access log has its own appender and does not reach the root's
      ctx.getLogger(AccessLog.LOGGER).addAppender(c.appender);
      return c;
    }

    /** Everything captured so far, from {@code from} characters on. */
    String since(int from) {
      return bytes.toString(StandardCharsets.UTF_8).substring(from);
    }

    int length() {
      return bytes.toString(StandardCharsets.UTF_8).length();
    }

    void stop() {
      LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
      ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
      ctx.getLogger(AccessLog.LOGGER).detachAppender(appender);
      appender.stop();
      levels.forEach(Logger::setLevel);
    }
  }
}
