package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.FakeProvider;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Sse;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
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
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every adapter through the whole gateway against its fake provider over real HTTP: plain and
 * streamed answers, tool calls, errors in the OpenAI envelope, exact billing of reported usage, and
 * streams that are cut, stall, or lose their client (billed for what was produced).
 */
class RoutingProvidersTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeGemini GEMINI = new FakeGemini(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAzureOpenAi AZURE = new FakeAzureOpenAi(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeOpenAiCompatible OPENAI = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  static final TokenEstimator TOKENS = new TokenEstimator();

  /**
   * One provider type and how its fake speaks.
   *
   * @param lead events its streams send before the first piece of text
   * @param stream frames a list of events as the provider does
   * @param textEvents a streamed answer of these pieces with this usage
   */
  record Case(String type, FakeProvider fake, String text, long in, long out, int lead,
      Function<List<String>, Reply> stream, TextEvents textEvents,
      Reply toolCall, long toolIn, long toolOut, String toolStream, long toolStreamIn, long toolStreamOut,
      Reply clientError, String clientErrorText, Reply serverError) {
    @Override
    public String toString() {
      return type;
    }

    /**
     * The usage source of a stream that ended before the provider's final usage: Anthropic
     * ({@code message_start}) and Gemini (every chunk's {@code usageMetadata}) report the prompt
     * side early; OpenAI-shaped streams report usage only in their last chunk.
     */
    String earlyEndSource() {
      return type.equals("anthropic") || type.equals("gemini") ? "provider-prompt" : "estimated";
    }
  }

  interface TextEvents {
    List<String> of(List<String> pieces, long in, long out);
  }

  static Stream<Case> cases() {
    JsonObject openAiTool = FakeOpenAiCompatible.completion("", 30, 9);
    JsonObject message = openAiTool.getJsonArray("choices").getJsonObject(0).put("finish_reason", "tool_calls")
        .getJsonObject("message").putNull("content");
    message.put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_1").put("type", "function")
        .put("function", new JsonObject().put("name", "get_weather").put("arguments", "{\"location\":\"Paris\"}"))));
    return Stream.of(
        new Case("anthropic", ANTHROPIC, FakeAnthropic.DEFAULT_TEXT, FakeAnthropic.DEFAULT_INPUT_TOKENS,
            FakeAnthropic.DEFAULT_OUTPUT_TOKENS, 3, Reply::sse, (p, i, o) -> FakeAnthropic.textEvents(p, i, o, "end_turn"),
            Reply.json(200, FakeAnthropic.toolUseMessage("Let me check.", "toolu_01", "get_weather",
                new JsonObject().put("location", "Paris"), 20, 7)), 20, 7,
            "providers/anthropic/stream-tool-use.sse", 472 + 100 + 2048, 89,
            Reply.json(400, FakeAnthropic.error("invalid_request_error", "messages: roles must alternate")),
            "roles must alternate",
            Reply.json(529, Sse.Resources.json("providers/anthropic/error-overloaded.json"))),
        new Case("gemini", GEMINI, FakeGemini.DEFAULT_TEXT, FakeGemini.DEFAULT_PROMPT_TOKENS,
            FakeGemini.DEFAULT_CANDIDATES_TOKENS, 0, FakeGemini::sse, FakeGemini::textEvents,
            Reply.json(200, Sse.Resources.json("providers/gemini/response-function-call.json")), 61, 18 + 100,
            "providers/gemini/stream-function-call.sse", 61, 34 + 120,
            Reply.json(400, FakeGemini.error(400, "INVALID_ARGUMENT", "Invalid value at 'contents[0].role'")),
            "Invalid value at",
            Reply.json(503, Sse.Resources.json("providers/gemini/error-unavailable.json"))),
        new Case("azure-openai", AZURE, FakeAzureOpenAi.DEFAULT_TEXT, FakeAzureOpenAi.DEFAULT_PROMPT_TOKENS,
            FakeAzureOpenAi.DEFAULT_COMPLETION_TOKENS, 2, Reply::sse, (p, i, o) -> FakeAzureOpenAi.textEvents(p, i, o, true),
            Reply.json(200, openAiTool), 30, 9, "providers/azure/stream-tool-call.sse", 86, 17,
            Reply.json(400, Sse.Resources.json("providers/azure/error-content-filter.json")), "content_filter:",
            Reply.json(500, FakeAzureOpenAi.error("500", "internal failure"))),
        new Case("openai-compatible", OPENAI, FakeOpenAiCompatible.DEFAULT_TEXT, FakeOpenAiCompatible.DEFAULT_PROMPT_TOKENS,
            FakeOpenAiCompatible.DEFAULT_COMPLETION_TOKENS, 1, Reply::sse, (p, i, o) -> FakeOpenAiCompatible.textEvents(p, i, o, true),
            Reply.json(200, openAiTool), 30, 9, "providers/azure/stream-tool-call.sse", 86, 17,
            Reply.json(400, FakeOpenAiCompatible.error("temperature must be at most 2", "invalid_request_error", "invalid_value")),
            "temperature must be",
            Reply.json(500, FakeOpenAiCompatible.error("internal failure", "server_error", null))));
  }

  static final RoutePlan.Target TARGET = new RoutePlan.Target("p", "upstream-model", 0, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0);

  static Seed seed(Case c) {
    Seed seed = HARNESS.seed().tenant();
    return seed.plan(Map.of("p", seed.provider(c.type(), c.fake().baseUrl(), null)),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(TARGET), List.of())),
        new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 2_000, 20_000));
  }

  static String streamBody(boolean includeUsage) {
    return "{\"model\":\"" + Seed.MODEL + "\",\"stream\":true,\"max_tokens\":50"
        + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
  }

  static List<String> dataLines(String sse) {
    return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
  }

  static String content(List<String> data) {
    StringBuilder sb = new StringBuilder();
    for (String d : data) {
      if (d.startsWith("{") && new JsonObject(d).getValue("choices") instanceof JsonArray choices && !choices.isEmpty()) {
        sb.append(choices.getJsonObject(0).getJsonObject("delta").getString("content", ""));
      }
    }
    return sb.toString();
  }

  /** The record, checked to charge exactly these tokens at the target's price, spend included. */
  static Map<String, String> billedExactly(Seed seed, long in, long out, String source) {
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("tokensIn", Long.toString(in)).containsEntry("tokensOut", Long.toString(out))
        .containsEntry("usageSource", source).containsEntry("provider", "p").containsEntry("servedModel", "upstream-model")
        .containsEntry("costMicros", Long.toString(TARGET.costMicros(in, out)));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
        HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now()))))
        .containsEntry("costMicros", Long.toString(TARGET.costMicros(in, out))));
    return rec;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aPlainAnswerIsTranslatedAndBilledExactly(Case c) {
    Seed seed = seed(c);
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("object")).isEqualTo("chat.completion");
    assertThat(body.getString("model")).isEqualTo(Seed.MODEL);
    assertThat(body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content")).isEqualTo(c.text());
    assertThat(body.getJsonObject("usage").getLong("prompt_tokens")).isEqualTo(c.in());
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    assertThat(r.headers().firstValue("x-tollgate-model")).contains("upstream-model");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("1");
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(TARGET.costMicros(c.in(), c.out())));
    billedExactly(seed, c.in(), c.out(), "provider");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aStreamEndsWithDoneAndCarriesUsageOnlyWhenAsked(Case c) {
    Seed seed = seed(c);
    String key = seed.key("k");
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, streamBody(false));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("p");
    List<String> data = dataLines(r.body());
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(data).filteredOn(d -> d.contains("\"usage\":{")).isEmpty();
    assertThat(data).filteredOn(d -> d.equals("[DONE]")).hasSize(1);
    assertThat(content(data)).isEqualTo(c.text());
    billedExactly(seed, c.in(), c.out(), "provider");

    data = dataLines(HARNESS.gateway().post("/v1/chat/completions", key, streamBody(true)).body());
    JsonObject usage = new JsonObject(data.get(data.size() - 2)).getJsonObject("usage");
    assertThat(usage.getLong("prompt_tokens")).isEqualTo(c.in());
    assertThat(usage.getLong("completion_tokens")).isEqualTo(c.out());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void toolCallsComeBackInOpenAiShapeAndAreBilled(Case c) {
    Seed seed = seed(c);
    String key = seed.key("k");
    c.fake().enqueue(c.toolCall());
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject choice = new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject fn = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function");
    assertThat(fn.getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(fn.getString("arguments")).getString("location")).isEqualTo("Paris");
    billedExactly(seed, c.toolIn(), c.toolOut(), "provider");

    c.fake().enqueue(c.stream().apply(Sse.resource(c.toolStream())));
    List<String> data = dataLines(HARNESS.gateway().post("/v1/chat/completions", key, streamBody(true)).body());
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(data).anySatisfy(d -> assertThat(d).contains("\"tool_calls\"").contains("get_weather"));
    assertThat(data).anySatisfy(d -> assertThat(d).contains("\"finish_reason\":\"tool_calls\""));
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 2);
    assertThat(rec).containsEntry("tokensIn", Long.toString(c.toolStreamIn()))
        .containsEntry("tokensOut", Long.toString(c.toolStreamOut())).containsEntry("usageSource", "provider")
        .containsEntry("costMicros", Long.toString(TARGET.costMicros(c.toolStreamIn(), c.toolStreamOut())));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void errorsAnswerInTheOpenAiEnvelope(Case c) {
    Seed seed = seed(c);
    String key = seed.key("k");
    c.fake().enqueue(c.clientError());
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("code")).isEqualTo("upstream_invalid_request");
    assertThat(e.getString("message")).contains(c.clientErrorText());
    assertThat(c.fake().requests()).as("a client error is not retried").hasSize(1);

    c.fake().always(c.serverError());
    r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 50, false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
    e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("api_error");
    assertThat(e.getString("code")).isEqualTo("upstream_error");
    assertThat(e.containsKey("param")).isTrue();
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
    assertThat(UsageRecords.atLeast(HARNESS.redis(), seed.tenant, 2)).allSatisfy(rec -> assertThat(rec).containsEntry("costMicros", "0"));
  }

  /**
   * Chat bodies OpenAI itself refuses with a 400, whose fields have the wrong JSON type where a
   * translating adapter (Anthropic, Gemini) reads them: content parts that are not objects (user and
   * system), {@code tool_calls} that are not an array of objects, a tool's {@code function} or its
   * {@code parameters} that are not objects, {@code tool_choice}, {@code response_format} and (Anthropic's) {@code
   * parallel_tool_calls} of the wrong type. The client gets the documented 400 {@code
   * invalid_request} (never a 500), no provider is called and nothing is charged.
   */
  static Stream<Arguments> wrongTypesForTranslation() {
    Stream.Builder<Arguments> all = Stream.builder();
    String m = "{\"model\":\"" + Seed.MODEL + "\",\"max_tokens\":50,";
    String hello = "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]";
    List<String> bodies = List.of(
        m + "\"messages\":[{\"role\":\"user\",\"content\":[\"Say hello\"]}]}",
        m + "\"messages\":[{\"role\":\"system\",\"content\":[\"Be brief\"]}," + hello.substring(12) + "}",
        m + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":\"get_weather\"}]}",
        m + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[\"get_weather\"]}]}",
        m + "\"tools\":[{\"type\":\"function\",\"function\":\"get_weather\"}]," + hello + "}",
        m + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"w\",\"parameters\":\"x\"}}]," + hello + "}",
        m + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"w\"}}],\"tool_choice\":{\"function\":\"w\"}," + hello + "}",
        m + "\"response_format\":\"json\"," + hello + "}");
    cases().filter(c -> c.type().equals("anthropic") || c.type().equals("gemini"))
        .forEach(c -> bodies.forEach(b -> all.add(Arguments.of(c, b))));
    // Gemini has no parallel_tool_calls: it is not read there
    cases().filter(c -> c.type().equals("anthropic")).forEach(c -> all.add(Arguments.of(c,
        m + "\"parallel_tool_calls\":\"no\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"w\"}}]," + hello + "}")));
    return all.build();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("wrongTypesForTranslation")
  void aFieldOfTheWrongTypeIsA400NotA500(Case c, String body) {
    Seed seed = seed(c);
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("code")).isEqualTo("invalid_request");
    assertThat(e.getString("message")).doesNotContain("java.", "io.vertx", "cast");
    assertThat(c.fake().requests()).isEmpty();
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("status", "400").containsEntry("costMicros", "0");
    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(HARNESS.redis().hgetAll(RedisKeys.reservations(seed.tenant))).isEmpty());
  }

  /**
   * Reasoning models behind OpenAI-compatible servers stream their thinking as {@code
   * delta.reasoning_content} (DeepSeek, SGLang, Qwen) or {@code delta.reasoning} (vLLM, OpenRouter,
   * gpt-oss) long before any {@code content}, and the provider bills it as output. A stream cut
   * while the model is still thinking is billed for the reasoning it produced, not for nothing.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"reasoning_content", "reasoning"})
  void aStreamCutWhileReasoningIsBilledForTheReasoningProduced(String field) {
    Case c = cases().filter(k -> k.type().equals("openai-compatible")).findFirst().orElseThrow();
    Seed seed = seed(c);
    List<String> events = new ArrayList<>();
    events.add(Sse.data(FakeOpenAiCompatible.chunk(new JsonObject().put("role", "assistant").put("content", ""), null).encode()));
    for (String piece : pieces(10)) {
      events.add(Sse.data(FakeOpenAiCompatible.chunk(new JsonObject().put(field, piece), null).encode()));
    }
    events.add(Sse.data(FakeOpenAiCompatible.chunk(new JsonObject().put("content", "Done."), null).encode()));
    events.add(Sse.data(FakeOpenAiCompatible.chunk(new JsonObject(), "stop").encode()));
    events.add(Sse.data("[DONE]"));
    // the role chunk, then four of the ten thoughts: no content, no usage
    c.fake().enqueue(Reply.sse(events).cutAfter(5));

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), streamBody(true));

    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = dataLines(r.body());
    assertThat(new JsonObject(data.get(data.size() - 1)).getJsonObject("error").getString("code")).isEqualTo("upstream_error");
    StringBuilder thought = new StringBuilder();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonObject delta = new JsonObject(d).getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
      thought.append(delta.getString(field, ""));
    }
    assertThat(thought.toString()).isEqualTo("word0 word1 word2 word3 ");
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    billedExactly(seed, Long.parseLong(rec.get("tokensIn")), TOKENS.count(thought.toString()), "estimated");
  }

  static List<String> pieces(int n) {
    List<String> p = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      p.add("word" + i + " ");
    }
    return p;
  }

  /**
   * The client's stream ends with an error event (no [DONE]); the record bills the streamed text,
   * and the 40 prompt tokens the fake reports when its provider reports them before the end.
   */
  static void endsWithAnErrorAndBillsWhatWasStreamed(Case c, Seed seed, HttpResponse<String> r, String code, int status) {
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = dataLines(r.body());
    assertThat(data).doesNotContain("[DONE]");
    JsonObject error = new JsonObject(data.get(data.size() - 1)).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    String streamed = content(data);
    assertThat(streamed).startsWith("word0 word1 word2 ");
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    long in = Long.parseLong(rec.get("tokensIn"));
    assertThat(in).isPositive();
    if (c.earlyEndSource().equals("provider-prompt")) {
      assertThat(in).isEqualTo(40);
    }
    billedExactly(seed, in, TOKENS.count(streamed), c.earlyEndSource());
    assertThat(rec).containsEntry("status", Integer.toString(status)).containsEntry("errorCode", code);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aStreamCutMidwayEndsWithAnErrorEventAndIsBilledForWhatWasProduced(Case c) {
    Seed seed = seed(c);
    c.fake().enqueue(c.stream().apply(c.textEvents().of(pieces(10), 40, 10)).cutAfter(c.lead() + 3));
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), streamBody(false));
    endsWithAnErrorAndBillsWhatWasStreamed(c, seed, r, "upstream_error", 502);
  }

  /**
   * Gemini bills thinking tokens as output but never streams them as text: every chunk's cumulative
   * {@code usageMetadata} reports them ({@code thoughtsTokenCount}) beside the visible output so far
   * ({@code candidatesTokenCount}). A stream cut before its finish chunk is charged that running
   * figure, not just the few tokens of text the client saw.
   */
  @Test
  void aCutGeminiStreamIsChargedTheThinkingTokensItAlreadyReported() {
    Case gemini = cases().filter(c -> c.type().equals("gemini")).findFirst().orElseThrow();
    Seed seed = seed(gemini).cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
    List<String> events = new ArrayList<>();
    List<String> pieces = pieces(10);
    for (int i = 0; i < pieces.size(); i++) {
      JsonArray parts = new JsonArray().add(new JsonObject().put("text", pieces.get(i)));
      // 900 thinking tokens before the first word, then 3 visible tokens a chunk
      events.add(Sse.data(FakeGemini.chunk(parts, i == pieces.size() - 1 ? "STOP" : null,
          FakeGemini.usage(40, 3L * (i + 1), 900)).encode()));
    }
    GEMINI.enqueue(FakeGemini.sse(events).cutAfter(3));

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), streamBody(false));

    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = dataLines(r.body());
    assertThat(new JsonObject(data.get(data.size() - 1)).getJsonObject("error").getString("code")).isEqualTo("upstream_error");
    assertThat(content(data)).isEqualTo("word0 word1 word2 ");
    // the last chunk before the cut: 9 visible + 900 thinking, far above the ~6 tokens of text counted
    long out = 9 + 900;
    assertThat(TOKENS.count(content(data))).isLessThan(out);
    billedExactly(seed, 40, out, "provider-prompt");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
        HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now()))))
        .containsEntry("spent", Long.toString(TARGET.costMicros(40, out))).containsEntry("reserved", "0"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aStreamThatStallsMidwayTimesOutWithAnErrorEventAndIsBilled(Case c) {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("p", seed.provider(c.type(), c.fake().baseUrl(), null)),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(TARGET), List.of())),
        new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 500, 20_000));
    c.fake().enqueue(c.stream().apply(c.textEvents().of(pieces(10), 40, 10)).stallAfter(c.lead() + 3));
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), streamBody(false));
    endsWithAnErrorAndBillsWhatWasStreamed(c, seed, r, "upstream_timeout", 504);
    await().atMost(Duration.ofSeconds(5)).until(() -> c.fake().lastRequest().clientDisconnected());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aClientHangingUpCancelsTheUpstreamAndIsBilledForWhatWasProduced(Case c) {
    Seed seed = seed(c);
    String key = seed.key("k");
    c.fake().enqueue(c.stream().apply(c.textEvents().of(pieces(400), 40, 400)).eventDelayMs(20));
    assertThat(HARNESS.gateway().readThenHangUp(key, streamBody(false), 5)).isEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).until(() -> c.fake().lastRequest().clientDisconnected());
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("status", "499").containsEntry("errorCode", "client_closed")
        .containsEntry("usageSource", c.earlyEndSource());
    long out = Long.parseLong(rec.get("tokensOut"));
    // at least what the client read (4 pieces of about 3 tokens), far less than the 400 pieces on offer
    assertThat(out).isGreaterThanOrEqualTo(4).isLessThan(600);
    long in = Long.parseLong(rec.get("tokensIn"));
    if (c.earlyEndSource().equals("provider-prompt")) {
      assertThat(in).isEqualTo(40);
    }
    billedExactly(seed, in, out, c.earlyEndSource());
  }
}
