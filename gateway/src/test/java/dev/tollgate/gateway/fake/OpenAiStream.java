package dev.tollgate.gateway.fake;

import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.StreamTranslator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Assembles OpenAI {@code chat.completion.chunk} payloads the way an OpenAI SDK does (content
 * concatenated, tool calls merged by index), checking the invariants clients rely on: one id,
 * {@code created} and {@code model} across chunks, the role first, nothing after the usage chunk.
 */
public final class OpenAiStream {

  /** One assembled tool call. */
  public record ToolCall(String id, String name, String arguments) {
    public JsonObject argumentsJson() {
      return new JsonObject(arguments);
    }
  }

  private final List<JsonObject> chunks = new ArrayList<>();
  private final StringBuilder content = new StringBuilder();
  private final TreeMap<Integer, String[]> toolCalls = new TreeMap<>();
  private String role;
  private String finishReason;
  private JsonObject usage;

  private OpenAiStream() {}

  /**
   * Assembles payloads (the text after {@code data: }); throws AssertionError on a malformed
   * stream.
   */
  public static OpenAiStream of(List<String> payloads) {
    OpenAiStream s = new OpenAiStream();
    payloads.forEach(s::add);
    return s;
  }

  /** Feeds upstream events to a translator and assembles what it emits. */
  public static OpenAiStream translate(StreamTranslator translator, List<SseEvent> events) {
    List<String> payloads = new ArrayList<>();
    for (SseEvent e : events) {
      payloads.addAll(translator.onEvent(e));
    }
    return of(payloads);
  }

  private void add(String payload) {
    JsonObject chunk = new JsonObject(payload);
    check(
        "chat.completion.chunk".equals(chunk.getString("object")),
        "object is chat.completion.chunk: " + payload);
    check(
        chunk.getString("id") != null
            && chunk.getLong("created") != null
            && chunk.getString("model") != null,
        "id, created and model present: " + payload);
    if (!chunks.isEmpty()) {
      JsonObject first = chunks.get(0);
      check(first.getString("id").equals(chunk.getString("id")), "one id across chunks");
      check(first.getLong("created").equals(chunk.getLong("created")), "one created across chunks");
      check(first.getString("model").equals(chunk.getString("model")), "one model across chunks");
    }
    check(usage == null, "nothing after the usage chunk");
    chunks.add(chunk);
    if (chunk.getJsonObject("usage") != null) {
      usage = chunk.getJsonObject("usage");
    }
    JsonArray choices = chunk.getJsonArray("choices");
    check(choices != null, "choices present");
    for (int i = 0; i < choices.size(); i++) {
      JsonObject choice = choices.getJsonObject(i);
      JsonObject delta = choice.getJsonObject("delta", new JsonObject());
      if (delta.getString("role") != null) {
        check(chunks.size() == 1 || role == null, "role comes first");
        role = delta.getString("role");
      }
      if (delta.getString("content") != null) {
        content.append(delta.getString("content"));
      }
      JsonArray calls = delta.getJsonArray("tool_calls", new JsonArray());
      for (int c = 0; c < calls.size(); c++) {
        JsonObject call = calls.getJsonObject(c);
        String[] acc =
            toolCalls.computeIfAbsent(call.getInteger("index"), k -> new String[] {null, null, ""});
        if (call.getString("id") != null) {
          acc[0] = call.getString("id");
        }
        JsonObject fn = call.getJsonObject("function", new JsonObject());
        if (fn.getString("name") != null) {
          acc[1] = fn.getString("name");
        }
        acc[2] += fn.getString("arguments", "");
      }
      if (choice.getString("finish_reason") != null) {
        check(finishReason == null, "one finish reason");
        finishReason = choice.getString("finish_reason");
      }
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("malformed OpenAI stream: " + what);
    }
  }

  public List<JsonObject> chunks() {
    return chunks;
  }

  public String role() {
    return role;
  }

  public String content() {
    return content.toString();
  }

  public List<ToolCall> toolCalls() {
    List<ToolCall> out = new ArrayList<>();
    toolCalls.values().forEach(a -> out.add(new ToolCall(a[0], a[1], a[2])));
    return out;
  }

  public String finishReason() {
    return finishReason;
  }

  /** The usage chunk's {@code usage}, or null. */
  public JsonObject usage() {
    return usage;
  }
}
