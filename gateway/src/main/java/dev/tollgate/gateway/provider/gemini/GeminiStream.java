package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.gateway.provider.azure.OpenAiChunks;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Gemini {@code streamGenerateContent?alt=sse} chunks → OpenAI chunks. Each Gemini chunk carries
 * cumulative {@code usageMetadata}; the stream has no end marker beyond the chunk with a {@code
 * finishReason}, so that chunk ends the translation and its usage is the provider's final figure.
 * Gemini sends a function call whole, so each becomes one tool-call delta with all its arguments.
 */
final class GeminiStream implements StreamTranslator {

  private final OpenAiChunks chunks;
  private JsonObject metadata;
  private int toolCalls;
  private boolean finished;
  private UpstreamError error;

  GeminiStream(String model) {
    this.chunks = new OpenAiChunks(model);
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    JsonObject data;
    try {
      data = new JsonObject(event.data());
    } catch (DecodeException e) {
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
    JsonArray parts =
        candidate == null
            ? new JsonArray()
            : candidate.getJsonObject("content", new JsonObject()).getJsonArray("parts", new JsonArray());
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      JsonObject call = part.getJsonObject("functionCall");
      if (call != null) {
        String id = GeminiToolIds.toOpenAi(call.getString("id"), part.getString("thoughtSignature"));
        out.addAll(
            chunks.toolCallStart(
                toolCalls++, id, call.getString("name"), call.getJsonObject("args", new JsonObject()).encode()));
      } else if (part.getString("text") != null && !Boolean.TRUE.equals(part.getBoolean("thought"))) {
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
    return GeminiAdapter.usageOf(metadataOrEmpty(), finished && metadata != null);
  }

  @Override
  public String outputText() {
    return chunks.outputText();
  }

  @Override
  public boolean finished() {
    return finished;
  }

  @Override
  public UpstreamError error() {
    return error;
  }
}
