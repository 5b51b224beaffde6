package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one OpenAI {@code chat.completion.chunk} stream for an adapter whose provider streams
 * another format: a first chunk with the assistant role, content and tool-call deltas, a chunk with
 * the finish reason, then a usage chunk with empty {@code choices} (OpenAI's {@code include_usage}
 * shape). Keeps the streamed output text so the gateway can count tokens when usage never comes.
 * Not thread-safe: one per stream.
 */
public final class OpenAiChunks {

  private final String id = OpenAiWire.newCompletionId();
  private final long created = OpenAiWire.nowEpochSeconds();
  private final String model;
  private final StringBuilder output = new StringBuilder();
  private boolean started;
  private boolean finished;

  public OpenAiChunks(String model) {
    this.model = model;
  }

  /** The role chunk, once; empty afterwards. */
  public List<String> start() {
    List<String> out = new ArrayList<>(2);
    startInto(out);
    return out;
  }

  /** A content delta (nothing for empty text). */
  public List<String> content(String text) {
    List<String> out = new ArrayList<>(2);
    startInto(out);
    if (text != null && !text.isEmpty()) {
      output.append(text);
      out.add(chunk(new JsonObject().put("content", text), null));
    }
    return out;
  }

  /** The first delta of a tool call: its id, name and the arguments known so far. */
  public List<String> toolCallStart(int index, String callId, String name, String arguments) {
    List<String> out = new ArrayList<>(2);
    startInto(out);
    String args = arguments == null ? "" : arguments;
    output.append(name).append(args);
    JsonObject call =
        new JsonObject()
            .put("index", index)
            .put("id", callId)
            .put("type", "function")
            .put("function", new JsonObject().put("name", name).put("arguments", args));
    out.add(chunk(new JsonObject().put("tool_calls", new JsonArray().add(call)), null));
    return out;
  }

  /** A further piece of a tool call's arguments (nothing for an empty piece). */
  public List<String> toolCallArguments(int index, String fragment) {
    List<String> out = new ArrayList<>(2);
    startInto(out);
    if (fragment != null && !fragment.isEmpty()) {
      output.append(fragment);
      JsonObject call =
          new JsonObject()
              .put("index", index)
              .put("function", new JsonObject().put("arguments", fragment));
      out.add(chunk(new JsonObject().put("tool_calls", new JsonArray().add(call)), null));
    }
    return out;
  }

  /** The finish chunk and the usage chunk, once. */
  public List<String> finish(String finishReason, JsonObject usage) {
    List<String> out = new ArrayList<>(3);
    if (finished) {
      return out;
    }
    finished = true;
    startInto(out);
    out.add(chunk(new JsonObject(), finishReason));
    out.add(base().put("choices", new JsonArray()).put("usage", usage).encode());
    return out;
  }

  /** Counts text a stream passed through unchanged (OpenAI-shaped upstreams). */
  public void countOutput(String text) {
    if (text != null) {
      output.append(text);
    }
  }

  /** Output text streamed so far: content, tool names and tool arguments. */
  public String outputText() {
    return output.toString();
  }

  private void startInto(List<String> out) {
    if (!started) {
      started = true;
      out.add(chunk(new JsonObject().put("role", "assistant").put("content", ""), null));
    }
  }

  private String chunk(JsonObject delta, String finishReason) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return base().put("choices", new JsonArray().add(choice)).encode();
  }

  private JsonObject base() {
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
  }
}
