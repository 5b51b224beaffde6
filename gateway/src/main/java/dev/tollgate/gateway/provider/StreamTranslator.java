package dev.tollgate.gateway.provider;

import java.util.List;

/**
 * Turns one upstream SSE stream into OpenAI {@code chat.completion.chunk} JSON payloads (the text
 * after {@code data: }), event by event. Keeps the state a provider's events need (message id, tool
 * call indexes, usage so far). Not thread-safe: one per stream.
 */
public interface StreamTranslator {

  /** Payloads to send the client for this upstream event (possibly none). */
  List<String> onEvent(SseEvent event);

  /**
   * Usage so far: the provider's figures once final ({@link Usage#reportedByProvider()}); before
   * that, the prompt side if the provider already reported it ({@link Usage#promptOnly()}), else
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
