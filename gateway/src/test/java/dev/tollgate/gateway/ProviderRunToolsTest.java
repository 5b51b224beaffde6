package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Responses;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.MinuteWindow;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.Money;
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
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tools the provider runs itself and bills per use (ADR 0047), through the whole chain against fake
 * Anthropic and OpenAI servers: a request that enables one no target has a price for is refused
 * before admission (nothing called, reserved, recorded, no request per minute used); web searches are
 * reserved at the route's search price times the request's bound and billed at the serving
 * target's price per search as the provider reports them (Anthropic's {@code
 * server_tool_use.web_search_requests}, the Responses API's {@code web_search_call} items, one for
 * chat {@code web_search_options}), answers and streams alike.
 */
class ProviderRunToolsTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeAnthropic ANTHROPIC = new FakeAnthropic(Seed.UPSTREAM_KEY);

  static final String MODEL = "assistant";
  /** $10 per 1,000 searches, Anthropic's and OpenAI's list price: 10,000 micros a search. */
  static final long SEARCH_PRICE = 10_000_000;
  static final long PER_SEARCH = 10_000;

  /** claude-haiku-4-5 ($1 in, $5 out per million tokens) with web search at {@code searchPrice} (null: unpriced). */
  static RoutePlan.Target claude(String provider, int priority, Long searchPrice) {
    return new RoutePlan.Target(provider, "claude-" + provider, priority, 1, 1_000_000, 5_000_000, 200_000)
        .withWebSearchPrice(searchPrice);
  }

  /** gpt-4.1 ($2 in, $8 out per million tokens) with web search at {@code searchPrice} (null: unpriced). */
  static RoutePlan.Target gpt(String provider, Long searchPrice) {
    return new RoutePlan.Target(provider, "gpt-" + provider, 0, 1, 2_000_000, 8_000_000, 1_000_000)
        .withWebSearchPrice(searchPrice);
  }

  /** A tenant routing {@link #MODEL} to {@code targets} (providers named by the targets), with a daily Reject cap. */
  static Seed seed(long capMicros, RoutePlan.Target... targets) {
    Seed seed = HARNESS.seed().tenant();
    Map<String, RoutePlan.Provider> providers = new java.util.HashMap<>();
    for (RoutePlan.Target t : targets) {
      providers.put(t.provider(), t.model().startsWith("claude")
          ? seed.provider("anthropic", ANTHROPIC.baseUrl(), null) : seed.provider(HARNESS.fake().baseUrl()));
    }
    return seed.plan(providers, List.of(new RoutePlan.Route(MODEL, List.of(targets), List.of())),
            new RoutePlan.Retry(2, 10, 100), new RoutePlan.Timeouts(2_000, 5_000, 20_000))
        .cap("daily", "Tenant", null, "Reject", Period.Day, capMicros);
  }

  static String messages(String tools, boolean stream) {
    return "{\"model\":\"" + MODEL + "\",\"max_tokens\":600" + (stream ? ",\"stream\":true" : "")
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"What happened today?\"}]" + tools + "}";
  }

  static String responses(String extra, boolean stream) {
    return "{\"model\":\"" + MODEL + "\",\"input\":\"What happened today?\",\"max_output_tokens\":600"
        + (stream ? ",\"stream\":true" : "") + extra + "}";
  }

  static String chat(String extra) {
    return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"What happened today?\"}],"
        + "\"max_tokens\":600" + extra + "}";
  }

  static final String WEB_SEARCH_5 = ",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5}]";

  static HttpResponse<String> post(String path, String key, String body) {
    return path.equals("/v1/messages")
        ? HARNESS.gateway().postWithHeaders(path, body, "x-api-key", key, "anthropic-version", "2023-06-01")
        : HARNESS.gateway().post(path, key, body);
  }

  /**
   * A request that enables a provider-run tool no target of its route has a price for.
   *
   * @param priced whether the route's target has a web search price (other tools have none ever)
   */
  record Refusal(String name, String path, String body, boolean anthropic, boolean priced, String param, String says) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Refusal> refusals() {
    return Stream.of(
        new Refusal("messages web_search, unpriced", "/v1/messages", messages(WEB_SEARCH_5, false), true, false, "tools", "Web search"),
        new Refusal("messages web_search stream, unpriced", "/v1/messages", messages(WEB_SEARCH_5, true), true, false, "tools", "Web search"),
        new Refusal("messages code_execution", "/v1/messages",
            messages(",\"tools\":[{\"type\":\"code_execution_20250825\",\"name\":\"code_execution\"}]", false), true, true,
            "tools", "'code_execution_20250825'"),
        new Refusal("messages web_fetch", "/v1/messages",
            messages(",\"tools\":[{\"type\":\"web_fetch_20250910\",\"name\":\"web_fetch\",\"max_uses\":2}]", false), true, true,
            "tools", "'web_fetch_20250910'"),
        new Refusal("messages mcp_servers", "/v1/messages", messages(",\"mcp_servers\":[{\"type\":\"url\","
            + "\"url\":\"https://mcp.example.com/sse\",\"name\":\"example\"}]", false), true, true, "mcp_servers", "'mcp_servers'"),
        new Refusal("responses web_search, unpriced", "/v1/responses", responses(",\"tools\":[{\"type\":\"web_search\"}]", false),
            false, false, "tools", "Web search"),
        new Refusal("responses code_interpreter", "/v1/responses",
            responses(",\"tools\":[{\"type\":\"code_interpreter\",\"container\":{\"type\":\"auto\"}}]", false), false, true,
            "tools", "'code_interpreter'"),
        new Refusal("responses hosted shell", "/v1/responses",
            responses(",\"tools\":[{\"type\":\"shell\",\"environment\":{\"type\":\"container_auto\"}}]", true), false, true,
            "tools", "'shell'"),
        new Refusal("chat web_search_options, unpriced", "/v1/chat/completions", chat(",\"web_search_options\":{}"), false,
            false, "web_search_options", "Web search"),
        new Refusal("chat google_search tool", "/v1/chat/completions", chat(",\"tools\":[{\"type\":\"google_search\"}]"),
            false, true, "tools", "'google_search'"));
  }

  /**
   * Refused before admission: 400 {@code tool_not_priced} (in Anthropic's envelope on {@code
   * /v1/messages}), no provider called, nothing reserved or recorded, and the key's one request a
   * minute still there for a plain request afterwards.
   */
  @ParameterizedTest
  @MethodSource("refusals")
  void aProviderRunToolWithoutAPriceIsRefusedBeforeAdmission(Refusal c) {
    Long price = c.priced() ? SEARCH_PRICE : null;
    Seed seed = seed(1_000_000_000, c.anthropic() ? claude("p", 0, price) : gpt("p", price));
    String key = seed.key("one-rpm", 1, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    MinuteWindow.awaitRoom(Duration.ofSeconds(5)); // the refusal and the plain request in one window

    HttpResponse<String> r = post(c.path(), key, c.body());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject body = new JsonObject(r.body());
    if (c.anthropic()) {
      assertThat(body.getString("type")).isEqualTo("error");
    }
    JsonObject e = body.getJsonObject("error");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(e.getString("code")).isEqualTo("tool_not_priced");
    assertThat(e.getString("param")).isEqualTo(c.param());
    assertThat(e.getString("message")).contains(c.says());
    assertThat(ANTHROPIC.requests()).isEmpty();
    assertThat(HARNESS.fake().requests()).isEmpty();
    assertThat(HARNESS.redis().exists(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(Instant.now())))).isFalse();

    HttpResponse<String> plain = HARNESS.gateway().post("/v1/chat/completions", key, chat(""));
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("endpoint", "chat.completions")
        .containsEntry("webSearchCalls", "0");
    assertThat(UsageRecords.all(HARNESS.redis(), seed.tenant)).hasSize(1);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> invalidBounds() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("/v1/messages",
            messages(",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":0}]", false), "tools"),
        org.junit.jupiter.params.provider.Arguments.of("/v1/messages",
            messages(",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":\"5\"}]", false), "tools"),
        org.junit.jupiter.params.provider.Arguments.of("/v1/messages", messages(",\"tools\":[\"web_search\"]", false), "tools"),
        org.junit.jupiter.params.provider.Arguments.of("/v1/responses",
            responses(",\"tools\":[{\"type\":\"web_search\"}],\"max_tool_calls\":-1", false), "max_tool_calls"),
        org.junit.jupiter.params.provider.Arguments.of("/v1/responses",
            responses(",\"tools\":[{\"type\":\"web_search\"}],\"max_tool_calls\":\"4\"", false), "max_tool_calls"),
        org.junit.jupiter.params.provider.Arguments.of("/v1/chat/completions", chat(",\"web_search_options\":true"), "web_search_options"),
        org.junit.jupiter.params.provider.Arguments.of("/v1/chat/completions", chat(",\"tools\":[1]"), "tools"));
  }

  /** A search bound the reservation could not use is a 400 naming the field, before anything is called. */
  @ParameterizedTest
  @MethodSource("invalidBounds")
  void anUnreadableSearchBoundIsRefused(String path, String body, String param) {
    Seed seed = seed(1_000_000_000, claude("claude", 0, SEARCH_PRICE), gpt("openai", SEARCH_PRICE));

    HttpResponse<String> r = post(path, seed.key("k"), body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("invalid_request");
    assertThat(e.getString("param")).isEqualTo(param);
    assertThat(ANTHROPIC.requests()).isEmpty();
    assertThat(HARNESS.fake().requests()).isEmpty();
  }

  /** The usage record, the cap's spend and the month totals carry {@code costMicros}, with the searches apart. */
  static void charged(Seed seed, long searches, long costMicros) {
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("usageSource", "provider")
        .containsEntry("webSearchCalls", Long.toString(searches))
        .containsEntry("webSearchPriceMicrosPerThousand", Long.toString(SEARCH_PRICE))
        .containsEntry("costMicros", Long.toString(costMicros)).containsEntry("billedMicros", Long.toString(costMicros));
    Instant now = Instant.now();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().hgetAll(RedisKeys.spend(seed.tenant, "daily", Period.Day.key(now))))
          .containsEntry("spent", Long.toString(costMicros)).containsEntry("reserved", "0");
      assertThat(HARNESS.redis().hgetAll(RedisKeys.totals(seed.tenant, Period.Month.key(now))))
          .containsEntry("costMicros", Long.toString(costMicros));
    });
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void anthropicWebSearchesAreBilledAtTheSearchPrice(boolean stream) {
    Seed seed = seed(1_000_000_000, claude("p", 0, SEARCH_PRICE));
    ANTHROPIC.enqueue(stream
        ? Reply.sse(FakeAnthropic.webSearchEvents(List.of("Here is ", "the news."), 2, 1_000, 200))
        : Reply.json(200, FakeAnthropic.webSearchMessage("Here is the news.", 2, 1_000, 200)));

    HttpResponse<String> r = post("/v1/messages", seed.key("k"), messages(WEB_SEARCH_5, stream));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("web_search_tool_result").contains("the news.");
    // 1,000 in x $1 + 200 out x $5 = 2,000 micros, plus 2 searches x 10,000 (tokens alone: 2,000)
    long cost = 2_000 + 2 * PER_SEARCH;
    if (!stream) {
      assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(cost));
    }
    assertThat(ANTHROPIC.lastRequest().json().getJsonArray("tools").getJsonObject(0).getLong("max_uses"))
        .as("the client's bound, unchanged").isEqualTo(5);
    charged(seed, 2, cost);
  }

  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void responsesWebSearchesAreBilledAtTheSearchPrice(boolean stream) {
    Seed seed = seed(1_000_000_000, gpt("p", SEARCH_PRICE));
    HARNESS.fake().enqueue(stream
        ? Reply.sse(Responses.webSearchEvents(List.of("Here is ", "the news."), 3, 1_000, 500))
        : Reply.json(200, Responses.webSearchResponse("Here is the news.", 3, 1_000, 500)));

    HttpResponse<String> r = post("/v1/responses", seed.key("k"),
        responses(",\"tools\":[{\"type\":\"web_search\"}],\"max_tool_calls\":4", stream));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("web_search_call").contains("the news.");
    // 1,000 in x $2 + 500 out x $8 = 2,000 + 4,000 micros, plus 3 searches x 10,000
    long cost = 6_000 + 3 * PER_SEARCH;
    if (!stream) {
      assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(cost));
    }
    charged(seed, 3, cost);
  }

  /** OpenAI's search models search once per chat request; the answer says so nowhere, the request does. */
  @ParameterizedTest(name = "stream={0}")
  @ValueSource(booleans = {false, true})
  void aChatRequestWithWebSearchOptionsIsBilledOneSearch(boolean stream) {
    Seed seed = seed(1_000_000_000, gpt("p", SEARCH_PRICE));
    HARNESS.fake().reportUsage(1_000, 500);

    HttpResponse<String> r = post("/v1/chat/completions", seed.key("k"),
        chat(",\"web_search_options\":{\"search_context_size\":\"low\"}" + (stream ? ",\"stream\":true" : "")));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().json().getJsonObject("web_search_options").getString("search_context_size"))
        .isEqualTo("low");
    long cost = 6_000 + PER_SEARCH;
    if (!stream) {
      assertThat(r.headers().firstValue("x-tollgate-cost-micros")).contains(Long.toString(cost));
    }
    charged(seed, 1, cost);
  }

  /**
   * The reservation covers every search the request allows at the search price, plus the 8,000
   * prompt tokens of results each may add: a cap that holds the tokens' worst case but not {@code
   * max_uses} searches answers 402 before the provider is called; a request that leaves its searches
   * unbounded is reserved (and bounded upstream) at the default ceiling of 10.
   */
  @Test
  void theReservationCoversTheSearchesTheRequestAllows() {
    // tokens alone: ~10 prompt tokens x $1 + 600 out x $5 = ~3,010 micros; each search 10,000 more,
    // and its results up to 8,000 prompt tokens at $1: 8,000
    long perSearch = PER_SEARCH + 8_000;
    Seed seed = seed(25_000, claude("p", 0, SEARCH_PRICE));
    String key = seed.key("k");

    HttpResponse<String> plain = post("/v1/messages", key, messages("", false));
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    long tokensReserved = Long.parseLong(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1).get("reservedMicros"));
    assertThat(tokensReserved).isBetween(3_000L, 3_100L);

    // the tool definition adds a few prompt tokens to the estimate: the searches are the rest
    HttpResponse<String> five = post("/v1/messages", key, messages(WEB_SEARCH_5, false));
    assertThat(five.statusCode()).as(five.body()).isEqualTo(402);
    JsonObject e = new JsonObject(five.body()).getJsonObject("error");
    assertThat(e.getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(Money.parseMicros(e.getString("requested")) - 5 * perSearch).isBetween(tokensReserved, tokensReserved + 100);

    HttpResponse<String> unbounded = post("/v1/messages", key,
        messages(",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]", false));
    assertThat(unbounded.statusCode()).as(unbounded.body()).isEqualTo(402);
    assertThat(Money.parseMicros(new JsonObject(unbounded.body()).getJsonObject("error").getString("requested")) - 10 * perSearch)
        .isBetween(tokensReserved, tokensReserved + 100);
    assertThat(ANTHROPIC.requests()).as("only the plain request reached the provider").hasSize(1);

    ANTHROPIC.enqueue(Reply.json(200, FakeAnthropic.webSearchMessage("One result.", 1, 1_000, 200)));
    HttpResponse<String> one = post("/v1/messages", key,
        messages(",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":1}]", false));
    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 2);
    assertThat(rec).containsEntry("webSearchCalls", "1").containsEntry("costMicros", Long.toString(2_000 + PER_SEARCH));
    assertThat(Long.parseLong(rec.get("reservedMicros")) - perSearch).isBetween(tokensReserved, tokensReserved + 100);
  }

  /** A search the request leaves unbounded goes upstream with the default bound it was reserved at. */
  @Test
  void anUnboundedSearchIsSentWithTheDefaultBound() {
    Seed seed = seed(1_000_000_000, claude("claude", 0, SEARCH_PRICE), gpt("openai", SEARCH_PRICE));
    String key = seed.key("k");

    ANTHROPIC.enqueue(Reply.json(200, FakeAnthropic.webSearchMessage("News.", 1, 1_000, 200)));
    HttpResponse<String> m = post("/v1/messages", key,
        messages(",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"},{\"name\":\"lookup\","
            + "\"input_schema\":{\"type\":\"object\"}}]", false));
    assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
    JsonArray sent = ANTHROPIC.lastRequest().json().getJsonArray("tools");
    assertThat(sent.getJsonObject(0).getLong("max_uses")).isEqualTo(10);
    assertThat(sent.getJsonObject(1).containsKey("max_uses")).as("a client tool is left as it is").isFalse();

    HARNESS.fake().enqueue(Reply.json(200, Responses.webSearchResponse("News.", 1, 1_000, 500)));
    HttpResponse<String> r = post("/v1/responses", key, responses(",\"tools\":[{\"type\":\"web_search_preview\"}]", false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().json().getLong("max_tool_calls")).isEqualTo(10);
    long reserved = Long.parseLong(UsageRecords.nth(HARNESS.redis(), seed.tenant, 2).get("reservedMicros"));
    // each search: its price and 8,000 prompt tokens of results at the GPT target's $2 (Claude does not
    // serve the Responses API, so it does not price this reservation)
    long searches = 10 * (PER_SEARCH + 16_000);
    assertThat(reserved).as("10 searches and the tokens' worst case").isGreaterThan(searches).isLessThan(searches + PER_SEARCH);
  }

  /** A target without a search price is not eligible for a searching request: the route skips it. */
  @Test
  void aRouteWhoseFirstTargetHasNoSearchPriceUsesOneThatHas() {
    Seed seed = seed(1_000_000_000, claude("unpriced", 0, null), claude("priced", 1, SEARCH_PRICE));
    String key = seed.key("k");
    ANTHROPIC.enqueue(Reply.json(200, FakeAnthropic.webSearchMessage("News.", 1, 1_000, 200)));

    HttpResponse<String> r = post("/v1/messages", key, messages(WEB_SEARCH_5, false));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("priced");
    assertThat(ANTHROPIC.requests()).hasSize(1);
    assertThat(ANTHROPIC.lastRequest().json().getString("model")).isEqualTo("claude-priced");
    assertThat(UsageRecords.nth(HARNESS.redis(), seed.tenant, 1)).containsEntry("provider", "priced")
        .containsEntry("attempts", "1").containsEntry("webSearchCalls", "1")
        .containsEntry("costMicros", Long.toString(2_000 + PER_SEARCH));

    // without tools the same request may use the first target, at its own prices
    HttpResponse<String> plain = post("/v1/messages", key, messages("", false));
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    assertThat(plain.headers().firstValue("x-tollgate-provider")).contains("unpriced");
  }

  /** Searches the provider ran before a stream was cut are billed: the results streamed, the calls done. */
  @Test
  void aCutStreamIsBilledForTheSearchesItShowed() {
    Seed seed = seed(1_000_000_000, claude("claude", 0, SEARCH_PRICE), gpt("openai", SEARCH_PRICE));
    String key = seed.key("k");
    // message_start, then search 1 (use, delta, stop, result, stop) and search 2's first three events: one result
    ANTHROPIC.enqueue(Reply.sse(FakeAnthropic.webSearchEvents(List.of("a", "b"), 2, 1_000, 200)).cutAfter(9));
    HttpResponse<String> m = post("/v1/messages", key, messages(WEB_SEARCH_5, true));
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains("event: error");
    Map<String, String> cut = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(cut).containsEntry("status", "502").containsEntry("usageSource", "provider-prompt")
        .containsEntry("tokensIn", "1000").containsEntry("webSearchCalls", "1");
    // the prompt message_start reported, the output streamed (the search queries) counted, one search
    long out = Long.parseLong(cut.get("tokensOut"));
    assertThat(cut).containsEntry("costMicros", Long.toString(1_000 + 5 * out + PER_SEARCH));

    // created, in_progress, then search 1 (added, three phases, done) and search 2's added: one call done
    HARNESS.fake().enqueue(Reply.sse(Responses.webSearchEvents(List.of("a", "b"), 2, 1_000, 500)).cutAfter(8));
    HttpResponse<String> r = post("/v1/responses", key, responses(",\"tools\":[{\"type\":\"web_search\"}]", true));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("event: error");
    Map<String, String> rec = UsageRecords.nth(HARNESS.redis(), seed.tenant, 2);
    assertThat(rec).containsEntry("status", "502").containsEntry("webSearchCalls", "1");
    // the prompt estimated (nothing reported) at $2 a million tokens, one search
    long prompt = Long.parseLong(rec.get("tokensIn"));
    assertThat(rec).containsEntry("costMicros", Long.toString(Money.costMicros(prompt, 2_000_000) + PER_SEARCH));
  }

  /** A chat search request never goes to a translating target, which would drop the option and still bill a search. */
  @Test
  void chatWebSearchOptionsAreNotTranslatedForAnthropic() {
    Seed seed = seed(1_000_000_000, claude("p", 0, SEARCH_PRICE));

    HttpResponse<String> r = post("/v1/chat/completions", seed.key("k"), chat(",\"web_search_options\":{}"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message"))
        .contains("web_search_options is not supported by provider type anthropic");
    assertThat(ANTHROPIC.requests()).isEmpty();
  }
}
