package dev.tollgate.gateway.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeAzureOpenAi;
import dev.tollgate.gateway.fake.OpenAiStream;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AzureOpenAiAdapterTest {

  private static final String KEY = "azure-test-key";
  @RegisterExtension static final FakeAzureOpenAi FAKE = new FakeAzureOpenAi(KEY);

  private final AzureOpenAiAdapter adapter = new AzureOpenAiAdapter();
  private final AdapterCalls calls =
      new AdapterCalls(adapter, FAKE, endpoint(FAKE.baseUrl(), null, KEY), "gpt4o-prod", "gpt-4o");

  private static ProviderEndpoint endpoint(String baseUrl, String apiVersion, String key) {
    return new ProviderEndpoint("azure-eu", "azure-openai", baseUrl, apiVersion, key, Map.of());
  }

  @Test
  void aStoredResponseIsReadAtTheV1PathOrWithTheDatedApiVersionAndTheClientsQuery() {
    dev.tollgate.gateway.provider.UpstreamRequest v1 =
        adapter.storedResponseRequest(endpoint("https://res.openai.azure.com/openai/", "v1", KEY), "/resp_1", "include%5B%5D=x");
    assertThat(v1.url()).isEqualTo("https://res.openai.azure.com/openai/v1/responses/resp_1?include%5B%5D=x");
    assertThat(v1.headers()).containsEntry("api-key", KEY);
    assertThat(v1.body()).isNull();
    assertThat(adapter.storedResponseRequest(endpoint("https://res.openai.azure.com", "2025-04-01-preview", KEY),
        "/resp_1/input_items", "limit=2").url())
        .isEqualTo("https://res.openai.azure.com/openai/responses/resp_1/input_items?api-version=2025-04-01-preview&limit=2");
    assertThat(adapter.storedResponseRequest(endpoint("https://res.openai.azure.com", null, KEY), "/resp_1", null).url())
        .isEqualTo("https://res.openai.azure.com/openai/v1/responses/resp_1");
  }

  @Test
  void sendsTheDeploymentUrlWithApiKeyAndTheBodyWithoutModel() {
    JsonObject body =
        calls
            .chat("hi")
            .put("temperature", 0.3)
            .put("max_tokens", 50)
            .put("stream", false)
            .put(
                "tools",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("type", "function")
                            .put("function", new JsonObject().put("name", "f"))));

    UpstreamCall.Answer answer = calls.call(body, false);
    ChatResult result = adapter.chatResponse(new JsonObject(answer.body()), "gpt-4o");

    RecordedRequest sent = FAKE.lastRequest();
    assertThat(sent.path()).isEqualTo("/openai/deployments/gpt4o-prod/chat/completions");
    assertThat(sent.query("api-version")).isEqualTo(AzureOpenAiAdapter.DEFAULT_API_VERSION);
    assertThat(sent.header("api-key")).isEqualTo(KEY);
    assertThat(sent.header("authorization")).isNull();
    JsonObject expected = body.copy();
    expected.remove("model");
    expected.remove("stream");
    assertThat(sent.json()).isEqualTo(expected);

    JsonObject openAi = result.openAiBody();
    assertThat(openAi.getString("model")).isEqualTo("gpt-4o");
    assertThat(openAi.getString("object")).isEqualTo("chat.completion");
    assertThat(openAi.containsKey("prompt_filter_results")).isFalse();
    JsonObject choice = openAi.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.containsKey("content_filter_results")).isFalse();
    assertThat(choice.getJsonObject("message").getString("content"))
        .isEqualTo(FakeAzureOpenAi.DEFAULT_TEXT);
    assertThat(result.usage())
        .isEqualTo(
            new Usage(
                FakeAzureOpenAi.DEFAULT_PROMPT_TOKENS,
                FakeAzureOpenAi.DEFAULT_COMPLETION_TOKENS,
                true));
  }

  @Test
  void usesTheConfiguredApiVersionAndAcceptsABaseUrlEndingInOpenai() {
    calls.send(
        adapter.chatRequest(
            endpoint(FAKE.baseUrl() + "/openai/", "2025-04-01-preview", KEY),
            "my deployment",
            calls.chat("hi"),
            false));
    assertThat(FAKE.lastRequest().uri())
        .isEqualTo(
            "/openai/deployments/my%20deployment/chat/completions?api-version=2025-04-01-preview");
  }

  @Test
  void theV1ApiPutsTheDeploymentInTheBody() {
    UpstreamCall.Answer answer =
        calls.send(
            adapter.chatRequest(
                endpoint(FAKE.baseUrl(), "v1", KEY), "gpt4o-prod", calls.chat("hi"), false));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(FAKE.lastRequest().uri()).isEqualTo("/openai/v1/chat/completions");
    assertThat(FAKE.lastRequest().json().getString("model")).isEqualTo("gpt4o-prod");
  }

  @Test
  void streamsWithUsageAndDropsAzuresFilterAnnotations() {
    JsonObject body =
        calls.chat("hi").put("stream_options", new JsonObject().put("include_obfuscation", false));

    AdapterCalls.Streamed got = calls.stream(body);

    JsonObject sent = FAKE.lastRequest().json();
    assertThat(sent.getBoolean("stream")).isTrue();
    assertThat(sent.getJsonObject("stream_options"))
        .isEqualTo(new JsonObject().put("include_obfuscation", false).put("include_usage", true));
    assertThat(got.stream().content()).isEqualTo(FakeAzureOpenAi.DEFAULT_TEXT);
    assertThat(got.stream().finishReason()).isEqualTo("stop");
    assertThat(got.stream().usage().getLong("prompt_tokens"))
        .isEqualTo(FakeAzureOpenAi.DEFAULT_PROMPT_TOKENS);
    assertThat(got.stream().usage().getLong("completion_tokens"))
        .isEqualTo(FakeAzureOpenAi.DEFAULT_COMPLETION_TOKENS);
    for (JsonObject chunk : got.stream().chunks()) {
      assertThat(chunk.getString("model")).isEqualTo("gpt-4o");
      assertThat(chunk.encode()).doesNotContain("filter");
    }
    // Azure sent a prompt-filter chunk and a filter-only chunk besides the OpenAI ones.
    assertThat(got.answer().events()).hasSize(got.stream().chunks().size() + 3);
    assertThat(got.translator().finished()).isTrue();
    assertThat(got.translator().usage()).isEqualTo(new Usage(11, 5, true));
    assertThat(got.translator().outputText()).isEqualTo(FakeAzureOpenAi.DEFAULT_TEXT);
  }

  @Test
  void streamsToolCallDeltas() {
    FAKE.enqueue(Reply.sse(Sse.resource("providers/azure/stream-tool-call.sse")));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Weather in Paris?"));

    assertThat(got.stream().toolCalls())
        .containsExactly(
            new OpenAiStream.ToolCall(
                "call_Xl3kVbY1lH9IGeYsd0gbH6rS", "get_weather", "{\"location\":\"Paris\"}"));
    assertThat(got.stream().finishReason()).isEqualTo("tool_calls");
    assertThat(got.translator().usage()).isEqualTo(new Usage(86, 17, true));
  }

  @Test
  void aCutStreamIsUnfinishedAndLeavesTheOutputCountToTheGateway() {
    FAKE.enqueue(
        Reply.sse(FakeAzureOpenAi.textEvents(List.of("Hello ", "there", "!"), 20, 3, true))
            .cutAfter(3));

    AdapterCalls.Streamed got = calls.stream(calls.chat("hi"));

    assertThat(got.answer().cut()).isTrue();
    assertThat(got.stream().content()).isEqualTo("Hello ");
    assertThat(got.translator().finished()).isFalse();
    assertThat(got.translator().usage()).isEqualTo(Usage.NONE);
    assertThat(got.translator().outputText()).isEqualTo("Hello ");
  }

  @ParameterizedTest
  @CsvSource({
    "400, providers/azure/error-content-filter.json, , CLIENT_ERROR, -1",
    "400, providers/azure/error-context-length.json, , CONTEXT_LENGTH, -1",
    "429, providers/azure/error-rate-limit.json, , RATE_LIMITED, 6000",
    "429, providers/azure/error-rate-limit.json, 2, RATE_LIMITED, 2000",
  })
  void mapsRecordedErrors(
      int status, String fixture, String retryAfter, UpstreamError.Kind kind, long retryAfterMs) {
    UpstreamError error =
        calls.recordedError(status, fixture, retryAfter, false, kind, retryAfterMs);
    assertThat(error.message()).endsWith(AdapterCalls.fixtureMessage(fixture));
  }

  @Test
  void aContentFilterErrorSaysSo() {
    FAKE.enqueue(Reply.json(400, Sse.Resources.json("providers/azure/error-content-filter.json")));
    UpstreamCall.Answer answer = calls.call(calls.chat("hi"), false);
    assertThat(adapter.classifyError(answer.status(), answer.body(), null).message())
        .startsWith("content_filter: ");
  }

  @Test
  void aWrongKeyOrDeploymentIsTheTargetsFault() {
    UpstreamCall.Answer badKey =
        calls.send(
            adapter.chatRequest(
                endpoint(FAKE.baseUrl(), null, "wrong"), "d", calls.chat("hi"), false));
    assertThat(adapter.classifyError(badKey.status(), badKey.body(), null).kind())
        .isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    assertThat(badKey.status()).isEqualTo(401);

    FAKE.enqueue(
        Reply.json(
            404,
            FakeAzureOpenAi.error(
                "DeploymentNotFound", "The API deployment for this resource does not exist.")));
    UpstreamCall.Answer noDeployment = calls.call(calls.chat("hi"), false);
    assertThat(adapter.classifyError(noDeployment.status(), noDeployment.body(), null))
        .isEqualTo(
            new UpstreamError(
                404,
                UpstreamError.Kind.SERVER_ERROR,
                "The API deployment for this resource does not exist.",
                -1));
  }

  @Test
  void serverErrorsAreServerErrorsWhateverTheBody() {
    FAKE.enqueue(
        Reply.text(503, "text/html", "<html>Service Unavailable</html>")
            .retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
    UpstreamCall.Answer answer = calls.call(calls.chat("hi"), false);
    assertThat(calls.classify(answer))
        .isEqualTo(
            new UpstreamError(
                503, UpstreamError.Kind.SERVER_ERROR, "upstream answered HTTP 503", 0));
  }
}
