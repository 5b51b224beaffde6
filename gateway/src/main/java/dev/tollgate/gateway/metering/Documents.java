package dev.tollgate.gateway.metering;

import dev.tollgate.gateway.http.GatewayRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Whether a prompt carries a document the gateway cannot count (ADR 0055): a file the provider reads
 * by reference or decodes itself, which it bills by its pages or length, up to the model's context
 * window. Its tokens are unknown before the call, so the reservation bounds the prompt by the
 * target's {@code contextWindow} instead of the tokenizer's estimate. Read from the prompt sections
 * the four APIs define:
 *
 * <ul>
 *   <li>chat completions: a content part of type {@code file} ({@code file_id} or {@code file_data});
 *   <li>the Responses API: an {@code input_file} part ({@code file_id}, {@code file_url} or {@code file_data});
 *   <li>the Messages API: a {@code document} block whose source is {@code base64} (a PDF), {@code url}
 *       or {@code file} (a {@code text} or {@code content} source is counted, see {@link TokenEstimator});
 *   <li>the Gemini API: {@code inlineData} that is not an image (a PDF, audio, video).
 * </ul>
 */
public final class Documents {

  private Documents() {}

  /** True when {@code body}'s prompt holds a document the tokenizer cannot count. */
  public static boolean uncountable(GatewayRequest.Endpoint endpoint, JsonObject body) {
    return switch (endpoint) {
      case CHAT -> any(body.getValue("messages"));
      case RESPONSES -> any(body.getValue("input"));
      case MESSAGES -> any(body.getValue("messages")) || any(body.getValue("system"));
      case GENERATE_CONTENT -> any(body.getValue("contents")) || any(body.getValue("systemInstruction"))
          || any(body.getValue("system_instruction"));
      default -> false;
    };
  }

  /** Whether any object within {@code node} (arrays and objects, depth first) is such a document. */
  private static boolean any(Object node) {
    if (node instanceof JsonArray arr) {
      for (Object v : arr) {
        if (any(v)) {
          return true;
        }
      }
      return false;
    }
    if (!(node instanceof JsonObject o)) {
      return false;
    }
    if (document(o)) {
      return true;
    }
    for (String field : o.fieldNames()) {
      if (any(o.getValue(field))) { // getValue wraps nested maps and lists
        return true;
      }
    }
    return false;
  }

  private static boolean document(JsonObject o) {
    Object type = o.getValue("type");
    if ("file".equals(type) || "input_file".equals(type)) {
      return true;
    }
    if ("document".equals(type) && o.getValue("source") instanceof JsonObject source) {
      Object kind = source.getValue("type");
      return !"text".equals(kind) && !"content".equals(kind);
    }
    for (String inline : new String[] {"inlineData", "inline_data"}) {
      if (o.getValue(inline) instanceof JsonObject data) {
        Object mime = data.getValue("mimeType") != null ? data.getValue("mimeType") : data.getValue("mime_type");
        return !(mime instanceof String m && m.startsWith("image/"));
      }
    }
    return false;
  }
}
