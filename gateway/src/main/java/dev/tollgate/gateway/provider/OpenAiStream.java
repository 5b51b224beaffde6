package dev.tollgate.gateway.provider;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Translator of an OpenAI-shaped upstream stream (OpenAI, OpenAI-compatible servers, Azure), chat
 * chunks or legacy completions chunks ({@code choices[].text}): chunks pass through with the
 * client's model name, minus Azure's filter-only chunks and annotations;
 * usage comes from the final usage chunk (the adapters always ask for it), {@code [DONE]} ends it.
 */
public final class OpenAiStream extends TranslatedStream {

  private final String model;
  private Usage usage = Usage.NONE;

  public OpenAiStream(String model) {
    super(model);
    this.model = model;
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    String data = event.data().trim();
    if ("[DONE]".equals(data)) {
      finished = true;
      return List.of();
    }
    JsonObject chunk = OpenAiWire.parseObjectOrNull(data);
    if (chunk == null) {
      return List.of();
    }
    if (chunk.getValue("error") instanceof JsonObject err) {
      String message = err.getValue("message") instanceof String m ? m : "upstream stream error";
      error = new UpstreamError(500, UpstreamError.Kind.SERVER_ERROR, OpenAiWire.truncate(message), -1);
      return List.of();
    }
    chunk.remove("prompt_filter_results");
    chunk.put("model", model);
    JsonArray kept = new JsonArray();
    if (chunk.getValue("choices") instanceof JsonArray choices) {
      for (int i = 0; i < choices.size(); i++) {
        if (!(choices.getValue(i) instanceof JsonObject choice)) {
          continue;
        }
        OpenAiWire.stripFilterResults(choice);
        if (choice.getValue("text") instanceof String text) {
          // a legacy completions chunk: its text is the choice's, and filter verdicts come with none
          if (!text.isEmpty() || choice.getValue("finish_reason") != null) {
            chunks.countOutput(text);
            kept.add(choice);
          }
          continue;
        }
        JsonObject delta = choice.getValue("delta") instanceof JsonObject d ? d : new JsonObject();
        if (delta.isEmpty() && choice.getValue("finish_reason") == null) {
          continue; // Azure sends filter verdicts as chunks without content
        }
        countOutput(delta);
        kept.add(choice);
      }
    }
    chunk.put("choices", kept);
    JsonObject u = chunk.getValue("usage") instanceof JsonObject o ? o : null;
    if (u != null) {
      usage = OpenAiWire.usageOf(u);
    }
    if (kept.isEmpty() && u == null) {
      return List.of();
    }
    return List.of(chunk.encode());
  }

  private void countOutput(JsonObject delta) {
    chunks.countOutput(delta.getValue("content") instanceof String s ? s : null);
    // a reasoning model's thinking, billed as output, streams before any content: DeepSeek, SGLang and
    // Qwen name it reasoning_content, vLLM, OpenRouter and gpt-oss servers reasoning
    chunks.countOutput(delta.getValue("reasoning_content") instanceof String s ? s : null);
    chunks.countOutput(delta.getValue("reasoning") instanceof String s ? s : null);
    if (delta.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        if (calls.getValue(i) instanceof JsonObject call && call.getValue("function") instanceof JsonObject fn) {
          chunks.countOutput(fn.getString("name", "") + fn.getString("arguments", ""));
        }
      }
    }
  }

  @Override
  public Usage usage() {
    return usage;
  }
}
