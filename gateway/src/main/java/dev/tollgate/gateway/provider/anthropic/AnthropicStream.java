package dev.tollgate.gateway.provider.anthropic;

import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.TranslatedStream;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Anthropic stream events → OpenAI chunks. {@link #usage()} is read by {@link StreamUsage}; a cut
 * stream's output is counted from {@link #outputText()}.
 */
final class AnthropicStream extends TranslatedStream {

  /** Anthropic content-block index → OpenAI tool_calls index. */
  private final Map<Integer, Integer> toolIndexes = new HashMap<>();

  private final StreamUsage usage = new StreamUsage();
  private String stopReason;

  AnthropicStream(String model) {
    super(model);
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    JsonObject data = OpenAiWire.parseObjectOrNull(event.data());
    if (data == null) {
      return List.of();
    }
    String type = data.getString("type", event.event() == null ? "" : event.event());
    switch (type) {
      case "message_start" -> {
        usage.started(data);
        return chunks.start();
      }
      case "content_block_start" -> {
        JsonObject block = data.getJsonObject("content_block", new JsonObject());
        if ("text".equals(block.getString("type"))) {
          return chunks.content(block.getString("text"));
        }
        if ("tool_use".equals(block.getString("type"))) {
          int toolIndex = toolIndexes.size();
          toolIndexes.put(data.getInteger("index", -1), toolIndex);
          JsonObject input = block.getJsonObject("input");
          // The input arrives as input_json_delta pieces; a non-empty start input is rare but
          // complete.
          String args = input == null || input.isEmpty() ? "" : input.encode();
          return chunks.toolCallStart(
              toolIndex, block.getString("id"), block.getString("name"), args);
        }
        return List.of();
      }
      case "content_block_delta" -> {
        JsonObject delta = data.getJsonObject("delta", new JsonObject());
        if ("text_delta".equals(delta.getString("type"))) {
          return chunks.content(delta.getString("text"));
        }
        Integer toolIndex = toolIndexes.get(data.getInteger("index", -1));
        if ("input_json_delta".equals(delta.getString("type")) && toolIndex != null) {
          return chunks.toolCallArguments(toolIndex, delta.getString("partial_json"));
        }
        return List.of(); // thinking, signature and citation deltas have no OpenAI counterpart
      }
      case "message_delta" -> {
        String reason = data.getJsonObject("delta", new JsonObject()).getString("stop_reason");
        if (reason != null) {
          stopReason = reason;
        }
        usage.delta(data);
        return List.of();
      }
      case "message_stop" -> {
        finished = true;
        return chunks.finish(
            AnthropicAdapter.finishReason(stopReason),
            OpenAiWire.usage(usage(), 0));
      }
      case "error" -> {
        error = AnthropicAdapter.streamError(data);
        return List.of();
      }
      default -> {
        return List.of(); // ping, content_block_stop, and event types added later
      }
    }
  }

  @Override
  public Usage usage() {
    return usage.usage();
  }
}
