package dev.tollgate.gateway.http;

import dev.tollgate.gateway.filter.AdmissionFilter;
import dev.tollgate.gateway.filter.AuthFilter;
import dev.tollgate.gateway.filter.ModelFilter;
import dev.tollgate.gateway.filter.ParseFilter;
import dev.tollgate.gateway.filter.PreviousResponseFilter;
import dev.tollgate.gateway.filter.RequestIdFilter;
import dev.tollgate.gateway.filter.UploadBodyFilter;
import dev.tollgate.gateway.metering.UsageHandler;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.routing.ModelsHandler;
import dev.tollgate.gateway.routing.RouteHandler;
import dev.tollgate.gateway.routing.StoredResponseHandler;
import dev.tollgate.gateway.store.RedisStore;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;

/**
 * The only place the request chain is assembled:
 * requestId → body limit → auth → parse → model authorization + route (on {@code /v1/responses}
 * then pinned to the provider that stored {@code previous_response_id}) → admission (rate limits +
 * reservation, settle wired) → route handler ({@code GET /v1/models}, {@code GET /v1/tollgate/usage}
 * and a stored response's paths: requestId → auth → handler); one failure handler renders every error (in
 * Anthropic's envelope on {@code /v1/messages} and every path under it, ADR 0044; in Google's on the
 * Gemini API's paths, ADR 0051).
 */
public final class GatewayRouter {

  private GatewayRouter() {}

  /** The filters and handlers a router is built from. */
  public record Chain(
      AuthFilter auth,
      ModelFilter model,
      AdmissionFilter admission,
      RouteHandler route,
      ModelsHandler models,
      UsageHandler usage,
      PreviousResponseFilter previousResponse,
      StoredResponseHandler storedResponses,
      RedisStore redis,
      GatewayMetrics metrics,
      AccessLog accessLog,
      long maxBodyBytes,
      long maxAudioBodyBytes,
      long audioMinBitrate) {}

  /** A Gemini model's path: its name (group {@code model}) under {@code /v1beta/models/} or {@code /v1/models/}. */
  static final String GEMINI_MODEL = "/v1(?:beta)?/models/(?<model>[^/:]+)";

  private static void metered(Route route, GatewayRequest.Endpoint endpoint, Chain c, Handler<RoutingContext> body,
      ParseFilter parse) {
    route.handler(new RequestIdFilter(endpoint, c.accessLog()))
        // an audio upload is kept as received, within its own limit (ADR 0054)
        .handler(endpoint.upload() ? new UploadBodyFilter(c.maxAudioBodyBytes()) : body)
        .handler(c.auth())
        .handler(parse)
        .handler(c.model())
        // a continued response goes to the provider entry that stored it (ADR 0050)
        .handler(endpoint == GatewayRequest.Endpoint.RESPONSES ? c.previousResponse() : RoutingContext::next)
        .handler(c.admission())
        .handler(c.route());
  }

  public static Router create(Vertx vertx, Chain c) {
    Router router = Router.router(vertx);
    ParseFilter parse = new ParseFilter(c.audioMinBitrate());
    BodyHandler body = BodyHandler.create(false).setBodyLimit(c.maxBodyBytes());

    // the metered endpoints share the whole chain (count_tokens: admission counts RPM only)
    Map.ofEntries(Map.entry("/v1/chat/completions", GatewayRequest.Endpoint.CHAT),
            Map.entry("/v1/completions", GatewayRequest.Endpoint.COMPLETIONS),
            Map.entry("/v1/embeddings", GatewayRequest.Endpoint.EMBEDDINGS),
            Map.entry("/v1/moderations", GatewayRequest.Endpoint.MODERATIONS),
            Map.entry("/v1/images/generations", GatewayRequest.Endpoint.IMAGES),
            Map.entry("/v1/audio/speech", GatewayRequest.Endpoint.SPEECH),
            Map.entry("/v1/audio/transcriptions", GatewayRequest.Endpoint.TRANSCRIPTIONS),
            Map.entry("/v1/audio/translations", GatewayRequest.Endpoint.TRANSLATIONS),
            Map.entry("/v1/responses", GatewayRequest.Endpoint.RESPONSES),
            Map.entry("/v1/messages", GatewayRequest.Endpoint.MESSAGES),
            Map.entry("/v1/messages/count_tokens", GatewayRequest.Endpoint.COUNT_TOKENS))
        .forEach((path, endpoint) -> metered(router.post(path), endpoint, c, body, parse));
    // Google's Gemini API (ADR 0051): the model and the method are in the path, {@code /v1beta} or {@code /v1}
    Map.of(GEMINI_MODEL + ":(?<method>generateContent|streamGenerateContent)", GatewayRequest.Endpoint.GENERATE_CONTENT,
            GEMINI_MODEL + ":(?<method>countTokens)", GatewayRequest.Endpoint.GEMINI_COUNT_TOKENS)
        .forEach((regex, endpoint) -> metered(router.postWithRegex(regex), endpoint, c, body, parse));
    // a stored response: RPM only, nothing reserved or billed, the tenant's own ids only (ADR 0050)
    storedResponse(router, c, HttpMethod.GET, "/v1/responses/:id", GatewayRequest.Endpoint.RESPONSE_RETRIEVE);
    storedResponse(router, c, HttpMethod.GET, "/v1/responses/:id/input_items", GatewayRequest.Endpoint.RESPONSE_INPUT_ITEMS);
    storedResponse(router, c, HttpMethod.DELETE, "/v1/responses/:id", GatewayRequest.Endpoint.RESPONSE_DELETE);
    storedResponse(router, c, HttpMethod.POST, "/v1/responses/:id/cancel", GatewayRequest.Endpoint.RESPONSE_CANCEL);
    router.get("/v1/models")
        .handler(new RequestIdFilter(GatewayRequest.Endpoint.MODELS, c.accessLog()))
        .handler(c.auth())
        .handler(c.models());
    // one model (the SDKs' models.retrieve); a regex so that names with slashes (org/model) match
    router.getWithRegex("/v1/models/(.+)")
        .handler(new RequestIdFilter(GatewayRequest.Endpoint.MODELS, c.accessLog()))
        .handler(c.auth())
        .handler(c.models());
    // the key's own budget and usage: under a vendor segment so no OpenAI path can collide with it;
    // read-only, so no rate limit counted and nothing reserved (docs/gateway.md)
    router.get("/v1/tollgate/usage")
        .handler(new RequestIdFilter(GatewayRequest.Endpoint.USAGE, c.accessLog()))
        .handler(c.auth())
        .handler(c.usage());

    router.get("/healthz").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "ok").toBuffer()));
    router.get("/readyz").handler(ctx -> {
      boolean ready = c.redis().reachable();
      ctx.response().setStatusCode(ready ? 200 : 503).putHeader("content-type", "application/json")
          .end(new JsonObject().put("status", ready ? "ready" : "not ready").put("redis", ready ? "up" : "unreachable").toBuffer());
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(c.metrics().scrape()));

    // every other path still gets an id and the OpenAI envelope
    router.route().handler(new RequestIdFilter(null, c.accessLog())).handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new ErrorHandler(c.maxBodyBytes(), c.metrics()));
    return router;
  }

  private static void storedResponse(Router router, Chain c, HttpMethod method, String path, GatewayRequest.Endpoint endpoint) {
    router.route(method, path)
        .handler(new RequestIdFilter(endpoint, c.accessLog()))
        .handler(c.auth())
        .handler(c.storedResponses());
  }
}
