package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Translator of a Responses API stream (OpenAI, OpenAI-compatible servers, Azure): events pass
 * through as they come, named by their {@code type}, with the client's model name in the {@code
 * response} of lifecycle events. {@code response.completed} and {@code response.incomplete} end it
 * and carry the usage billed (with the {@code web_search_call} items of its output; a cut stream's
 * searches are those whose {@code response.output_item.done} came); text deltas are kept to count
 * when usage never comes. The
 * provider's {@code error} and {@code response.failed} events are not passed on: they become the
 * stream's error, which the router either falls back on (nothing sent yet) or ends the client's
 * stream with, as one {@link #errorFrame} (the only terminal error event the client sees).
 */
public final class ResponsesStream extends PassThroughStream {

  private final String model;
  private Usage usage = Usage.NONE;
  private long lastSequence = -1;
  private long searchesDone;
  /** The id of the response the stream's first lifecycle event names, if the provider stores it. */
  private String storedId;
  private boolean idSeen;

  public ResponsesStream(String model) {
    this.model = model;
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    JsonObject e = OpenAiWire.parseObjectOrNull(event.data());
    if (e == null || finished || error != null) {
      return List.of();
    }
    if (e.getValue("sequence_number") instanceof Number n) {
      lastSequence = Math.max(lastSequence, n.longValue());
    }
    String type = e.getValue("type") instanceof String t ? t : event.event() == null ? "" : event.event();
    JsonObject response = e.getValue("response") instanceof JsonObject r ? r : null;
    if (response != null && !idSeen) {
      idSeen = true;
      storedId = response.getValue("id") instanceof String id && !Boolean.FALSE.equals(response.getValue("store")) ? id : null;
    }
    switch (type) {
      case "error" -> {
        error = upstreamError(e);
        return List.of();
      }
      case "response.failed" -> {
        usage = response == null ? Usage.NONE : ResponsesWire.usageOf(response);
        error = upstreamError(response != null && response.getValue("error") instanceof JsonObject err ? err : e);
        return List.of();
      }
      case "response.completed", "response.incomplete" -> {
        finished = true;
        usage = response == null ? Usage.NONE : ResponsesWire.usageOf(response);
      }
      case "response.output_item.done" -> {
        if (e.getValue("item") instanceof JsonObject item && ResponsesWire.webSearchCall(item)) {
          searchesDone++;
        }
      }
      default -> {
        // text, refusal, function-call argument and reasoning deltas; audio deltas are base64
        if (type.endsWith(".delta") && !type.contains("audio") && e.getValue("delta") instanceof String d) {
          output.append(d);
        }
      }
    }
    String data;
    if (response != null) {
      e.put("response", OpenAiWire.topLevelCopy(response).put("model", model));
      data = e.encode();
    } else {
      data = event.data().indexOf('\n') < 0 ? event.data() : e.encode();
    }
    return List.of(type.isEmpty() ? "data: " + data : "event: " + type + "\ndata: " + data);
  }

  /**
   * The id of the response this stream produces, from its first lifecycle event ({@code
   * response.created}), unless that says the provider does not store it ({@code store: false});
   * null until then. The router remembers it before passing that event on (ADR 0050).
   */
  public String storedResponseId() {
    return storedId;
  }

  private static UpstreamError upstreamError(JsonObject err) {
    String message = err.getValue("message") instanceof String m ? OpenAiWire.truncate(m) : "upstream stream error";
    return new UpstreamError(500, UpstreamError.Kind.SERVER_ERROR, message, -1);
  }

  /**
   * The Responses API's {@code error} event ({@code type}, {@code code}, {@code message}, {@code
   * param}, {@code sequence_number}), also carrying the gateway's {@code error} envelope: OpenAI
   * SDKs raise on an {@code error} member, so a client cannot take a cut stream for a whole one.
   */
  @Override
  public String errorFrame(JsonObject envelope) {
    JsonObject err = envelope.getJsonObject("error");
    JsonObject event = new JsonObject()
        .put("type", "error")
        .put("code", err.getValue("code"))
        .put("message", err.getValue("message"))
        .putNull("param")
        .put("sequence_number", lastSequence + 1)
        .put("error", err);
    return "event: error\ndata: " + event.encode() + "\n\n";
  }

  @Override
  public Usage usage() {
    return usage.webSearchCalls() >= searchesDone ? usage : usage.withWebSearchCalls(searchesDone);
  }
}
