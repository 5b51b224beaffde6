package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.TranslatedStream;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemini {@code streamGenerateContent?alt=sse} chunks → OpenAI chunks. Each Gemini chunk carries
 * cumulative {@code usageMetadata}; the stream has no end marker beyond the chunk with a {@code
 * finishReason}, so that chunk ends the translation and its usage is the provider's final figure;
 * a stream cut before it keeps the prompt side the earlier chunks reported, and their running
 * output (candidates plus thinking tokens, which Google bills as output but never streams as text)
 * as the least output billed.
 * Gemini sends a function call whole, so each becomes one tool-call delta with all its arguments.
 */
final class GeminiStream extends TranslatedStream {

  private JsonObject metadata;
  private int toolCalls;

  GeminiStream(String model) {
    super(model);
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    JsonObject data = OpenAiWire.parseObjectOrNull(event.data());
    if (data == null) {
      return List.of();
    }
    JsonObject err = data.getJsonObject("error");
    if (err != null) {
      error = GeminiAdapter.classify(err.getInteger("code", 500), err, -1);
      return List.of();
    }
    if (finished) {
      return List.of();
    }
    List<String> out = new ArrayList<>(chunks.start());
    JsonObject usage = data.getJsonObject("usageMetadata");
    if (usage != null) {
      metadata = usage;
    }
    JsonObject candidate = GeminiAdapter.firstCandidate(data);
    JsonArray parts = GeminiAdapter.partsOf(candidate);
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      JsonObject call = part.getJsonObject("functionCall");
      if (call != null) {
        String id =
            GeminiToolIds.toOpenAi(call.getString("id"), part.getString("thoughtSignature"));
        out.addAll(
            chunks.toolCallStart(
                toolCalls++,
                id,
                call.getString("name"),
                call.getJsonObject("args", new JsonObject()).encode()));
      } else if (GeminiAdapter.isAnswerText(part)) {
        out.addAll(chunks.content(part.getString("text")));
      }
    }
    String reason = GeminiAdapter.finishReason(data, candidate, toolCalls > 0);
    boolean promptBlocked = candidate == null && data.getJsonObject("promptFeedback") != null;
    if (reason != null && (candidate != null || promptBlocked)) {
      finished = true;
      out.addAll(chunks.finish(reason, GeminiAdapter.usageJson(usage(), metadataOrEmpty())));
    }
    return out;
  }

  private JsonObject metadataOrEmpty() {
    return metadata == null ? new JsonObject() : metadata;
  }

  @Override
  public Usage usage() {
    return GeminiAdapter.streamUsage(metadata, finished);
  }
}
