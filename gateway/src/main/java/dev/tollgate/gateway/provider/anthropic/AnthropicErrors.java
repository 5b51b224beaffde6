package dev.tollgate.gateway.provider.anthropic;

import io.vertx.core.json.JsonObject;

/**
 * The gateway's errors in Anthropic's envelope, for clients of {@code /v1/messages} (ADR 0044):
 * {@code {"type":"error","error":{"type":<Anthropic type>,"message",...}}}, where the error object
 * also carries the gateway's stable {@code code}, {@code param} and details, as in the OpenAI
 * envelope. Anthropic SDKs read {@code error.type} and {@code error.message} and ignore the rest.
 */
public final class AnthropicErrors {

  private AnthropicErrors() {}

  /** {@code openAiEnvelope} ({@code {"error":{message,type,param,code,...}}}) for an HTTP {@code status}. */
  public static JsonObject envelope(JsonObject openAiEnvelope, int status) {
    JsonObject error = new JsonObject().put("type", typeOf(status));
    openAiEnvelope.getJsonObject("error", new JsonObject()).forEach(e -> {
      if (!"type".equals(e.getKey())) {
        error.put(e.getKey(), e.getValue());
      }
    });
    return new JsonObject().put("type", "error").put("error", error);
  }

  /** The error {@code type} Anthropic uses for an HTTP status (the inverse of its status table). */
  static String typeOf(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 504 -> "timeout_error";
      case 529 -> "overloaded_error";
      default -> status / 100 == 4 ? "invalid_request_error" : "api_error";
    };
  }
}
