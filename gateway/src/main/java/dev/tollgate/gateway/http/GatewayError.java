package dev.tollgate.gateway.http;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error a client sees, in OpenAI's envelope {@code {"error":{"message","type","param","code"}}}.
 * Codes are stable and listed in {@code docs/errors.md}; {@code details} are extra fields inside the
 * error object (e.g. which spend cap was hit). Filters fail the context with one; {@link ErrorHandler}
 * renders it.
 */
public final class GatewayError extends RuntimeException {

  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final JsonObject details;
  private final Map<String, String> headers;

  private GatewayError(int status, String type, String code, String message, String param, JsonObject details, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.details = details;
    this.headers = headers;
  }

  public static GatewayError of(int status, String type, String code, String message) {
    return new GatewayError(status, type, code, message, null, null, Map.of());
  }

  public GatewayError withParam(String p) {
    return new GatewayError(status, type, code, getMessage(), p, details, headers);
  }

  public GatewayError withDetails(JsonObject d) {
    return new GatewayError(status, type, code, getMessage(), param, d, headers);
  }

  public GatewayError withHeaders(Map<String, String> h) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putAll(h);
    return new GatewayError(status, type, code, getMessage(), param, details, all);
  }

  public static GatewayError invalidJson(String message) {
    return of(400, "invalid_request_error", "invalid_json", message);
  }

  /**
   * The request names state kept in the provider account the gateway calls with (a Gemini file by
   * URI, a context cache): not the tenant's, and not boundable by a reservation (ADR 0051).
   */
  public static GatewayError providerStateNotSupported(String message, String param) {
    return of(400, "invalid_request_error", "provider_state_not_supported", message).withParam(param);
  }

  public static GatewayError invalidRequest(String message, String param) {
    return of(400, "invalid_request_error", "invalid_request", message).withParam(param);
  }

  public static GatewayError requestTooLarge(long limit) {
    return of(413, "invalid_request_error", "request_too_large", "Request body is larger than " + limit + " bytes.");
  }

  public static GatewayError invalidApiKey() {
    return of(401, "invalid_request_error", "invalid_api_key",
        "Incorrect or missing API key. Pass it as 'Authorization: Bearer <key>' (on /v1/messages also as 'x-api-key: <key>'; on the Gemini API also as "
            + "'x-goog-api-key: <key>' or '?key=<key>').");
  }

  public static GatewayError apiKeyExpired() {
    return of(401, "invalid_request_error", "api_key_expired", "This API key has expired.");
  }

  public static GatewayError apiKeyRevoked() {
    return of(401, "invalid_request_error", "api_key_revoked", "This API key is suspended or revoked.");
  }

  public static GatewayError tenantSuspended() {
    return of(403, "permission_error", "tenant_suspended", "The account this API key belongs to is suspended.");
  }

  public static GatewayError modelNotAllowed(String model) {
    return of(403, "permission_error", "model_not_allowed", "This API key may not use the model '" + model + "'.")
        .withParam("model");
  }

  public static GatewayError modelNotFound(String model) {
    return of(404, "invalid_request_error", "model_not_found", "The model '" + model + "' does not exist or is not routed.")
        .withParam("model");
  }

  /**
   * The model is routed, but none of its targets' providers serves this endpoint (e.g. the
   * Responses API on an Anthropic- or Gemini-only route).
   */
  public static GatewayError endpointNotSupported(String model, String endpoint) {
    return of(400, "invalid_request_error", "endpoint_not_supported",
        "The model '" + model + "' is not served by any provider that supports the " + endpoint + " API.")
        .withParam("model");
  }

  /**
   * The request enables a tool the provider runs itself and bills per use, which this gateway has
   * no price for (ADR 0047): it could be neither reserved against the caps nor billed.
   */
  public static GatewayError toolNotPriced(String tool, String param) {
    return of(400, "invalid_request_error", "tool_not_priced",
        "The tool '" + tool + "' runs at the provider, which bills each use; this gateway has no price for it, so it "
            + "cannot be used here.").withParam(param);
  }

  /** The request enables the provider's web search, and no eligible target of the model has a price for it. */
  public static GatewayError webSearchNotPriced(String model, String param) {
    return of(400, "invalid_request_error", "tool_not_priced",
        "Web search runs at the provider, which bills each search; no target serving the model '" + model
            + "' has a price for it on this gateway.").withParam(param);
  }

  /**
   * A prompt holding a document the gateway cannot count (a file by id or URL, a PDF, inline audio or
   * video) on a route where no target has a {@code contextWindow} to bound it by (ADR 0055).
   */
  public static GatewayError documentNotBounded(String model) {
    return of(400, "invalid_request_error", "document_not_bounded",
        "The prompt holds a file whose size this gateway cannot count before the call, and no target serving the model '"
            + model + "' has a context window to bound it by.").withParam("model");
  }

  /**
   * An images request that no eligible target of the model has an image price for (none at all,
   * or none for the requested size and quality): it could be neither reserved nor billed (ADR 0049).
   */
  public static GatewayError imageNotPriced(String model, String size, String quality) {
    return of(400, "invalid_request_error", "image_not_priced",
        "No target serving the model '" + model + "' has an image price on this gateway for size '"
            + (size == null ? "auto" : size) + "' and quality '" + (quality == null ? "auto" : quality) + "'.")
        .withParam(size != null || quality != null ? (size != null ? "size" : "quality") : "model");
  }

  /**
   * A streamed image generation: refused, because a stream cut before its {@code
   * image_generation.completed} event carries no usage to bill what was produced (ADR 0049).
   */
  public static GatewayError imageStreamNotSupported() {
    return of(400, "invalid_request_error", "image_stream_not_supported",
        "Streamed image generation is not supported by this gateway; send the request without 'stream'.")
        .withParam("stream");
  }

  /**
   * {@code previous_response_id} names no response this tenant stored through this route policy
   * (unknown, expired, deleted, or another tenant's): OpenAI's own answer, which agents recognise.
   */
  public static GatewayError previousResponseNotFound(String id) {
    return of(400, "invalid_request_error", "previous_response_not_found",
        "Previous response with id '" + id + "' not found.").withParam("previous_response_id");
  }

  /**
   * The previous response is stored at a provider entry that serves none of the requested model's
   * targets: its state cannot be reached from any target the request may use (ADR 0050).
   */
  public static GatewayError previousResponseNotRoutable(String id, String model) {
    return of(400, "invalid_request_error", "previous_response_not_routable",
        "Previous response with id '" + id + "' is stored at a provider that does not serve the model '" + model
            + "' here; continue it with a model of that provider, or send the whole conversation as input.")
        .withParam("previous_response_id");
  }

  /** {@code /v1/responses/<id>}: no response of this tenant has that id (another tenant's included). */
  public static GatewayError responseNotFound(String id) {
    return of(404, "invalid_request_error", "response_not_found", "Response with id '" + id + "' not found.");
  }

  /**
   * {@code background: true}, and cancelling: a background response's usage is only known when
   * someone polls it, so it could not be billed for sure (ADR 0050).
   */
  public static GatewayError backgroundNotSupported(String message) {
    return of(400, "invalid_request_error", "background_not_supported", message).withParam("background");
  }

  /**
   * An audio request that no eligible target of the model has an audio price for (speech: per
   * character or by bounded tokens; transcription: per minute or by bounded tokens): it could be
   * neither reserved nor billed (ADR 0054).
   */
  public static GatewayError audioNotPriced(String model, String what) {
    return of(400, "invalid_request_error", "audio_not_priced",
        "No target serving the model '" + model + "' has a price for " + what + " on this gateway.").withParam("model");
  }

  /**
   * A streamed speech or transcription: refused, because the gateway passes audio answers through
   * whole and bills them from the complete answer (ADR 0054).
   */
  public static GatewayError audioStreamNotSupported(String param, String message) {
    return of(400, "invalid_request_error", "audio_stream_not_supported", message).withParam(param);
  }

  public static GatewayError rateLimited(String message, Map<String, String> headers) {
    return of(429, "rate_limit_error", "rate_limit_exceeded", message).withHeaders(headers);
  }

  public static GatewayError spendCapExceeded(String message, JsonObject details) {
    return of(402, "insufficient_quota", "spend_cap_exceeded", message).withDetails(details);
  }

  public static GatewayError redisUnavailable() {
    return of(503, "api_error", "redis_unavailable", "The gateway cannot reach its data store; try again shortly.");
  }

  public static GatewayError upstreamError(String message) {
    return of(502, "api_error", "upstream_error", message);
  }

  public static GatewayError upstreamTimeout(String message) {
    return of(504, "api_error", "upstream_timeout", message);
  }

  public static GatewayError internal() {
    return of(500, "api_error", "internal_error", "The gateway failed to process the request.");
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The response body. */
  public JsonObject toJson() {
    JsonObject error = new JsonObject()
        .put("message", getMessage())
        .put("type", type)
        .put("param", param)
        .put("code", code);
    if (details != null) {
      details.forEach(e -> error.put(e.getKey(), e.getValue()));
    }
    return new JsonObject().put("error", error);
  }
}
