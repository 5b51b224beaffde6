package dev.tollgate.gateway.provider.anthropic;

import static dev.tollgate.gateway.provider.AdapterCalls.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Sse;
import dev.tollgate.gateway.fake.UpstreamCall;
import dev.tollgate.gateway.provider.AdapterCalls;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicAdapterTest {

  private static final String KEY = "sk-ant-test-key";
  @RegisterExtension static final FakeAnthropic FAKE = new FakeAnthropic(KEY);

  private final AnthropicAdapter adapter = new AnthropicAdapter();
  private final AdapterCalls calls =
      new AdapterCalls(adapter, FAKE, endpoint(null, KEY), "claude-sonnet-4-5", "smart");

  private static ProviderEndpoint endpoint(String apiVersion, String key) {
    return new ProviderEndpoint(
        "claude", "anthropic", FAKE.baseUrl(), apiVersion, key, Map.of("anthropic-beta", "x-test"));
  }

  @Test
  void translatesAConversationWithSystemImagesAndToolHistory() {
    JsonObject body =
        new JsonObject()
            .put("model", "smart")
            .put("temperature", 0.2)
            .put("top_p", 0.9)
            .put("stop", "END")
            .put("user", "customer-42")
            .put("parallel_tool_calls", false)
            .put("tool_choice", "required")
            .put(
                "tools",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("type", "function")
                            .put(
                                "function",
                                new JsonObject()
                                    .put("name", "get_weather")
                                    .put("description", "Weather for a city")
                                    .put(
                                        "parameters",
                                        new JsonObject()
                                            .put("type", "object")
                                            .put(
                                                "properties",
                                                new JsonObject()
                                                    .put(
                                                        "city",
                                                        new JsonObject().put("type", "string")))
                                            .put("required", new JsonArray().add("city"))))))
            .put(
                "messages",
                new JsonArray()
                    .add(new JsonObject().put("role", "system").put("content", "Be brief."))
                    .add(
                        new JsonObject()
                            .put("role", "developer")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("type", "text")
                                            .put("text", "Use tools."))))
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("type", "text")
                                            .put("text", "Weather here and in Paris?"))
                                    .add(
                                        new JsonObject()
                                            .put("type", "image_url")
                                            .put(
                                                "image_url",
                                                new JsonObject()
                                                    .put(
                                                        "url",
                                                        "data:image/png;base64,iVBORw0KGgo=")))
                                    .add(
                                        new JsonObject()
                                            .put("type", "image_url")
                                            .put(
                                                "image_url",
                                                new JsonObject()
                                                    .put(
                                                        "url", "https://example.com/street.jpg")))))
                    .add(
                        new JsonObject()
                            .put("role", "assistant")
                            .put("content", "Checking both.")
                            .put(
                                "tool_calls",
                                new JsonArray()
                                    .add(toolCall("toolu_1", "get_weather", "{\"city\":\"Lyon\"}"))
                                    .add(
                                        toolCall(
                                            "toolu_2", "get_weather", "{\"city\":\"Paris\"}"))))
                    .add(
                        new JsonObject()
                            .put("role", "tool")
                            .put("tool_call_id", "toolu_1")
                            .put("content", "12C, rain"))
                    .add(
                        new JsonObject()
                            .put("role", "tool")
                            .put("tool_call_id", "toolu_2")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("type", "text")
                                            .put("text", "18C, sun"))))
                    .add(new JsonObject().put("role", "user").put("content", "Which is warmer?")));

    UpstreamCall.Answer answer = calls.call(body, false);

    assertThat(answer.status()).isEqualTo(200);
    RecordedRequest sent = FAKE.lastRequest();
    assertThat(sent.path()).isEqualTo("/v1/messages");
    assertThat(sent.header("x-api-key")).isEqualTo(KEY);
    assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(sent.header("anthropic-beta")).isEqualTo("x-test");
    assertThat(sent.header("authorization")).isNull();
    JsonObject expected =
        new JsonObject()
            .put("model", "claude-sonnet-4-5")
            .put("max_tokens", AnthropicAdapter.DEFAULT_MAX_TOKENS)
            .put("system", new JsonArray().add(text("Be brief.")).add(text("Use tools.")))
            .put(
                "messages",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(text("Weather here and in Paris?"))
                                    .add(
                                        new JsonObject()
                                            .put("type", "image")
                                            .put(
                                                "source",
                                                new JsonObject()
                                                    .put("type", "base64")
                                                    .put("media_type", "image/png")
                                                    .put("data", "iVBORw0KGgo=")))
                                    .add(
                                        new JsonObject()
                                            .put("type", "image")
                                            .put(
                                                "source",
                                                new JsonObject()
                                                    .put("type", "url")
                                                    .put(
                                                        "url", "https://example.com/street.jpg")))))
                    .add(
                        new JsonObject()
                            .put("role", "assistant")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(text("Checking both."))
                                    .add(
                                        new JsonObject()
                                            .put("type", "tool_use")
                                            .put("id", "toolu_1")
                                            .put("name", "get_weather")
                                            .put("input", new JsonObject().put("city", "Lyon")))
                                    .add(
                                        new JsonObject()
                                            .put("type", "tool_use")
                                            .put("id", "toolu_2")
                                            .put("name", "get_weather")
                                            .put("input", new JsonObject().put("city", "Paris")))))
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("type", "tool_result")
                                            .put("tool_use_id", "toolu_1")
                                            .put("content", "12C, rain"))
                                    .add(
                                        new JsonObject()
                                            .put("type", "tool_result")
                                            .put("tool_use_id", "toolu_2")
                                            .put("content", "18C, sun"))
                                    .add(text("Which is warmer?")))))
            .put("temperature", 0.2)
            .put("top_p", 0.9)
            .put("stop_sequences", new JsonArray().add("END"))
            .put("metadata", new JsonObject().put("user_id", "customer-42"))
            .put(
                "tools",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "get_weather")
                            .put("description", "Weather for a city")
                            .put(
                                "input_schema",
                                new JsonObject()
                                    .put("type", "object")
                                    .put(
                                        "properties",
                                        new JsonObject()
                                            .put("city", new JsonObject().put("type", "string")))
                                    .put("required", new JsonArray().add("city")))))
            .put(
                "tool_choice",
                new JsonObject().put("type", "any").put("disable_parallel_tool_use", true));
    assertThat(sent.json()).isEqualTo(expected);
  }

  @Test
  void usesTheConfiguredVersionAndTheClientsMaxTokens() {
    AnthropicAdapter small = new AnthropicAdapter(256);
    UpstreamRequest withDefault =
        small.chatRequest(endpoint("2023-01-01", KEY), "claude-haiku-4-5", calls.chat("hi"), false);
    calls.send(withDefault);
    assertThat(FAKE.lastRequest().header("anthropic-version")).isEqualTo("2023-01-01");
    assertThat(FAKE.lastRequest().json().getInteger("max_tokens")).isEqualTo(256);

    calls.send(
        small.chatRequest(
            endpoint(null, KEY),
            "claude-haiku-4-5",
            calls.chat("hi").put("max_completion_tokens", 100),
            true));
    assertThat(FAKE.lastRequest().json().getInteger("max_tokens")).isEqualTo(100);
    assertThat(FAKE.lastRequest().json().getBoolean("stream")).isTrue();
    assertThat(FAKE.lastRequest().header("accept")).isEqualTo("text/event-stream");
  }

  @Test
  void translatesATextAnswerWithUsageIncludingCacheTokens() {
    JsonObject message = FakeAnthropic.message("Paris is warmer.", 30, 7, "end_turn");
    message
        .getJsonObject("usage")
        .put("cache_creation_input_tokens", 100)
        .put("cache_read_input_tokens", 2000)
        .put("cache_creation", new JsonObject().put("ephemeral_5m_input_tokens", 40).put("ephemeral_1h_input_tokens", 60));
    FAKE.enqueue(Reply.json(200, message));
    long before = Instant.now().getEpochSecond();

    UpstreamCall.Answer answer = calls.call(calls.chat("Which is warmer?"), false);
    ChatResult result = adapter.chatResponse(new JsonObject(answer.body()), "smart");

    JsonObject body = result.openAiBody();
    assertThat(body.getString("id")).startsWith("chatcmpl-");
    assertThat(body.getString("object")).isEqualTo("chat.completion");
    assertThat(body.getLong("created")).isBetween(before, Instant.now().getEpochSecond());
    assertThat(body.getString("model")).isEqualTo("smart");
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message"))
        .isEqualTo(new JsonObject().put("role", "assistant").put("content", "Paris is warmer."));
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(result.usage()).as("60 of the 100 cache writes for an hour").isEqualTo(new Usage(2130, 2000, 100, 60, 7, true, true));
    assertThat(body.getJsonObject("usage").getLong("prompt_tokens")).isEqualTo(2130);
    assertThat(body.getJsonObject("usage").getLong("completion_tokens")).isEqualTo(7);
    assertThat(body.getJsonObject("usage").getLong("total_tokens")).isEqualTo(2137);
    assertThat(
            body.getJsonObject("usage")
                .getJsonObject("prompt_tokens_details")
                .getLong("cached_tokens"))
        .isEqualTo(2000);
  }

  @Test
  void translatesToolUseIntoToolCalls() {
    FAKE.enqueue(
        Reply.json(
            200,
            FakeAnthropic.toolUseMessage(
                "Let me check.",
                "toolu_01A09q90qw90lq917835lq9",
                "get_weather",
                new JsonObject().put("city", "Paris").put("unit", "celsius"),
                420,
                60)));

    ChatResult result = calls.complete(calls.chat("Weather?"));

    JsonObject choice = result.openAiBody().getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject message = choice.getJsonObject("message");
    assertThat(message.getString("content")).isEqualTo("Let me check.");
    JsonObject toolCall = message.getJsonArray("tool_calls").getJsonObject(0);
    assertThat(toolCall.getString("id")).isEqualTo("toolu_01A09q90qw90lq917835lq9");
    assertThat(toolCall.getString("type")).isEqualTo("function");
    assertThat(toolCall.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(toolCall.getJsonObject("function").getString("arguments")))
        .isEqualTo(new JsonObject().put("city", "Paris").put("unit", "celsius"));
    assertThat(result.usage()).isEqualTo(new Usage(420, 60, true));
  }

  @ParameterizedTest
  @CsvSource({
    "end_turn,stop",
    "stop_sequence,stop",
    "max_tokens,length",
    "tool_use,tool_calls",
    "refusal,content_filter"
  })
  void mapsStopReasons(String stopReason, String finishReason) {
    FAKE.enqueue(Reply.json(200, FakeAnthropic.message("x", 1, 1, stopReason)));
    ChatResult result = calls.complete(calls.chat("hi"));
    assertThat(
            result.openAiBody().getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo(finishReason);
  }

  @Test
  void streamsTextAsOpenAiChunksEndingWithAUsageChunk() {
    FAKE.enqueue(
        Reply.sse(
                FakeAnthropic.textEvents(List.of("Hello", ", ", "world", "!"), 25, 15, "end_turn"))
            .eventDelayMs(2));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Say hello"));

    assertThat(got.answer().cut()).isFalse();
    assertThat(got.answer().chunks()).isGreaterThan(1);
    assertThat(
            got.stream()
                .chunks()
                .get(0)
                .getJsonArray("choices")
                .getJsonObject(0)
                .getJsonObject("delta"))
        .isEqualTo(new JsonObject().put("role", "assistant").put("content", ""));
    assertThat(got.stream().chunks().get(0).getString("id")).startsWith("chatcmpl-");
    assertThat(got.stream().chunks().get(0).getString("model")).isEqualTo("smart");
    assertThat(got.stream().content()).isEqualTo("Hello, world!");
    assertThat(got.stream().finishReason()).isEqualTo("stop");
    assertThat(got.stream().usage().getLong("prompt_tokens")).isEqualTo(25);
    assertThat(got.stream().usage().getLong("completion_tokens")).isEqualTo(15);
    assertThat(got.stream().chunks().get(got.stream().chunks().size() - 1).getJsonArray("choices"))
        .isEmpty();
    assertThat(got.translator().finished()).isTrue();
    assertThat(got.translator().error()).isNull();
    assertThat(got.translator().usage()).isEqualTo(new Usage(25, 15, true));
    assertThat(got.translator().outputText()).isEqualTo("Hello, world!");
  }

  @Test
  void streamsParallelToolUseAsIndexedToolCallDeltas() {
    FAKE.enqueue(Reply.sse(Sse.resource("providers/anthropic/stream-tool-use.sse")));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Weather and time in SF?"));

    assertThat(got.stream().content())
        .isEqualTo("Okay, let's check the weather for San Francisco, CA:");
    assertThat(got.stream().toolCalls()).hasSize(2);
    assertThat(got.stream().toolCalls().get(0).id()).isEqualTo("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
    assertThat(got.stream().toolCalls().get(0).name()).isEqualTo("get_weather");
    assertThat(got.stream().toolCalls().get(0).argumentsJson())
        .isEqualTo(new JsonObject().put("location", "San Francisco, CA").put("unit", "fahrenheit"));
    assertThat(got.stream().toolCalls().get(1).id()).isEqualTo("toolu_01AbCdEfGhIjKlMnOpQrStUv");
    assertThat(got.stream().toolCalls().get(1).argumentsJson())
        .isEqualTo(new JsonObject().put("timezone", "America/Los_Angeles"));
    assertThat(got.stream().finishReason()).isEqualTo("tool_calls");
    // input_tokens + cache writes + cache reads
    assertThat(got.stream().usage().getLong("prompt_tokens")).isEqualTo(472 + 100 + 2048);
    assertThat(got.stream().usage().getJsonObject("prompt_tokens_details").getLong("cached_tokens"))
        .isEqualTo(2048);
    assertThat(got.translator().usage()).isEqualTo(new Usage(2620, 2048, 100, 89, true));
  }

  @Test
  void anErrorEventMidStreamIsReportedAndDoesNotFinishTheStream() {
    List<String> events =
        FakeAnthropic.textEvents(List.of("Hel", "lo"), 25, 15, "end_turn").subList(0, 4);
    FAKE.enqueue(
        Reply.sse(append(events, FakeAnthropic.errorEvent("overloaded_error", "Overloaded"))));

    AdapterCalls.Streamed got = calls.stream(calls.chat("hi"));

    assertThat(got.stream().content()).isEqualTo("Hel");
    assertThat(got.stream().finishReason()).isNull();
    assertThat(got.translator().finished()).isFalse();
    assertThat(got.translator().error())
        .isEqualTo(new UpstreamError(529, UpstreamError.Kind.SERVER_ERROR, "Overloaded", -1));
    assertThat(got.translator().outputText()).isEqualTo("Hel");
  }

  @Test
  void aCutStreamIsUnfinishedAndLeavesTheOutputCountToTheGateway() {
    FAKE.enqueue(
        Reply.sse(FakeAnthropic.textEvents(List.of("Hello ", "there", "!"), 25, 15, "end_turn"))
            .cutAfter(5));

    AdapterCalls.Streamed got = calls.stream(calls.chat("hi"));

    assertThat(got.answer().cut()).isTrue();
    assertThat(got.stream().content()).isEqualTo("Hello there");
    assertThat(got.translator().finished()).isFalse();
    assertThat(got.translator().usage().reportedByProvider()).isFalse();
    assertThat(got.translator().usage().promptReportedByProvider()).isTrue();
    assertThat(got.translator().usage().inputTokens()).isEqualTo(25);
    // message_start's running output (1, as Anthropic sends it) is only the least billed: the
    // gateway counts the streamed text and bills the larger
    assertThat(got.translator().usage().outputTokens()).isEqualTo(1);
    assertThat(got.translator().usage().withCountedOutput(2).outputTokens()).isEqualTo(2);
    assertThat(got.translator().outputText()).isEqualTo("Hello there");
  }

  @ParameterizedTest
  @CsvSource({
    "400, providers/anthropic/error-prompt-too-long.json, , CONTEXT_LENGTH, -1",
    "429, providers/anthropic/error-rate-limit.json, 7, RATE_LIMITED, 7000",
    "529, providers/anthropic/error-overloaded.json, , SERVER_ERROR, -1",
  })
  void mapsRecordedErrors(
      int status, String fixture, String retryAfter, UpstreamError.Kind kind, long retryAfterMs) {
    UpstreamError error =
        calls.recordedError(status, fixture, retryAfter, false, kind, retryAfterMs);
    assertThat(error.message()).isEqualTo(AdapterCalls.fixtureMessage(fixture));
  }

  @ParameterizedTest
  @CsvSource({
    "400, invalid_request_error, 'messages: roles must alternate', CLIENT_ERROR",
    "403, permission_error, 'Your API key does not have permission', SERVER_ERROR",
    "404, not_found_error, 'model: claude-nope', SERVER_ERROR",
    "413, request_too_large, 'Request exceeds the maximum allowed number of bytes.', CLIENT_ERROR",
    "500, api_error, 'Internal server error', SERVER_ERROR",
  })
  void mapsErrorTypes(int status, String type, String message, UpstreamError.Kind kind) {
    FAKE.enqueue(Reply.json(status, FakeAnthropic.error(type, message)));
    UpstreamCall.Answer answer = calls.call(calls.chat("hi"), true);
    assertThat(calls.classify(answer)).isEqualTo(new UpstreamError(status, kind, message, -1));
  }

  @Test
  void aRejectedCredentialIsTheTargetsFaultNotTheClients() {
    UpstreamCall.Answer answer =
        calls.send(
            adapter.chatRequest(
                endpoint(null, "sk-ant-wrong"), "claude-sonnet-4-5", calls.chat("hi"), false));
    UpstreamError error = calls.classify(answer);
    assertThat(error.status()).isEqualTo(401);
    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    assertThat(error.message()).doesNotContain("sk-ant-wrong");
  }

  @Test
  void aNonJsonErrorBodyStillClassifiesWithoutEchoingIt() {
    FAKE.enqueue(Reply.text(502, "text/html", "<html>Bad gateway</html>"));
    UpstreamCall.Answer answer = calls.call(calls.chat("hi"), false);
    assertThat(calls.classify(answer))
        .isEqualTo(
            new UpstreamError(
                502, UpstreamError.Kind.SERVER_ERROR, "upstream answered HTTP 502", -1));
  }

  @Test
  void rejectsWhatTheMessagesApiCannotExpress() {
    ProviderEndpoint ep = endpoint(null, KEY);
    assertThatThrownBy(() -> adapter.chatRequest(ep, "m", calls.chat("hi").put("n", 2), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n > 1");
    JsonObject audio =
        new JsonObject()
            .put("model", "smart")
            .put(
                "messages",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "content",
                                new JsonArray().add(new JsonObject().put("type", "input_audio")))));
    assertThatThrownBy(() -> adapter.chatRequest(ep, "m", audio, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input_audio");
    JsonObject schema =
        calls
            .chat("hi")
            .put(
                "response_format",
                new JsonObject()
                    .put("type", "json_schema")
                    .put(
                        "json_schema",
                        new JsonObject().put("name", "x").put("schema", new JsonObject())));
    assertThatThrownBy(() -> adapter.chatRequest(ep, "m", schema, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("json_schema");
    JsonObject badArgs =
        new JsonObject()
            .put("model", "smart")
            .put(
                "messages",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("role", "assistant")
                            .put(
                                "tool_calls",
                                new JsonArray().add(toolCall("t", "f", "{not json")))));
    assertThatThrownBy(() -> adapter.chatRequest(ep, "m", badArgs, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JSON object");
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  private static List<String> append(List<String> events, String event) {
    List<String> all = new java.util.ArrayList<>(events);
    all.add(event);
    return all;
  }
}
