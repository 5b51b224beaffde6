package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.OpenAiWire;
import dev.tollgate.gateway.provider.PassThroughStream;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A {@code streamGenerateContent?alt=sse} stream passed through to a Gemini API client (ADR 0051):
 * chunks go on unchanged but for {@code modelVersion} (the client's model name), the last {@code
 * usageMetadata} carried is the usage, a chunk whose candidate has a {@code finishReason} (or a
 * blocked prompt) marks the normal end, and text, thought and function-call parts are kept to count
 * when no usage ever comes. The provider's {@code {"error":…}} chunk is not passed on: it becomes the
 * stream's error, which the router falls back on (nothing sent yet) or ends the client's stream with
 * as one {@link #errorFrame}.
 */
final class GenerateContentStream extends PassThroughStream {

  private final String model;
  private JsonObject metadata;

  GenerateContentStream(String model) {
    this.model = model;
  }

  @Override
  public List<String> onEvent(SseEvent event) {
    JsonObject data = OpenAiWire.parseObjectOrNull(event.data());
    if (data == null || error != null) {
      return List.of();
    }
    if (data.getValue("error") instanceof JsonObject err) {
      error = GeminiAdapter.classify(err.getValue("code") instanceof Number n ? n.intValue() : 500, err, -1);
      return List.of();
    }
    if (data.getValue("usageMetadata") instanceof JsonObject usage) {
      metadata = usage;
    }
    JsonArray candidates = data.getValue("candidates") instanceof JsonArray c ? c : new JsonArray();
    for (Object c : candidates) {
      if (c instanceof JsonObject candidate) {
        for (Object p : GeminiAdapter.partsOf(candidate)) {
          if (p instanceof JsonObject part) {
            output.append(part.getValue("text") instanceof String t ? t : "");
            output.append(part.getValue("functionCall") instanceof JsonObject call ? call.encode() : "");
          }
        }
        String reason = candidate.getValue("finishReason") instanceof String r ? r : null;
        finished |= reason != null && !"FINISH_REASON_UNSPECIFIED".equals(reason);
      }
    }
    finished |= candidates.isEmpty() && data.getValue("promptFeedback") instanceof JsonObject f
        && f.getValue("blockReason") != null;
    if (data.containsKey("modelVersion")) {
      data.put("modelVersion", model);
    }
    return List.of("data: " + data.encode());
  }

  /**
   * Google's error envelope as one more chunk: the Google GenAI SDKs raise on a chunk with an {@code
   * error}, so a client cannot take a cut stream for a whole one.
   */
  @Override
  public String errorFrame(JsonObject envelope) {
    String code = envelope.getJsonObject("error", new JsonObject()).getString("code", "");
    return "data: " + GoogleErrors.envelope(envelope, "upstream_timeout".equals(code) ? 504 : 502, null).encode() + "\n\n";
  }

  @Override
  public Usage usage() {
    return GeminiAdapter.streamUsage(metadata, finished);
  }
}
