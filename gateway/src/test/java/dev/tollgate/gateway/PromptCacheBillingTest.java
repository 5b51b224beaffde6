package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.FakeProvider;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Prompt-cache billing end to end, per provider wire format, answers and streams: tokens the provider
 * reports as read from (or written to) its prompt cache are charged at the target's cached-input (or
 * cache-write) price, in the usage record, the cap spend and month totals, and the cost header. Every
 * expected figure is worked out by hand and differs from pricing the whole prompt at the input price.
 */
class PromptCacheBillingTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeOpenAiCompatible OPENAI = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAzureOpenAi AZURE = new FakeAzureOpenAi(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeGemini GEMINI = new FakeGemini(Seed.UPSTREAM_KEY);

  /** gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million tokens. */
  static final RoutePlan.Target GPT_4O_MINI =
      new RoutePlan.Target("p", "gpt-4o-mini", 0, 1, 150_000, 600_000, 128_000).withCachePrices(75_000L, null);
  /** claude-haiku-4-5: $1 input, $0.10 cache reads, $1.25 cache writes (5 min), $5 output. */
  static final RoutePlan.Target CLAUDE_HAIKU =
      new RoutePlan.Target("p", "claude-haiku-4-5", 0, 1, 1_000_000, 5_000_000, 200_000)
          .withCachePrices(100_000L, 1_250_000L);
  /** claude-haiku-4-5 with its 1-hour cache-write price: $2 per million, twice the input price. */
  static final RoutePlan.Target CLAUDE_HAIKU_1H =
      new RoutePlan.Target("p", "claude-haiku-4-5", 0, 1, 1_000_000, 5_000_000, 200_000)
          .withCachePrices(100_000L, 1_250_000L)
          .withCacheWriteLongPrice(2_000_000L);
  /** gemini-2.5-flash: $0.30 input, $0.03 cached input, $2.50 output. */
  static final RoutePlan.Target GEMINI_FLASH =
      new RoutePlan.Target("p", "gemini-2.5-flash", 0, 1, 300_000, 2_500_000, 1_000_000).withCachePrices(30_000L, null);

  /**
   * One provider's answer and stream reporting prompt-cache usage.
   *
   * @param promptTokens every prompt token (OpenAI's prompt_tokens)
   * @param costMicros the provider cost, worked out by hand
   * @param inputPriceCostMicros what the old, cache-blind billing charged
   */
  record Case(String type, FakeProvider fake, RoutePlan.Target target, Reply answer, Reply stream,
      long promptTokens, long cached, long cacheWrite, long out, long costMicros, long inputPriceCostMicros) {
    @Override
    public String toString() {
      return type;
    }
  }

  static Stream<Case> cases() {
    List<String> pieces = List.of("Cached ", "hello");
    // 10,000 prompt tokens, 8,000 of them cached, 500 out:
    // 2,000 x 0.15 + 8,000 x 0.075 + 500 x 0.60 = 300 + 600 + 300 = 1,200 micros (all at 0.15: 1,800)
    Consumer<JsonObject> openAiCache = chunk -> {
      if (chunk.getValue("usage") instanceof JsonObject u) {
        u.put("prompt_tokens_details", new JsonObject().put("cached_tokens", 8_000).put("audio_tokens", 0));
      }
    };
    JsonObject openAiAnswer = FakeOpenAiCompatible.completion("Cached hello", 10_000, 500);
    openAiCache.accept(openAiAnswer);
    JsonObject azureAnswer = FakeAzureOpenAi.completion("Cached hello", 10_000, 500);
    openAiCache.accept(azureAnswer);

    // Anthropic: input_tokens 300 (uncached), cache reads 20,000, cache writes 4,000, 200 out:
    // 300 x 1 + 20,000 x 0.10 + 4,000 x 1.25 + 200 x 5 = 300 + 2,000 + 5,000 + 1,000 = 8,300 micros
    // (all 24,300 prompt tokens at the input price: 25,300)
    Consumer<JsonObject> anthropicCache = PromptCacheBillingTest::anthropicCache;
    JsonObject anthropicAnswer = FakeAnthropic.message("Cached hello", 300, 200, "end_turn");
    anthropicCache.accept(anthropicAnswer);

    // Gemini: promptTokenCount 10,000 of which cachedContentTokenCount 8,000, 500 out:
    // 2,000 x 0.30 + 8,000 x 0.03 + 500 x 2.50 = 600 + 240 + 1,250 = 2,090 micros (all at 0.30: 4,250)
    Consumer<JsonObject> geminiCache = chunk -> {
      if (chunk.getValue("usageMetadata") instanceof JsonObject m) {
        m.put("cachedContentTokenCount", 8_000)
            .put("cacheTokensDetails", new io.vertx.core.json.JsonArray().add(new JsonObject().put("modality", "TEXT").put("tokenCount", 8_000)));
      }
    };
    JsonObject geminiAnswer = FakeGemini.response("Cached hello", 10_000, 500, 0);
    geminiCache.accept(geminiAnswer);

    return Stream.of(
        new Case("openai-compatible", OPENAI, GPT_4O_MINI, Reply.json(200, openAiAnswer),
            Reply.sse(edit(FakeOpenAiCompatible.textEvents(pieces, 10_000, 500, true), openAiCache)),
            10_000, 8_000, 0, 500, 1_200, 1_800),
        new Case("azure-openai", AZURE, GPT_4O_MINI, Reply.json(200, azureAnswer),
            Reply.sse(edit(FakeAzureOpenAi.textEvents(pieces, 10_000, 500, true), openAiCache)),
            10_000, 8_000, 0, 500, 1_200, 1_800),
        new Case("anthropic", ANTHROPIC, CLAUDE_HAIKU, Reply.json(200, anthropicAnswer),
            Reply.sse(edit(FakeAnthropic.textEvents(pieces, 300, 200, "end_turn"), anthropicCache)),
            24_300, 20_000, 4_000, 200, 8_300, 25_300),
        new Case("gemini", GEMINI, GEMINI_FLASH, Reply.json(200, geminiAnswer),
            FakeGemini.sse(edit(FakeGemini.textEvents(pieces, 10_000, 500), geminiCache)),
            10_000, 8_000, 0, 500, 2_090, 4_250));
  }

  /**
   * Anthropic's cache figures for a prompt of 300 uncached input tokens: 20,000 read from the cache,
   * 4,000 written to it (for 5 minutes), in {@code message_start} (and the answer's usage) as its
   * docs show them.
   */
  static void anthropicCache(JsonObject event) {
    anthropicCache(event, 4_000, 0);
  }

  /** As {@link #anthropicCache(JsonObject)}, 1,000 of the 4,000 cache writes for 5 minutes and 3,000 for an hour. */
  static void anthropicCacheWithLongWrites(JsonObject event) {
    anthropicCache(event, 1_000, 3_000);
  }

  static void anthropicCache(JsonObject event, long writes5m, long writes1h) {
    JsonObject usage = event.getValue("message") instanceof JsonObject m ? m.getJsonObject("usage") : event.getJsonObject("usage");
    if (usage != null && !"message_delta".equals(event.getString("type"))) {
      usage.put("cache_read_input_tokens", 20_000).put("cache_creation_input_tokens", writes5m + writes1h)
          .put("cache_creation", new JsonObject().put("ephemeral_5m_input_tokens", writes5m).put("ephemeral_1h_input_tokens", writes1h));
    } else if (usage != null) {
      // newer API versions repeat the (cumulative) input counts in message_delta, without the split by lifetime
      usage.put("input_tokens", 300).put("cache_read_input_tokens", 20_000).put("cache_creation_input_tokens", writes5m + writes1h);
    }
  }

  /** Applies {@code change} to the JSON of every event's {@code data:} line. */
  static List<String> edit(List<String> events, Consumer<JsonObject> change) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      int at = e.indexOf("data: ");
      String data = e.substring(at + "data: ".length());
      if (!data.startsWith("{")) {
        out.add(e);
        continue;
      }
      JsonObject json = new JsonObject(data);
      change.accept(json);
      out.add(e.substring(0, at) + "data: " + json.encode());
    }
    return out;
  }

  /** A tenant routing {@link Seed#MODEL} to {@code c}'s target, with daily and monthly Reject caps. */
  static Seed seed(Case c) {
    return seed(c.type(), c.fake(), c.target());
  }

  /** A tenant routing {@link Seed#MODEL} to {@code target} at {@code fake}, with daily and monthly Reject caps. */
  static Seed seed(String type, FakeProvider fake, RoutePlan.Target target) {
    Seed seed = HARNESS.seed().tenant();
    return seed.plan(Map.of("p", seed.provider(type, fake.baseUrl(), null)),
            List.of(new RoutePlan.Route(Seed.MODEL, List.of(target), List.of())),
            new RoutePlan.Retry(1, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000_000_000)
        .cap("monthly", "Tenant", null, "Reject", Period.Month, 10_000_000_000L);
  }

  /** The usage record, the caps' spend and the month totals all carry {@code c}'s cost. */
  static void chargedExactly(Case c, Seed seed, boolean stream) {
    assertThat(c.costMicros()).isNotEqualTo(c.inputPriceCostMicros());
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("stream", Boolean.toString(stream)).containsEntry("usageSource", "provider")
        .containsEntry("tokensIn", Long.toString(c.promptTokens()))
        .containsEntry("tokensInCached", Long.toString(c.cached()))
        .containsEntry("tokensInCacheWrite", Long.toString(c.cacheWrite()))
        .containsEntry("tokensOut", Long.toString(c.out()))
        .containsEntry("costMicros", Long.toString(c.costMicros()))
        .containsEntry("billedMicros", Long.toString(c.costMicros()))
        .containsEntry("inputPriceMicrosPerMillion", Long.toString(c.target().inputMicrosPerMillion()))
        .containsEntry("cachedInputPriceMicrosPerMillion", Long.toString(c.target().cachedInputMicrosPerMillion()))
        .containsEntry("cacheWritePriceMicrosPerMillion", Long.toString(c.target().effectiveCacheWriteMicrosPerMillion()))
        .containsEntry("tokensInCacheWriteLong", "0")
        .containsEntry("cacheWriteLongPriceMicrosPerMillion", Long.toString(c.target().effectiveCacheWriteMicrosPerMillion()));
    spentEverywhere(seed, c.costMicros(), c.promptTokens());
  }

  /** Both caps' spend and the month totals carry {@code costMicros}, nothing is left reserved. */
  static void spentEverywhere(Seed seed, long costMicros, long promptTokens) {
    Instant now = Instant.now();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(now))))
          .containsEntry("spent", Long.toString(costMicros)).containsEntry("reserved", "0");
      assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "monthly", Period.Month.key(now))))
          .containsEntry("spent", Long.toString(costMicros)).containsEntry("reserved", "0");
      assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(now))))
          .containsEntry("costMicros", Long.toString(costMicros))
          .containsEntry("tokensIn", Long.toString(promptTokens));
    });
  }

  @ParameterizedTest
  @MethodSource("cases")
  void anAnswerWithPromptCacheUsageIsChargedAtTheCachePrices(Case c) {
    Seed seed = seed(c);
    c.fake().enqueue(c.answer());

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 600, false));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(c.costMicros()));
    JsonObject usage = new JsonObject(r.body()).getJsonObject("usage");
    assertThat(usage.getLong("prompt_tokens")).isEqualTo(c.promptTokens());
    assertThat(usage.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isEqualTo(c.cached());
    chargedExactly(c, seed, false);
    assertThat(HARNESS.gateway().metrics.scrape()).contains(
        "tollgate_prompt_cache_tokens_total{kind=\"read\",model=\"" + Seed.MODEL + "\",provider=\"p\",tenant=\"" + seed.tenant.id() + "\"}");
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aStreamWithPromptCacheUsageIsChargedAtTheCachePrices(Case c) {
    Seed seed = seed(c);
    c.fake().enqueue(c.stream());

    String body = "{\"model\":\"" + Seed.MODEL + "\",\"stream\":true,\"max_tokens\":600,"
        + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> data = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    assertThat(data).last().isEqualTo("[DONE]");
    JsonObject usage = new JsonObject(data.get(data.size() - 2)).getJsonObject("usage");
    assertThat(usage.getLong("prompt_tokens")).isEqualTo(c.promptTokens());
    assertThat(usage.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isEqualTo(c.cached());
    chargedExactly(c, seed, true);
  }

  /**
   * A prompt may turn out to be all cache writes: the reservation prices it at the cache-write price
   * when that is dearer, so a cap that covers the prompt at the input price but not at the write
   * price refuses the request before any provider is called.
   */
  @Test
  void theReservationCoversACacheWritePriceAboveTheInputPrice() {
    // 1 micro per prompt token as input, 100 as a cache write; output free: the worst case is the prompt
    RoutePlan.Target plain = new RoutePlan.Target("p", "claude-haiku-4-5", 0, 1, 1_000_000, 0, 0);
    RoutePlan.Target dearWrites = new RoutePlan.Target("p", "claude-haiku-4-5", 0, 1, 1_000_000, 0, 0)
        .withCachePrices(null, 100_000_000L);
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("p", seed.provider("anthropic", ANTHROPIC.baseUrl(), null)),
            List.of(new RoutePlan.Route(Seed.MODEL, List.of(plain), List.of()),
                new RoutePlan.Route("dear-writes", List.of(dearWrites), List.of())),
            new RoutePlan.Retry(1, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, 50);
    String key = seed.key("k");

    HttpResponse<String> cheap = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 1, false));
    assertThat(cheap.statusCode()).as(cheap.body()).isEqualTo(200);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    long promptReserved = Long.parseLong(rec.get("reservedMicros"));
    long spent = Long.parseLong(rec.get("costMicros"));
    // priced at the input price, the same prompt would fit: 12 spent + ~10 reserved <= 50
    assertThat(spent + promptReserved).as("the prompt estimate at 1 micro a token").isLessThanOrEqualTo(50);

    HttpResponse<String> dear = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat("dear-writes", 1, false));
    assertThat(dear.statusCode()).as(dear.body()).isEqualTo(402);
    JsonObject e = new JsonObject(dear.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(e.getString("requested")).isEqualTo(Money.format(100 * promptReserved));
    assertThat(ANTHROPIC.requests()).hasSize(1);
  }

  /**
   * The four ways a client reaches an Anthropic target (chat completions and the Messages API, each
   * as an answer and a stream), against a target with a 1-hour cache-write price and one without.
   */
  static Stream<Arguments> longCacheWrites() {
    Stream.Builder<Arguments> all = Stream.builder();
    for (String path : List.of("/v1/chat/completions", "/v1/messages")) {
      for (boolean stream : List.of(false, true)) {
        for (boolean longPrice : List.of(true, false)) {
          all.add(Arguments.of(path, stream, longPrice));
        }
      }
    }
    return all.build();
  }

  /**
   * Anthropic reports 1-hour cache writes in {@code usage.cache_creation.ephemeral_1h_input_tokens}
   * (a part of {@code cache_creation_input_tokens}); they are charged at the target's 1-hour price,
   * or at its cache-write price, as before, when it sets none.
   */
  @ParameterizedTest(name = "{0} stream={1} 1h price={2}")
  @MethodSource("longCacheWrites")
  void oneHourCacheWritesAreChargedAtTheOneHourPrice(String path, boolean stream, boolean longPrice) {
    // 300 uncached x $1 + 20,000 read x $0.10 + 1,000 written for 5 minutes x $1.25 + 200 out x $5
    // = 300 + 2,000 + 1,250 + 1,000, plus 3,000 written for an hour: x $2 = 6,000 (10,550 in all),
    // or x $1.25 = 3,750 (8,300, what every write cost before) without a 1-hour price
    RoutePlan.Target target = longPrice ? CLAUDE_HAIKU_1H : CLAUDE_HAIKU;
    long cost = longPrice ? 10_550 : 8_300;
    assertThat(CLAUDE_HAIKU.costMicros(24_300, 20_000, 4_000, 200)).as("all writes at $1.25").isEqualTo(8_300);
    Seed seed = seed("anthropic", ANTHROPIC, target);
    JsonObject answer = FakeAnthropic.message("Cached hello", 300, 200, "end_turn");
    anthropicCacheWithLongWrites(answer);
    ANTHROPIC.enqueue(stream
        ? Reply.sse(edit(FakeAnthropic.textEvents(List.of("Cached ", "hello"), 300, 200, "end_turn"),
            PromptCacheBillingTest::anthropicCacheWithLongWrites))
        : Reply.json(200, answer));
    String key = seed.key("k");

    HttpResponse<String> r = path.equals("/v1/messages")
        ? HARNESS.gateway().postWithHeaders(path, "{\"model\":\"" + Seed.MODEL + "\",\"max_tokens\":600"
            + (stream ? ",\"stream\":true" : "") + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}",
            "x-api-key", key)
        : HARNESS.gateway().post(path, key, TestGateway.chat(Seed.MODEL, 600, stream));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("hello");
    if (!stream) {
      assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(cost));
    }
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("stream", Boolean.toString(stream)).containsEntry("usageSource", "provider")
        .containsEntry("tokensIn", "24300").containsEntry("tokensInCached", "20000")
        .containsEntry("tokensInCacheWrite", "4000").containsEntry("tokensInCacheWriteLong", "3000")
        .containsEntry("tokensOut", "200")
        .containsEntry("cacheWritePriceMicrosPerMillion", "1250000")
        .containsEntry("cacheWriteLongPriceMicrosPerMillion", longPrice ? "2000000" : "1250000")
        .containsEntry("costMicros", Long.toString(cost)).containsEntry("billedMicros", Long.toString(cost));
    spentEverywhere(seed, cost, 24_300);
  }

  /** A cut stream still bills the 1-hour writes {@code message_start} reported at the 1-hour price. */
  @Test
  void aCutAnthropicStreamChargesItsOneHourCacheWritesAtTheOneHourPrice() {
    Seed seed = seed("anthropic", ANTHROPIC, CLAUDE_HAIKU_1H);
    // message_start, content_block_start, ping, then three of ten pieces: no message_delta
    ANTHROPIC.enqueue(Reply.sse(edit(FakeAnthropic.textEvents(RoutingProvidersTest.pieces(10), 300, 10, "end_turn"),
        PromptCacheBillingTest::anthropicCacheWithLongWrites)).cutAfter(6));

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 600, true));

    assertThat(r.statusCode()).isEqualTo(200);
    long tokensOut = RoutingProvidersTest.TOKENS.count(RoutingProvidersTest.content(RoutingProvidersTest.dataLines(r.body())));
    // 300 + 2,000 + 1,000 x 1.25 + 3,000 x 2 = 9,550 micros for the prompt, then $5 a million out
    long cost = 9_550 + 5 * tokensOut;
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "provider-prompt")
        .containsEntry("tokensInCacheWrite", "4000").containsEntry("tokensInCacheWriteLong", "3000")
        .containsEntry("tokensOut", Long.toString(tokensOut)).containsEntry("costMicros", Long.toString(cost));
    spentEverywhere(seed, cost, 24_300);
  }

  static Case anthropic() {
    return cases().filter(c -> c.type().equals("anthropic")).findFirst().orElseThrow();
  }

  /** An Anthropic stream of {@code pieces} words whose message_start reports the cache figures. */
  static Reply cachedAnthropicStream(int pieces) {
    return Reply.sse(edit(FakeAnthropic.textEvents(RoutingProvidersTest.pieces(pieces), 300, pieces, "end_turn"),
        PromptCacheBillingTest::anthropicCache));
  }

  /**
   * An Anthropic stream that ended before {@code message_delta}: the prompt side that {@code
   * message_start} reported (300 uncached, 20,000 cache reads, 4,000 cache writes) at the cache
   * prices, and {@code tokensOut} (the streamed text counted by the gateway) at the output price.
   */
  static void chargedTheReportedPromptAndTheCountedOutput(Seed seed, long tokensOut, String status, String code) {
    // 300 x 1 + 20,000 x 0.10 + 4,000 x 1.25 = 300 + 2,000 + 5,000 = 7,300 micros, then 5 a token out;
    // the prompt estimate of "Say hello" at the input price, as before, came to about 10 micros
    long cost = 7_300 + 5 * tokensOut;
    assertThat(CLAUDE_HAIKU.costMicros(24_300, 20_000, 4_000, tokensOut)).isEqualTo(cost);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(rec).containsEntry("stream", "true").containsEntry("status", status).containsEntry("errorCode", code)
        .containsEntry("usageSource", "provider-prompt")
        .containsEntry("tokensIn", "24300").containsEntry("tokensInCached", "20000").containsEntry("tokensInCacheWrite", "4000")
        .containsEntry("tokensOut", Long.toString(tokensOut))
        .containsEntry("costMicros", Long.toString(cost)).containsEntry("billedMicros", Long.toString(cost));
    spentEverywhere(seed, cost, 24_300);
  }

  @Test
  void aCutAnthropicStreamIsChargedTheReportedCacheWritesAndTheCountedOutput() {
    Seed seed = seed(anthropic());
    // message_start, content_block_start, ping, then three of ten pieces: no message_delta, no usage
    ANTHROPIC.enqueue(cachedAnthropicStream(10).cutAfter(6));

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 600, true));

    assertThat(r.statusCode()).isEqualTo(200);
    List<String> data = RoutingProvidersTest.dataLines(r.body());
    assertThat(data).doesNotContain("[DONE]");
    assertThat(new JsonObject(data.get(data.size() - 1)).getJsonObject("error").getString("code")).isEqualTo("upstream_error");
    String streamed = RoutingProvidersTest.content(data);
    assertThat(streamed).isEqualTo("word0 word1 word2 ");
    chargedTheReportedPromptAndTheCountedOutput(seed, RoutingProvidersTest.TOKENS.count(streamed), "502", "upstream_error");
  }

  @Test
  void anAnthropicStreamWhoseClientHangsUpIsChargedTheReportedCacheWritesAndTheCountedOutput() {
    Seed seed = seed(anthropic());
    ANTHROPIC.enqueue(cachedAnthropicStream(400).eventDelayMs(20));

    assertThat(HARNESS.gateway().readThenHangUp(seed.key("k"), TestGateway.chat(Seed.MODEL, 600, true), 5)).isEqualTo(5);

    await().atMost(Duration.ofSeconds(5)).until(() -> ANTHROPIC.lastRequest().clientDisconnected());
    long tokensOut = Long.parseLong(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1).get("tokensOut"));
    // at least the four pieces the client read (about three tokens each), far fewer than the 400 on offer
    assertThat(tokensOut).isGreaterThanOrEqualTo(4).isLessThan(600);
    chargedTheReportedPromptAndTheCountedOutput(seed, tokensOut, "499", "client_closed");
  }

  /**
   * The input-side counts of {@code message_delta}'s usage are nullable in Anthropic's API
   * ({@code MessageDeltaUsage}: {@code input_tokens}, {@code cache_read_input_tokens} and {@code
   * cache_creation_input_tokens} are {@code Integer?}; only {@code output_tokens} is always there), and
   * its SDKs keep {@code message_start}'s figure when one is null. A null there must not wipe the
   * prompt {@code message_start} reported: the stream is charged the whole prompt at its prices.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("anthropicPaths")
  void nullInputCountsInMessageDeltaKeepThePromptOfMessageStart(String path) {
    Seed seed = seed(anthropic());
    ANTHROPIC.enqueue(Reply.sse(edit(FakeAnthropic.textEvents(List.of("Cached ", "hello"), 300, 200, "end_turn"), event -> {
      anthropicCache(event);
      if ("message_delta".equals(event.getString("type"))) {
        event.getJsonObject("usage").putNull("input_tokens").putNull("cache_read_input_tokens")
            .putNull("cache_creation_input_tokens").putNull("server_tool_use");
      }
    })));
    String key = seed.key("k");

    HttpResponse<String> r = path.equals("/v1/messages")
        ? HARNESS.gateway().postWithHeaders(path, "{\"model\":\"" + Seed.MODEL + "\",\"max_tokens\":600,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", "x-api-key", key)
        : HARNESS.gateway().post(path, key, TestGateway.chat(Seed.MODEL, 600, true));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("hello");
    chargedExactly(anthropic(), seed, true);
  }

  static Stream<String> anthropicPaths() {
    return Stream.of("/v1/chat/completions", "/v1/messages");
  }
}
