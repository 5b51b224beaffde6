package dev.tollgate.gateway.http;

import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.provider.anthropic.AnthropicErrors;
import dev.tollgate.gateway.provider.gemini.GoogleErrors;
import dev.tollgate.gateway.routing.Outcome;
import dev.tollgate.gateway.store.RedisUnavailableException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single failure handler: renders every error in the OpenAI envelope with x-request-id; on
 * {@code /v1/messages} and the paths under it in Anthropic's envelope (ADR 0044), on the Gemini
 * API's paths in Google's (ADR 0051): same status and stable code.
 */
public final class ErrorHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);

  private final long maxBodyBytes;
  private final GatewayMetrics metrics;

  public ErrorHandler(long maxBodyBytes, GatewayMetrics metrics) {
    this.maxBodyBytes = maxBodyBytes;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayError error = toError(ctx);
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    if (req != null) {
      req.finish(Outcome.rejected(error.status(), error.code()));
      metrics.rejected(req, error.code());
    }
    HttpServerResponse resp = ctx.response();
    if (resp.headWritten()) {
      // a stream already started: nothing sane can be added; close it
      resp.reset();
      return;
    }
    resp.setStatusCode(error.status()).putHeader("content-type", "application/json");
    if (req != null) {
      req.rateLimitHeaders().forEach(resp::putHeader);
    }
    error.headers().forEach(resp::putHeader);
    String path = ctx.request().path();
    JsonObject body = anthropic(path) ? AnthropicErrors.envelope(error.toJson(), error.status())
        : google(ctx.request().method().name(), path) ? GoogleErrors.envelope(error.toJson(), error.status(), error.headers().get("retry-after"))
        : error.toJson();
    resp.end(body.toBuffer());
  }

  /** Anthropic clients call {@code /v1/messages} and paths under it, unknown ones included (ADR 0044). */
  static boolean anthropic(String path) {
    return path != null && (path.equals("/v1/messages") || path.startsWith("/v1/messages/"));
  }

  /**
   * Gemini API clients call {@code /v1beta/…} (every path under it, unknown ones included) and
   * {@code POST /v1/models/{model}:{method}} (ADR 0051); OpenAI's {@code GET /v1/models/{model}}
   * keeps OpenAI's envelope, fine-tuned names with colons ({@code ft:gpt-4o-mini:org::id}) included.
   */
  static boolean google(String method, String path) {
    return path != null && (path.startsWith("/v1beta/")
        || "POST".equals(method) && path.startsWith("/v1/models/") && path.indexOf(':') > 0);
  }

  private GatewayError toError(RoutingContext ctx) {
    Throwable f = ctx.failure();
    if (f instanceof GatewayError g) {
      return g;
    }
    if (f instanceof RedisUnavailableException) {
      return GatewayError.redisUnavailable();
    }
    int status = ctx.statusCode();
    if (status == 413) {
      return GatewayError.requestTooLarge(maxBodyBytes);
    }
    if (status == 404) {
      return GatewayError.of(404, "invalid_request_error", "unknown_url",
          "Invalid URL (" + ctx.request().method() + " " + ctx.request().path() + ").");
    }
    if (status == 405) {
      return GatewayError.of(405, "invalid_request_error", "method_not_allowed",
          "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path() + ".");
    }
    if (status == 400) {
      return GatewayError.invalidRequest("Bad request.", null);
    }
    LOG.error("request {} failed", requestId(ctx), f);
    return GatewayError.internal();
  }

  private static String requestId(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    return req == null ? "-" : req.id();
  }
}
