package dev.tollgate.gateway.provider.gemini;

import static dev.tollgate.gateway.provider.AdapterCalls.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Sse;
import dev.tollgate.gateway.fake.UpstreamCall;
import dev.tollgate.gateway.provider.AdapterCalls;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeminiAdapterTest {

  private static final String KEY = "AIza-test-key";
  @RegisterExtension static final FakeGemini FAKE = new FakeGemini(KEY);

  private final GeminiAdapter adapter = new GeminiAdapter();
  private final AdapterCalls calls =
      new AdapterCalls(adapter, FAKE, endpoint(KEY), "gemini-2.5-flash", "fast");

  private static ProviderEndpoint endpoint(String key) {
    return new ProviderEndpoint("google", "gemini", FAKE.baseUrl() + "/", null, key, Map.of());
  }

  @Test
  void translatesAConversationIntoGenerateContent() {
    JsonObject body =
        new JsonObject()
            .put("model", "fast")
            .put("max_tokens", 300)
            .put("temperature", 0.4)
            .put("top_p", 0.8)
            .put("stop", new JsonArray().add("END").add("STOP"))
            .put("response_format", new JsonObject().put("type", "json_object"))
            .put(
                "tool_choice",
                new JsonObject()
                    .put("type", "function")
                    .put("function", new JsonObject().put("name", "get_weather")))
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
                                            .put("additionalProperties", false)
                                            .put(
                                                "properties",
                                                new JsonObject()
                                                    .put(
                                                        "city",
                                                        new JsonObject().put("type", "string")))))))
            .put(
                "messages",
                new JsonArray()
                    .add(new JsonObject().put("role", "system").put("content", "Answer in JSON."))
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("type", "text")
                                            .put("text", "Weather in Lyon and Paris?"))
                                    .add(
                                        new JsonObject()
                                            .put("type", "image_url")
                                            .put(
                                                "image_url",
                                                new JsonObject()
                                                    .put(
                                                        "url",
                                                        "data:image/jpeg;base64,/9j/4AAQ")))))
                    .add(
                        new JsonObject()
                            .put("role", "assistant")
                            .putNull("content")
                            .put(
                                "tool_calls",
                                new JsonArray()
                                    .add(
                                        toolCall(
                                            "call_a__thought__CiQBsig==",
                                            "get_weather",
                                            "{\"city\":\"Lyon\"}"))
                                    .add(
                                        toolCall("call_b", "get_weather", "{\"city\":\"Paris\"}"))))
                    .add(
                        new JsonObject()
                            .put("role", "tool")
                            .put("tool_call_id", "call_a__thought__CiQBsig==")
                            .put("content", "{\"temp\":12}"))
                    .add(
                        new JsonObject()
                            .put("role", "tool")
                            .put("tool_call_id", "call_b")
                            .put("content", "18C, sun"))
                    .add(
                        new JsonObject()
                            .put("role", "assistant")
                            .put("content", "Paris is warmer."))
                    .add(new JsonObject().put("role", "user").put("content", "Thanks")));

    assertThat(calls.call(body, false).status()).isEqualTo(200);

    RecordedRequest sent = FAKE.lastRequest();
    assertThat(sent.path()).isEqualTo("/v1beta/models/gemini-2.5-flash:generateContent");
    assertThat(sent.header("x-goog-api-key")).isEqualTo(KEY);
    assertThat(sent.uri()).doesNotContain(KEY);
    JsonObject expected =
        new JsonObject()
            .put(
                "contents",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "parts",
                                new JsonArray()
                                    .add(new JsonObject().put("text", "Weather in Lyon and Paris?"))
                                    .add(
                                        new JsonObject()
                                            .put(
                                                "inlineData",
                                                new JsonObject()
                                                    .put("mimeType", "image/jpeg")
                                                    .put("data", "/9j/4AAQ")))))
                    .add(
                        new JsonObject()
                            .put("role", "model")
                            .put(
                                "parts",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put(
                                                "functionCall",
                                                new JsonObject()
                                                    .put("name", "get_weather")
                                                    .put(
                                                        "args",
                                                        new JsonObject().put("city", "Lyon")))
                                            .put("thoughtSignature", "CiQBsig=="))
                                    .add(
                                        new JsonObject()
                                            .put(
                                                "functionCall",
                                                new JsonObject()
                                                    .put("name", "get_weather")
                                                    .put(
                                                        "args",
                                                        new JsonObject().put("city", "Paris"))))))
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "parts",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put(
                                                "functionResponse",
                                                new JsonObject()
                                                    .put("name", "get_weather")
                                                    .put(
                                                        "response",
                                                        new JsonObject().put("temp", 12))))
                                    .add(
                                        new JsonObject()
                                            .put(
                                                "functionResponse",
                                                new JsonObject()
                                                    .put("name", "get_weather")
                                                    .put(
                                                        "response",
                                                        new JsonObject()
                                                            .put("content", "18C, sun"))))))
                    .add(
                        new JsonObject()
                            .put("role", "model")
                            .put(
                                "parts",
                                new JsonArray()
                                    .add(new JsonObject().put("text", "Paris is warmer."))))
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "parts",
                                new JsonArray().add(new JsonObject().put("text", "Thanks")))))
            .put(
                "systemInstruction",
                new JsonObject()
                    .put(
                        "parts",
                        new JsonArray().add(new JsonObject().put("text", "Answer in JSON."))))
            .put(
                "tools",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put(
                                "functionDeclarations",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("name", "get_weather")
                                            .put("description", "Weather for a city")
                                            .put(
                                                "parametersJsonSchema",
                                                new JsonObject()
                                                    .put("type", "object")
                                                    .put("additionalProperties", false)
                                                    .put(
                                                        "properties",
                                                        new JsonObject()
                                                            .put(
                                                                "city",
                                                                new JsonObject()
                                                                    .put("type", "string"))))))))
            .put(
                "toolConfig",
                new JsonObject()
                    .put(
                        "functionCallingConfig",
                        new JsonObject()
                            .put("mode", "ANY")
                            .put("allowedFunctionNames", new JsonArray().add("get_weather"))))
            .put(
                "generationConfig",
                new JsonObject()
                    .put("maxOutputTokens", 300)
                    .put("temperature", 0.4)
                    .put("topP", 0.8)
                    .put("stopSequences", new JsonArray().add("END").add("STOP"))
                    .put("responseMimeType", "application/json"));
    assertThat(sent.json()).isEqualTo(expected);
  }

  @Test
  void aToolHistoryWithoutSignaturesGetsGooglesPlaceholderOnTheFirstCall() {
    JsonObject body =
        new JsonObject()
            .put("model", "fast")
            .put(
                "messages",
                new JsonArray()
                    .add(new JsonObject().put("role", "user").put("content", "Weather?"))
                    .add(
                        new JsonObject()
                            .put("role", "assistant")
                            .put(
                                "tool_calls",
                                new JsonArray()
                                    .add(toolCall("toolu_from_anthropic", "get_weather", "{}"))
                                    .add(toolCall("toolu_second", "get_weather", "{}"))))
                    .add(
                        new JsonObject()
                            .put("role", "tool")
                            .put("tool_call_id", "toolu_from_anthropic")
                            .put("content", "sun"))
                    .add(
                        new JsonObject()
                            .put("role", "tool")
                            .put("tool_call_id", "toolu_second")
                            .put("content", "rain")));

    calls.call(body, false);

    JsonArray parts =
        FAKE.lastRequest().json().getJsonArray("contents").getJsonObject(1).getJsonArray("parts");
    assertThat(parts.getJsonObject(0).getString("thoughtSignature"))
        .isEqualTo("c2tpcF90aG91Z2h0X3NpZ25hdHVyZV92YWxpZGF0b3I=");
    assertThat(parts.getJsonObject(1).containsKey("thoughtSignature")).isFalse();
  }

  @Test
  void streamsFromTheSseEndpoint() {
    UpstreamCall.Answer answer =
        calls.send(
            adapter.chatRequest(endpoint(KEY), "models/gemini-2.5-pro", calls.chat("hi"), true));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(FAKE.lastRequest().uri())
        .isEqualTo("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
  }

  @Test
  void translatesATextAnswerCountingThoughtsAsOutput() {
    JsonObject response = FakeGemini.response("The sky is blue.", 8, 5, 20);
    response.getJsonObject("usageMetadata").put("cachedContentTokenCount", 4);
    FAKE.enqueue(Reply.json(200, response));

    ChatResult result = calls.complete(calls.chat("Why?"));

    JsonObject body = result.openAiBody();
    assertThat(body.getString("id")).startsWith("chatcmpl-");
    assertThat(body.getString("object")).isEqualTo("chat.completion");
    assertThat(body.getString("model")).isEqualTo("fast");
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message"))
        .isEqualTo(new JsonObject().put("role", "assistant").put("content", "The sky is blue."));
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(result.usage()).isEqualTo(new Usage(8, 4, 0, 25, true));
    JsonObject usage = body.getJsonObject("usage");
    assertThat(usage.getLong("total_tokens")).isEqualTo(33);
    assertThat(usage.getJsonObject("completion_tokens_details").getLong("reasoning_tokens"))
        .isEqualTo(20);
    assertThat(usage.getJsonObject("prompt_tokens_details").getLong("cached_tokens")).isEqualTo(4);
  }

  @Test
  void translatesAFunctionCallAndCarriesItsThoughtSignatureBackInTheNextTurn() {
    FAKE.enqueue(
        Reply.json(200, Sse.Resources.json("providers/gemini/response-function-call.json")));

    ChatResult result = calls.complete(calls.chat("Weather in Paris?"));

    JsonObject choice = result.openAiBody().getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject message = choice.getJsonObject("message");
    assertThat(message.getValue("content")).isNull();
    JsonObject toolCall = message.getJsonArray("tool_calls").getJsonObject(0);
    assertThat(toolCall.getString("id"))
        .startsWith("call_")
        .endsWith("__thought__CiQB0e2Kb7xyz+Sig/AA==");
    assertThat(toolCall.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(toolCall.getJsonObject("function").getString("arguments")))
        .isEqualTo(new JsonObject().put("location", "Paris").put("unit", "celsius"));
    assertThat(result.usage()).isEqualTo(new Usage(61, 40, 0, 118, true));

    JsonObject next = calls.chat("Weather in Paris?");
    next.getJsonArray("messages")
        .add(message)
        .add(
            new JsonObject()
                .put("role", "tool")
                .put("tool_call_id", toolCall.getString("id"))
                .put("content", "{\"temp\":18}"));
    calls.call(next, false);

    JsonArray contents = FAKE.lastRequest().json().getJsonArray("contents");
    assertThat(contents.getJsonObject(1).getJsonArray("parts").getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put(
                    "functionCall",
                    new JsonObject()
                        .put("name", "get_weather")
                        .put(
                            "args",
                            new JsonObject().put("location", "Paris").put("unit", "celsius")))
                .put("thoughtSignature", "CiQB0e2Kb7xyz+Sig/AA=="));
    assertThat(contents.getJsonObject(2))
        .isEqualTo(
            new JsonObject()
                .put("role", "user")
                .put(
                    "parts",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put(
                                    "functionResponse",
                                    new JsonObject()
                                        .put("name", "get_weather")
                                        .put("response", new JsonObject().put("temp", 18))))));
  }

  @ParameterizedTest
  @CsvSource({
    "STOP,stop",
    "MAX_TOKENS,length",
    "SAFETY,content_filter",
    "RECITATION,content_filter",
    "PROHIBITED_CONTENT,content_filter"
  })
  void mapsFinishReasons(String geminiReason, String openAiReason) {
    FAKE.enqueue(
        Reply.json(
            200,
            FakeGemini.chunk(
                new JsonArray().add(new JsonObject().put("text", "x")),
                geminiReason,
                FakeGemini.usage(3, 1, 0))));
    ChatResult result = calls.complete(calls.chat("hi"));
    assertThat(
            result.openAiBody().getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo(openAiReason);
  }

  @Test
  void aBlockedPromptIsAContentFilterFinishWithItsPromptUsage() {
    FAKE.enqueue(
        Reply.json(
            200,
            new JsonObject()
                .put("promptFeedback", new JsonObject().put("blockReason", "SAFETY"))
                .put("usageMetadata", FakeGemini.usage(9, 0, 0))));
    ChatResult result = calls.complete(calls.chat("hi"));
    JsonObject choice = result.openAiBody().getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("content_filter");
    assertThat(choice.getJsonObject("message").getString("content")).isEmpty();
    assertThat(result.usage()).isEqualTo(new Usage(9, 0, true));
  }

  @Test
  void streamsTextChunksEndingWithAUsageChunk() {
    FAKE.enqueue(
        FakeGemini.sse(FakeGemini.textEvents(List.of("The", " sky is", " blue."), 9, 6))
            .eventDelayMs(2));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Why?"));

    assertThat(got.answer().chunks()).isGreaterThan(1);
    assertThat(got.stream().role()).isEqualTo("assistant");
    assertThat(got.stream().content()).isEqualTo("The sky is blue.");
    assertThat(got.stream().finishReason()).isEqualTo("stop");
    assertThat(got.stream().usage().getLong("prompt_tokens")).isEqualTo(9);
    assertThat(got.stream().usage().getLong("completion_tokens")).isEqualTo(6);
    assertThat(got.translator().finished()).isTrue();
    assertThat(got.translator().usage()).isEqualTo(new Usage(9, 6, true));
    assertThat(got.translator().outputText()).isEqualTo("The sky is blue.");
  }

  @Test
  void streamsFunctionCallsAsWholeToolCallDeltas() {
    FAKE.enqueue(FakeGemini.sse(Sse.resource("providers/gemini/stream-function-call.sse")));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Weather and time in Paris?"));

    assertThat(got.stream().content()).isEqualTo("I'll look that up.");
    assertThat(got.stream().toolCalls()).hasSize(2);
    assertThat(got.stream().toolCalls().get(0).id()).endsWith("__thought__CiQB0e2Kb7xyz+Sig/AA==");
    assertThat(got.stream().toolCalls().get(0).argumentsJson())
        .isEqualTo(new JsonObject().put("location", "Paris").put("unit", "celsius"));
    assertThat(got.stream().toolCalls().get(1).name()).isEqualTo("get_time");
    assertThat(got.stream().toolCalls().get(1).id())
        .startsWith("call_")
        .doesNotContain("__thought__");
    assertThat(got.stream().finishReason()).isEqualTo("tool_calls");
    assertThat(got.stream().usage().getLong("completion_tokens")).isEqualTo(34 + 120);
    assertThat(
            got.stream()
                .usage()
                .getJsonObject("completion_tokens_details")
                .getLong("reasoning_tokens"))
        .isEqualTo(120);
    assertThat(got.translator().usage()).isEqualTo(new Usage(61, 154, true));
  }

  @Test
  void aCutStreamIsUnfinishedAndLeavesTheOutputCountToTheGateway() {
    FAKE.enqueue(
        FakeGemini.sse(FakeGemini.textEvents(List.of("The", " sky is", " blue."), 9, 6))
            .cutAfter(2));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Why?"));

    assertThat(got.answer().cut()).isTrue();
    assertThat(got.stream().content()).isEqualTo("The sky is");
    assertThat(got.stream().finishReason()).isNull();
    assertThat(got.translator().finished()).isFalse();
    assertThat(got.translator().usage().reportedByProvider()).isFalse();
    assertThat(got.translator().usage().promptReportedByProvider()).isTrue();
    assertThat(got.translator().usage().inputTokens()).isEqualTo(9);
    assertThat(got.translator().usage().outputTokens()).as("the gateway counts the output").isZero();
    assertThat(got.translator().outputText()).isEqualTo("The sky is");
  }

  @Test
  void anErrorChunkMidStreamIsReported() {
    List<String> events =
        new ArrayList<>(FakeGemini.textEvents(List.of("The", " sky"), 9, 6).subList(0, 1));
    events.add(
        Sse.data(Sse.Resources.text("providers/gemini/error-unavailable.json").replace("\n", "")));
    FAKE.enqueue(FakeGemini.sse(events));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Why?"));

    assertThat(got.stream().content()).isEqualTo("The");
    assertThat(got.translator().finished()).isFalse();
    assertThat(got.translator().error())
        .isEqualTo(
            new UpstreamError(
                503,
                UpstreamError.Kind.SERVER_ERROR,
                "The model is overloaded. Please try again later.",
                -1));
  }

  @ParameterizedTest
  @CsvSource({
    "429, providers/gemini/error-resource-exhausted.json, , RATE_LIMITED, 37000",
    "429, providers/gemini/error-resource-exhausted.json, 3, RATE_LIMITED, 3000",
    "400, providers/gemini/error-token-limit.json, , CONTEXT_LENGTH, -1",
    "503, providers/gemini/error-unavailable.json, , SERVER_ERROR, -1",
  })
  void mapsRecordedErrors(
      int status, String fixture, String retryAfter, UpstreamError.Kind kind, long retryAfterMs) {
    UpstreamError error =
        calls.recordedError(status, fixture, retryAfter, true, kind, retryAfterMs);
    assertThat(error.message()).isEqualTo(AdapterCalls.fixtureMessage(fixture));
  }

  @ParameterizedTest
  @CsvSource({
    "400, INVALID_ARGUMENT, '* GenerationConfig.temperature: must be between 0 and 2',"
        + " CLIENT_ERROR",
    "400, FAILED_PRECONDITION, 'User location is not supported for the API use.', SERVER_ERROR",
    "403, PERMISSION_DENIED, 'Method doesn''t allow unregistered callers.', SERVER_ERROR",
    "404, NOT_FOUND, 'models/gemini-9 is not found for API version v1beta', SERVER_ERROR",
    "500, INTERNAL, 'An internal error has occurred.', SERVER_ERROR",
  })
  void mapsGoogleStatuses(int status, String grpcStatus, String message, UpstreamError.Kind kind) {
    FAKE.enqueue(Reply.json(status, FakeGemini.error(status, grpcStatus, message)));
    UpstreamCall.Answer answer = calls.call(calls.chat("hi"), false);
    assertThat(calls.classify(answer)).isEqualTo(new UpstreamError(status, kind, message, -1));
  }

  @Test
  void aRejectedApiKeyIsTheTargetsFaultThoughGoogleAnswers400() {
    UpstreamCall.Answer answer =
        calls.send(
            adapter.chatRequest(
                endpoint("AIza-wrong"), "gemini-2.5-flash", calls.chat("hi"), false));
    UpstreamError error = calls.classify(answer);
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
  }

  @Test
  void rejectsWhatGenerateContentCannotExpressHere() {
    ProviderEndpoint ep = endpoint(KEY);
    JsonObject remoteImage =
        new JsonObject()
            .put("model", "fast")
            .put(
                "messages",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("role", "user")
                            .put(
                                "content",
                                new JsonArray()
                                    .add(
                                        new JsonObject()
                                            .put("type", "image_url")
                                            .put(
                                                "image_url",
                                                new JsonObject()
                                                    .put("url", "https://example.com/a.png"))))));
    assertThatThrownBy(() -> adapter.chatRequest(ep, "m", remoteImage, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("data: URLs");
    JsonObject orphanTool =
        new JsonObject()
            .put("model", "fast")
            .put(
                "messages",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("role", "tool")
                            .put("tool_call_id", "nope")
                            .put("content", "x")));
    assertThatThrownBy(() -> adapter.chatRequest(ep, "m", orphanTool, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no tool call");
    assertThatThrownBy(() -> adapter.chatRequest(ep, "m", calls.chat("hi").put("n", 3), false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
