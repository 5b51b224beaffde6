package dev.tollgate.gateway.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiAdapterTest {

  final OpenAiAdapter adapter = new OpenAiAdapter();
  final ProviderEndpoint endpoint = new ProviderEndpoint("p", "openai", "https://api.example.com/v1/", null, "sk-x", Map.of("x-extra", "1"));

  @Test
  void streamingRequestAsksForUsageAndKeepsClientOptions() {
    JsonObject body = new JsonObject().put("model", "alias").put("messages", new io.vertx.core.json.JsonArray())
        .put("stream_options", new JsonObject().put("other", 1));
    UpstreamRequest r = adapter.chatRequest(endpoint, "gpt-4o-mini", body, true);
    JsonObject sent = new JsonObject(r.body());
    assertThat(r.url()).isEqualTo("https://api.example.com/v1/chat/completions");
    assertThat(sent.getString("model")).isEqualTo("gpt-4o-mini");
    assertThat(sent.getJsonObject("stream_options").getMap()).containsEntry("include_usage", true).containsEntry("other", 1);
    assertThat(r.headers()).containsEntry("authorization", "Bearer sk-x").containsEntry("x-extra", "1");
    assertThat(r.toString()).doesNotContain("sk-x");
    assertThat(body.getJsonObject("stream_options").containsKey("include_usage")).isFalse(); // client body untouched
  }

  @Test
  void aStoredResponseIsReadAtTheProvidersResponsesPathWithTheClientsQueryAndNoBody() {
    UpstreamRequest r = adapter.storedResponseRequest(endpoint, "/resp_1/input_items", "limit=5&include%5B%5D=x");
    assertThat(r.url()).isEqualTo("https://api.example.com/v1/responses/resp_1/input_items?limit=5&include%5B%5D=x");
    assertThat(r.body()).isNull();
    assertThat(r.headers()).containsEntry("authorization", "Bearer sk-x").containsEntry("x-extra", "1");
    assertThat(adapter.storedResponseRequest(endpoint, "/resp_1", null).url()).isEqualTo("https://api.example.com/v1/responses/resp_1");
    assertThat(r.toString()).doesNotContain("sk-x");
  }

  @Test
  void translatorTakesUsageFromTheFinalChunk() {
    StreamTranslator t = adapter.streamTranslator("alias");
    assertThat(t.onEvent(new SseEvent(null, "{\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}")))
        .singleElement().satisfies(p -> assertThat(new JsonObject(p).getString("model")).isEqualTo("alias"));
    t.onEvent(new SseEvent(null, "{\"model\":\"up\",\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}"));
    t.onEvent(new SseEvent(null, "[DONE]"));
    assertThat(t.finished()).isTrue();
    assertThat(t.usage().inputTokens()).isEqualTo(4);
    assertThat(t.usage().outputTokens()).isEqualTo(1);
    assertThat(t.usage().reportedByProvider()).isTrue();
    assertThat(t.outputText()).isEqualTo("Hi");
  }

  @Test
  void errorsAreClassifiedAsFallbackTriggers() {
    assertThat(adapter.classifyError(429, "{}", "2").kind()).isEqualTo(UpstreamError.Kind.RATE_LIMITED);
    assertThat(adapter.classifyError(429, "{}", "2").retryAfterMs()).isEqualTo(2000);
    assertThat(adapter.classifyError(503, "oops", null).kind()).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    assertThat(adapter.classifyError(400, "{\"error\":{\"message\":\"too long\",\"code\":\"context_length_exceeded\"}}", null).kind())
        .isEqualTo(UpstreamError.Kind.CONTEXT_LENGTH);
    UpstreamError bad = adapter.classifyError(400, "{\"error\":{\"message\":\"bad temperature\"}}", null);
    assertThat(bad.kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR);
    assertThat(bad.message()).isEqualTo("bad temperature");
  }

  @Test
  void aWrongKeyBillingModelOrUrlIsTheTargetsFaultAndFallsBack() {
    // ADR 0030: the client's request is fine; another target may not share the misconfiguration
    for (int status : new int[] {401, 402, 403, 404}) {
      UpstreamError e = adapter.classifyError(status, "{\"error\":{\"message\":\"Incorrect API key\",\"code\":\"invalid_api_key\"}}", null);
      assertThat(e.kind()).as("status %d", status).isEqualTo(UpstreamError.Kind.SERVER_ERROR);
    }
    assertThat(adapter.classifyError(422, "<html>proxy</html>", null))
        .satisfies(e -> assertThat(e.kind()).isEqualTo(UpstreamError.Kind.CLIENT_ERROR))
        .satisfies(e -> assertThat(e.message()).isEqualTo("upstream answered HTTP 422"));
  }

  @Test
  void streamsWithoutCredentialSendNoAuthorizationHeader() {
    ProviderEndpoint open = new ProviderEndpoint("p", "openai-compatible", "http://127.0.0.1:1/v1", null, null, Map.of());
    UpstreamRequest r = adapter.chatRequest(open, "m", new JsonObject().put("messages", new io.vertx.core.json.JsonArray()), false);
    assertThat(r.headers()).doesNotContainKey("authorization");
  }
}
