package dev.tollgate.gateway.provider.gemini;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The gateway's errors in Google's envelope, for clients of the Gemini API paths (ADR 0051):
 * {@code {"error":{"code":<HTTP status>,"message","status":<canonical code>,"details":[…]}}}. The
 * gateway's stable code stays visible in a {@code google.rpc.ErrorInfo} detail: {@code reason} is
 * the code in Google's upper case, {@code domain} {@value #DOMAIN}, and {@code metadata} holds the
 * code as it is with {@code param} and the error's other fields (e.g. a 402's cap) as strings. A
 * {@code Retry-After} also becomes a {@code google.rpc.RetryInfo} detail, which Gemini CLI reads.
 */
public final class GoogleErrors {

  /** The ErrorInfo domain of the gateway's own errors. */
  public static final String DOMAIN = "tollgate.dev";

  private GoogleErrors() {}

  /**
   * {@code openAiEnvelope} ({@code {"error":{message,type,param,code,...}}}) for an HTTP {@code
   * status}, with {@code retryAfterSeconds} as RetryInfo (null: none).
   */
  public static JsonObject envelope(JsonObject openAiEnvelope, int status, String retryAfterSeconds) {
    JsonObject error = openAiEnvelope.getJsonObject("error", new JsonObject());
    String code = error.getValue("code") instanceof String c ? c : "internal_error";
    JsonObject metadata = new JsonObject();
    error.forEach(e -> {
      if (e.getValue() != null && !"message".equals(e.getKey()) && !"type".equals(e.getKey())) {
        metadata.put(e.getKey(), e.getValue() instanceof String s ? s : String.valueOf(e.getValue()));
      }
    });
    JsonArray details = new JsonArray().add(new JsonObject()
        .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
        .put("reason", code.toUpperCase(Locale.ROOT))
        .put("domain", DOMAIN)
        .put("metadata", metadata));
    if (retryAfterSeconds != null) {
      details.add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.RetryInfo")
          .put("retryDelay", retryAfterSeconds + "s"));
    }
    return new JsonObject().put("error", new JsonObject()
        .put("code", status)
        .put("message", error.getString("message", ""))
        .put("status", statusOf(status))
        .put("details", details));
  }

  /** Google's canonical status for an HTTP status (the gRPC-HTTP mapping; 402 is a quota running out). */
  static String statusOf(int status) {
    return switch (status) {
      case 401 -> "UNAUTHENTICATED";
      case 402, 429 -> "RESOURCE_EXHAUSTED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 405 -> "UNIMPLEMENTED";
      case 409 -> "ABORTED";
      case 499 -> "CANCELLED";
      case 502, 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> status / 100 == 4 ? "INVALID_ARGUMENT" : "INTERNAL";
    };
  }
}
