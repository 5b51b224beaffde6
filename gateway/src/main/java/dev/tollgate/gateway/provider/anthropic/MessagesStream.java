package dev.tollgate.gateway.provider.anthropic;

import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.PassThroughStream;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * An Anthropic Messages stream passed through to a Messages API client: events go on unchanged
 * (the client's model name in {@code message_start}), the usage is read by {@link StreamUsage},
 * text, tool input and thinking deltas are kept to count when the usage never comes, and {@code
 * message_stop} ends it. The provider's {@code error} event is not passed on: it becomes the
 * stream's error, which the router falls back on (nothing sent yet) or ends the client's stream with
 * as one {@link #errorFrame}.
 */
final class MessagesStream extends PassThroughStream {

  private final String model;
  private final StreamUsage usage = new StreamUsage();

  MessagesStream(String model) {
    this.model = model;
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    JsonObject data = OpenAiWire.parseObjectOrNull(event.data());
    if (data == null || finished || error != null) {
      return List.of();
    }
    String type = data.getValue("type") instanceof String t ? t : event.event() == null ? "" : event.event();
    String payload = event.data().indexOf('\n') < 0 ? event.data() : data.encode();
    switch (type) {
      case "message_start" -> {
        usage.started(data);
        if (data.getValue("message") instanceof JsonObject m) {
          payload = data.put("message", OpenAiWire.topLevelCopy(m).put("model", model)).encode();
        }
      }
      case "content_block_start" -> {
        JsonObject block = data.getJsonObject("content_block", new JsonObject());
        usage.block(block);
        output.append(block.getValue("text") instanceof String t ? t : "");
        output.append(block.getValue("name") instanceof String n ? n : "");
      }
      case "content_block_delta" -> {
        JsonObject delta = data.getJsonObject("delta", new JsonObject());
        for (String field : new String[] {"text", "partial_json", "thinking"}) {
          output.append(delta.getValue(field) instanceof String s ? s : "");
        }
      }
      case "message_delta" -> usage.delta(data);
      case "message_stop" -> finished = true;
      case "error" -> {
        error = AnthropicAdapter.streamError(data);
        return List.of();
      }
      default -> {
        // ping, content_block_stop, and event types added later pass through as they are
      }
    }
    return List.of(type.isEmpty() ? "data: " + payload : "event: " + type + "\ndata: " + payload);
  }

  /**
   * Anthropic's {@code error} event, {@code {"type":"error","error":{"type":"api_error","message",
   * "code",...}}}: Anthropic SDKs raise on it, so a client cannot take a cut stream for a whole one.
   */
  @Override
  public String errorFrame(JsonObject envelope) {
    return "event: error\ndata: " + AnthropicErrors.envelope(envelope, 500).encode() + "\n\n";
  }

  @Override
  public Usage usage() {
    return usage.usage();
  }
}
