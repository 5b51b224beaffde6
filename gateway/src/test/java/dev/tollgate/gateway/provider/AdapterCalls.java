package dev.tollgate.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeProvider;
import dev.tollgate.gateway.fake.OpenAiStream;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Sse;
import dev.tollgate.gateway.fake.UpstreamCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One adapter against its fake provider over real HTTP, for adapter tests: sends the adapter's
 * request for an OpenAI body to one endpoint, reads answers back as the gateway would (streams
 * assembled as an OpenAI client does), and classifies error answers.
 */
public final class AdapterCalls {

  /** A streamed call: what came back, the translator that read it, and what a client assembled. */
  public record Streamed(
      UpstreamCall.Answer answer, StreamTranslator translator, OpenAiStream stream) {}

  private final ProviderAdapter adapter;
  private final FakeProvider fake;
  private final ProviderEndpoint endpoint;
  private final String upstreamModel;
  private final String requestedModel;

  /**
   * @param endpoint where {@link #call} sends, normally the fake with the key it accepts
   * @param upstreamModel the provider's model name the adapter is asked for
   * @param requestedModel the client's model name (the alias answers must carry)
   */
  public AdapterCalls(
      ProviderAdapter adapter,
      FakeProvider fake,
      ProviderEndpoint endpoint,
      String upstreamModel,
      String requestedModel) {
    this.adapter = adapter;
    this.fake = fake;
    this.endpoint = endpoint;
    this.upstreamModel = upstreamModel;
    this.requestedModel = requestedModel;
  }

  /** A one-message chat body for the requested model. */
  public JsonObject chat(String text) {
    return new JsonObject()
        .put("model", requestedModel)
        .put(
            "messages",
            new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  /** Sends any request the adapter built (e.g. for another endpoint) to the fake. */
  public UpstreamCall.Answer send(UpstreamRequest request) {
    return UpstreamCall.send(fake.vertx(), request);
  }

  /** Sends the adapter's request for {@code body} to the endpoint. */
  public UpstreamCall.Answer call(JsonObject body, boolean stream) {
    return send(adapter.chatRequest(endpoint, upstreamModel, body, stream));
  }

  /** A non-stream call whose answer is translated back to an OpenAI completion. */
  public ChatResult complete(JsonObject body) {
    return adapter.chatResponse(new JsonObject(call(body, false).body()), requestedModel);
  }

  /** A stream call whose events go through a fresh translator into an assembled OpenAI stream. */
  public Streamed stream(JsonObject body) {
    UpstreamCall.Answer answer = call(body, true);
    StreamTranslator translator = adapter.streamTranslator(requestedModel);
    return new Streamed(answer, translator, OpenAiStream.translate(translator, answer.events()));
  }

  /** The adapter's reading of an error answer. */
  public UpstreamError classify(UpstreamCall.Answer answer) {
    return adapter.classifyError(answer.status(), answer.body(), answer.retryAfter());
  }

  /**
   * Answers a chat call with a recorded error body (and Retry-After, if not null), and checks the
   * classification's status, kind and retry delay; returns it for the message checks.
   */
  public UpstreamError recordedError(
      int status,
      String fixture,
      String retryAfter,
      boolean stream,
      UpstreamError.Kind kind,
      long retryAfterMs) {
    Reply reply = Reply.json(status, Sse.Resources.json(fixture));
    fake.enqueue(retryAfter == null ? reply : reply.retryAfter(retryAfter));
    UpstreamError error = classify(call(chat("hi"), stream));
    assertThat(error.status()).isEqualTo(status);
    assertThat(error.kind()).isEqualTo(kind);
    assertThat(error.retryAfterMs()).isEqualTo(retryAfterMs);
    return error;
  }

  /** The provider's own message in a recorded error body. */
  public static String fixtureMessage(String fixture) {
    return Sse.Resources.json(fixture).getJsonObject("error").getString("message");
  }

  /** An OpenAI {@code tool_calls} entry of an assistant message. */
  public static JsonObject toolCall(String id, String name, String arguments) {
    return new JsonObject()
        .put("id", id)
        .put("type", "function")
        .put("function", new JsonObject().put("name", name).put("arguments", arguments));
  }
}
