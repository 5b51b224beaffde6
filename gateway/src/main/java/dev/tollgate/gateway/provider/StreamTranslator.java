package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Turns one upstream SSE stream into the client's stream, event by event: OpenAI {@code
 * chat.completion.chunk} JSON payloads (the text after {@code data: }) for chat, Responses API
 * events for {@code /v1/responses} ({@link ResponsesStream}). Keeps the state a provider's events
 * need (message id, tool call indexes, usage so far). The router writes what it returns, framed by
 * {@link #frame}, and ends the client's stream with {@link #endFrame} or {@link #errorFrame}. Not
 * thread-safe: one per stream.
 */
public interface StreamTranslator {

  /** Payloads to send the client for this upstream event (possibly none). */
  List<String> onEvent(SseEvent event);

  /** One payload as the SSE event the client gets; chat: a {@code data:} line. */
  default String frame(String payload) {
    return "data: " + payload + "\n\n";
  }

  /** What follows the last payload of a complete stream; chat: {@code [DONE]}. */
  default String endFrame() {
    return "data: [DONE]\n\n";
  }

  /**
   * The SSE event that ends a stream the upstream broke off, from the gateway's error envelope
   * ({@code {"error":{...}}}); chat: the envelope as a {@code data:} line, on which OpenAI SDKs raise.
   */
  default String errorFrame(JsonObject envelope) {
    return "data: " + envelope.encode() + "\n\n";
  }

  /**
   * Usage so far: the provider's figures once final ({@link Usage#reportedByProvider()}); before
   * that, its partial figures if it already reported the prompt ({@link Usage#partial()}), else
   * nothing the gateway should bill (it counts the prompt and {@link #outputText()} itself).
   */
  Usage usage();

  /** The streamed output text so far (to count tokens when the provider reports no usage). */
  String outputText();

  /** True once the upstream signalled the normal end of the stream. */
  boolean finished();

  /** An upstream error event seen in the stream, or null. */
  UpstreamError error();
}
