package dev.tollgate.gateway.provider.vertex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeAnthropic;
import dev.tollgate.gateway.fake.FakeGemini;
import dev.tollgate.gateway.fake.FakeVertexAi;
import dev.tollgate.gateway.fake.RecordedRequest;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.provider.AdapterCalls;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.ProviderRegistry;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.gateway.provider.gemini.GeminiRequests;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class VertexAiAdapterTest {

  private static final String TOKEN = "ya29.test-access-token";
  @RegisterExtension
  static final FakeVertexAi FAKE = new FakeVertexAi("acme-prod", "europe-west4", TOKEN::equals);

  private final VertexAiAdapter adapter = new VertexAiAdapter();
  private final AdapterCalls calls =
      new AdapterCalls(adapter, FAKE, endpoint(FAKE.baseUrl() + "/", "europe-west4", TOKEN), "gemini-2.5-flash", "fast");

  private static ProviderEndpoint endpoint(String baseUrl, String location, String token) {
    return new ProviderEndpoint("vertex", "vertex-ai", baseUrl, null, token, Map.of(), "acme-prod", location);
  }

  @Test
  void theGatewayRegistersItForVertexAi() {
    assertThat(ProviderRegistry.defaults().get("vertex-ai")).isInstanceOf(VertexAiAdapter.class);
    assertThat(adapter.oauthScope()).isEqualTo("https://www.googleapis.com/auth/cloud-platform");
  }

  @Test
  void callsTheRegionalOrGlobalPublisherModelUrlWithTheGeminiBody() {
    JsonObject body = calls.chat("Why is the sky blue?").put("max_tokens", 100).put("temperature", 0.2);
    UpstreamRequest regional = adapter.chatRequest(
        endpoint("https://europe-west4-aiplatform.googleapis.com", "europe-west4", TOKEN), "gemini-2.5-flash", body, false);
    assertThat(regional.url()).isEqualTo("https://europe-west4-aiplatform.googleapis.com/v1/projects/acme-prod"
        + "/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent");
    assertThat(regional.headers()).containsEntry("authorization", "Bearer " + TOKEN).doesNotContainKey("x-goog-api-key");
    assertThat(new JsonObject(regional.body())).isEqualTo(GeminiRequests.generateContentBody(body));

    UpstreamRequest global = adapter.chatRequest(
        endpoint("https://aiplatform.googleapis.com/v1/", "global", TOKEN), "gemini-2.5-pro", body, true);
    assertThat(global.url()).isEqualTo("https://aiplatform.googleapis.com/v1/projects/acme-prod"
        + "/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    assertThat(global.stream()).isTrue();
    assertThat(global.headers()).containsEntry("accept", "text/event-stream");
  }

  @Test
  void aPlainAnswerIsGeminisTranslationWithItsUsage() {
    FAKE.enqueue(Reply.json(200, FakeGemini.response("The sky scatters blue light.", 12, 7, 30)));

    ChatResult result = calls.complete(calls.chat("Why?"));

    RecordedRequest sent = FAKE.lastRequest();
    assertThat(sent.path()).isEqualTo(
        "/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent");
    assertThat(sent.json().getJsonArray("contents")).isEqualTo(new JsonArray().add(new JsonObject()
        .put("role", "user").put("parts", new JsonArray().add(new JsonObject().put("text", "Why?")))));
    assertThat(result.openAiBody().getString("model")).isEqualTo("fast");
    assertThat(result.openAiBody().getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo("The sky scatters blue light.");
    assertThat(result.usage()).isEqualTo(new Usage(12, 37, true));
  }

  @Test
  void aStreamIsGeminisTranslationEndingWithItsUsage() {
    FAKE.enqueue(FakeGemini.sse(FakeGemini.textEvents(List.of("Blue ", "light."), 9, 4)));

    AdapterCalls.Streamed got = calls.stream(calls.chat("Why?"));

    assertThat(FAKE.lastRequest().uri()).endsWith("/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    assertThat(got.stream().content()).isEqualTo("Blue light.");
    assertThat(got.translator().finished()).isTrue();
    assertThat(got.translator().usage()).isEqualTo(new Usage(9, 4, true));
  }

  @Test
  void callsClaudeModelsWithAnAnthropicMessagesBodyAtRawPredict() {
    JsonObject body = calls.chat("Why is the sky blue?").put("max_tokens", 100);
    UpstreamRequest request = adapter.chatRequest(
        endpoint("https://us-east5-aiplatform.googleapis.com", "us-east5", TOKEN), "claude-sonnet-4@20250514", body, true);
    assertThat(request.url()).isEqualTo("https://us-east5-aiplatform.googleapis.com/v1/projects/acme-prod"
        + "/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict");
    assertThat(request.headers()).containsEntry("authorization", "Bearer " + TOKEN)
        .doesNotContainKey("x-api-key").doesNotContainKey("anthropic-version");
    JsonObject sent = new JsonObject(request.body());
    assertThat(sent.getString("anthropic_version")).isEqualTo("vertex-2023-10-16");
    assertThat(sent.containsKey("model")).isFalse();
    assertThat(sent.getBoolean("stream")).isTrue();
    assertThat(sent.getInteger("max_tokens")).isEqualTo(100);
    assertThat(sent.getJsonArray("messages").getJsonObject(0).getString("role")).isEqualTo("user");
  }

  @Test
  void claudeAnswersStreamsAndErrorsAreAnthropicsTranslation() {
    AdapterCalls claude = new AdapterCalls(adapter, FAKE, endpoint(FAKE.baseUrl(), "europe-west4", TOKEN),
        "claude-sonnet-4@20250514", "smart");
    ChatResult result = claude.complete(claude.chat("Hi"));
    assertThat(FAKE.lastRequest().path()).endsWith("/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict");
    assertThat(result.openAiBody().getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo(FakeVertexAi.CLAUDE_TEXT);
    assertThat(result.usage()).isEqualTo(new Usage(12, 5, true));

    AdapterCalls.Streamed streamed = claude.stream(claude.chat("Hi"));
    assertThat(FAKE.lastRequest().uri()).endsWith(":streamRawPredict");
    assertThat(streamed.stream().content()).isEqualTo("Hello from Claude on Vertex AI");
    assertThat(streamed.translator().finished()).isTrue();
    assertThat(streamed.translator().usage()).isEqualTo(new Usage(12, 5, true));

    FAKE.enqueue(Reply.json(400, FakeAnthropic.error("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum")));
    assertThat(claude.classify(claude.call(claude.chat("Hi"), false)).kind()).isEqualTo(UpstreamError.Kind.CONTEXT_LENGTH);
    // quota is Vertex AI's to enforce, in Google's shape, whatever the model
    FAKE.enqueue(Reply.json(429, FakeGemini.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for aiplatform.googleapis.com")));
    UpstreamError quota = claude.classify(claude.call(claude.chat("Hi"), false));
    assertThat(quota.kind()).isEqualTo(UpstreamError.Kind.RATE_LIMITED);
    assertThat(quota.message()).isEqualTo("Quota exceeded for aiplatform.googleapis.com");
  }

  @Test
  void aRejectedTokenIsTheTargetsFault() {
    AdapterCalls wrongToken = new AdapterCalls(adapter, FAKE,
        endpoint(FAKE.baseUrl(), "europe-west4", "ya29.expired"), "gemini-2.5-flash", "fast");
    UpstreamError error = wrongToken.classify(wrongToken.call(wrongToken.chat("hi"), false));
    assertThat(error.status()).isEqualTo(401);
    assertThat(error.kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    assertThat(error.message()).isEqualTo(FakeVertexAi.UNAUTHENTICATED_MESSAGE);
  }
}
