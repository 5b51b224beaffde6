package dev.tollgate.gateway.provider.gemini;

import dev.tollgate.gateway.provider.OpenAiWire;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Tool call ids for Gemini function calls. Gemini 3 rejects a function-calling history whose calls
 * lack the {@code thoughtSignature} it returned, and OpenAI clients echo only the tool call id, so
 * the signature travels inside the id after {@value #SEPARATOR} (LiteLLM's convention).
 */
final class GeminiToolIds {

  static final String SEPARATOR = "__thought__";

  /**
   * Google's documented placeholder for histories whose signatures are unknown (for example a
   * conversation that started on another provider), base64 as the JSON bytes field requires.
   */
  static final String SKIP_VALIDATOR =
      Base64.getEncoder()
          .encodeToString("skip_thought_signature_validator".getBytes(StandardCharsets.UTF_8));

  private GeminiToolIds() {}

  /** The OpenAI tool call id for a Gemini function call. */
  static String toOpenAi(String geminiId, String thoughtSignature) {
    String id = geminiId == null || geminiId.isEmpty() ? OpenAiWire.newToolCallId() : geminiId;
    return thoughtSignature == null ? id : id + SEPARATOR + thoughtSignature;
  }

  /** The thought signature carried by an OpenAI tool call id, or null. */
  static String signatureOf(String openAiId) {
    if (openAiId == null) {
      return null;
    }
    int at = openAiId.indexOf(SEPARATOR);
    return at < 0 ? null : openAiId.substring(at + SEPARATOR.length());
  }
}
