package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.http.CtxKeys;
import dev.tollgate.gateway.http.GatewayError;
import dev.tollgate.gateway.http.GatewayRequest;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.provider.ChatResult;
import dev.tollgate.gateway.provider.EmbeddingsAdapter;
import dev.tollgate.gateway.provider.ProviderAdapter;
import dev.tollgate.gateway.provider.ProviderEndpoint;
import dev.tollgate.gateway.provider.ProviderRegistry;
import dev.tollgate.gateway.provider.SseEvent;
import dev.tollgate.gateway.provider.SseParser;
import dev.tollgate.gateway.provider.StreamTranslator;
import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.gateway.provider.Usage;
import dev.tollgate.gateway.store.CredentialKeyring;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal handler of chat completions and embeddings: tries the route's targets in order,
 * moving on for the route's fallback triggers while nothing has reached the client, and finishes
 * the request's outcome exactly once (success, upstream failure, or the client going away) so that
 * settle charges what was produced.
 */
public final class RouteHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(RouteHandler.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final RoutePlanner planner;
  private final ProviderRegistry providers;
  private final UpstreamCaller caller;
  private final CredentialKeyring keyring;
  private final TokenEstimator tokens;
  private final GatewayMetrics metrics;

  public RouteHandler(RoutePlanner planner, ProviderRegistry providers, UpstreamCaller caller,
      CredentialKeyring keyring, TokenEstimator tokens, GatewayMetrics metrics) {
    this.planner = planner;
    this.providers = providers;
    this.caller = caller;
    this.keyring = keyring;
    this.tokens = tokens;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    GatewayRequest req = ctx.get(CtxKeys.REQUEST);
    new Call(ctx, req, planner.order(req.route()), RoutePlanner.timeouts(req.plan())).attempt(0);
  }

  /** The attempts of one request. Runs on the request's event loop only. */
  private final class Call {
    private final RoutingContext ctx;
    private final GatewayRequest req;
    private final List<RoutePlan.Target> targets;
    private final RoutePlan.Timeouts timeouts;
    private int attempts;
    private String providerName;
    private RoutePlan.Target target;

    Call(RoutingContext ctx, GatewayRequest req, List<RoutePlan.Target> targets, RoutePlan.Timeouts timeouts) {
      this.ctx = ctx;
      this.req = req;
      this.targets = targets;
      this.timeouts = timeouts;
    }

    void attempt(int i) {
      target = targets.get(i);
      providerName = target.provider();
      RoutePlan.Provider provider = req.plan().providers().get(providerName);
      ProviderAdapter adapter = provider == null ? null : providers.get(provider.type());
      if (adapter == null) {
        LOG.warn("route policy {} target {} names an unknown provider or type", req.plan().policy(), providerName);
        failed(i, new UpstreamError(0, UpstreamError.Kind.CONNECT_ERROR, "provider '" + providerName + "' is not configured", -1));
        return;
      }
      UpstreamRequest upstream;
      try {
        String credential = provider.sealedCredential() == null ? null : keyring.open(req.plan().policy(), provider.sealedCredential());
        ProviderEndpoint endpoint = new ProviderEndpoint(
            providerName, provider.type(), provider.baseUrl(), provider.apiVersion(), credential, provider.headers());
        if (req.endpoint() == GatewayRequest.Endpoint.EMBEDDINGS) {
          if (!(adapter instanceof EmbeddingsAdapter emb)) {
            finishWith(GatewayError.invalidRequest("The model '" + req.model() + "' does not support embeddings.", "model"));
            return;
          }
          upstream = emb.embeddingsRequest(endpoint, target.model(), req.body());
        } else {
          upstream = adapter.chatRequest(endpoint, target.model(), req.body(), req.stream());
        }
      } catch (IllegalStateException e) {
        LOG.error("request {}: {}", req.id(), e.getMessage());
        failed(i, new UpstreamError(0, UpstreamError.Kind.CONNECT_ERROR, "provider '" + providerName + "' credentials unavailable", -1));
        return;
      }
      attempts++;
      caller.open(upstream, timeouts).onComplete(ar -> {
        if (ar.failed()) {
          failed(i, ((UpstreamException) ar.cause()).error());
          return;
        }
        UpstreamCaller.Exchange ex = ar.result();
        HttpClientResponse resp = ex.response();
        if (resp.statusCode() / 100 != 2) {
          ex.body().onComplete(b -> {
            ex.done();
            String text = b.succeeded() ? truncate(b.result()) : "";
            failed(i, adapter.classifyError(resp.statusCode(), text, resp.getHeader("retry-after")));
          });
          return;
        }
        if (req.stream()) {
          new Stream(this, i, ex, adapter.streamTranslator(req.model())).start();
        } else {
          complete(i, ex, adapter);
        }
      });
    }

    /** One attempt failed before anything reached the client: next target, or the error. */
    void failed(int i, UpstreamError error) {
      metrics.attempt(providerName, error.kind().trigger());
      boolean more = i + 1 < targets.size() && attempts < req.plan().retry().maxAttempts();
      if (more && RoutePlanner.triggers(req.route(), error)) {
        LOG.info("request {}: {} failed ({}), trying the next target", req.id(), providerName, error.kind().trigger());
        attempt(i + 1);
        return;
      }
      LOG.warn("request {}: upstream {} failed after {} attempt(s): {} {}", req.id(), providerName, attempts,
          error.kind().trigger(), error.message());
      String msg = "Upstream '" + providerName + "' failed after " + attempts + " attempt(s): " + error.message();
      GatewayError g = switch (error.kind()) {
        case TIMEOUT -> GatewayError.upstreamTimeout(msg);
        case CLIENT_ERROR, CONTEXT_LENGTH -> GatewayError.of(error.status(), "invalid_request_error",
            error.kind() == UpstreamError.Kind.CONTEXT_LENGTH ? "context_length_exceeded" : "upstream_invalid_request", msg);
        default -> GatewayError.upstreamError(msg);
      };
      finishWith(g);
    }

    private void finishWith(GatewayError g) {
      req.finish(new Outcome(g.status(), g.code(), Usage.NONE, providerName, target, attempts));
      ctx.fail(g);
    }

    private void complete(int i, UpstreamCaller.Exchange ex, ProviderAdapter adapter) {
      ex.body().onComplete(b -> {
        ex.done();
        if (b.failed()) {
          failed(i, ((UpstreamException) b.cause()).error());
          return;
        }
        ChatResult result;
        try {
          JsonObject json = b.result().toJsonObject();
          result = req.endpoint() == GatewayRequest.Endpoint.EMBEDDINGS
              ? ((EmbeddingsAdapter) adapter).embeddingsResponse(json, req.model())
              : adapter.chatResponse(json, req.model());
        } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
          failed(i, new UpstreamError(200, UpstreamError.Kind.SERVER_ERROR, "upstream answered an unreadable body", -1));
          return;
        }
        metrics.attempt(providerName, "ok");
        Usage usage = result.usage().reportedByProvider() ? result.usage() : new Usage(req.promptTokens(), countOutput(result.openAiBody()), false);
        HttpServerResponse out = headers(ctx.response().setStatusCode(200)).putHeader("content-type", "application/json");
        // the provider charged for this even if the client has gone: bill it either way
        req.finish(new Outcome(200, null, usage, providerName, target, attempts));
        if (!out.closed()) {
          out.end(result.openAiBody().toBuffer());
        }
      });
    }

    private long countOutput(JsonObject body) {
      long n = 0;
      if (body.getValue("choices") instanceof JsonArray choices) {
        for (Object c : choices) {
          if (c instanceof JsonObject choice && choice.getValue("message") instanceof JsonObject m) {
            n += tokens.count(m.getString("content", ""));
          }
        }
      }
      return n;
    }

    HttpServerResponse headers(HttpServerResponse out) {
      req.rateLimitHeaders().forEach(out::putHeader);
      return out.putHeader("x-tollgate-provider", providerName)
          .putHeader("x-tollgate-model", target.model())
          .putHeader("x-tollgate-attempts", Integer.toString(attempts));
    }
  }

  /** One streaming response: upstream SSE in, OpenAI chunks out, chunk by chunk. */
  private final class Stream {
    private final Call call;
    private final int index;
    private final UpstreamCaller.Exchange ex;
    private final StreamTranslator translator;
    private final SseParser parser = new SseParser();
    private final HttpServerResponse out;
    private final boolean clientWantsUsage;
    private boolean started;
    private boolean done;

    Stream(Call call, int index, UpstreamCaller.Exchange ex, StreamTranslator translator) {
      this.call = call;
      this.index = index;
      this.ex = ex;
      this.translator = translator;
      this.out = call.ctx.response();
      JsonObject opts = call.req.body().getValue("stream_options") instanceof JsonObject o ? o : null;
      this.clientWantsUsage = opts != null && Boolean.TRUE.equals(opts.getValue("include_usage"));
    }

    void start() {
      HttpClientResponse up = ex.response();
      up.handler(buf -> {
        if (done) {
          return;
        }
        for (SseEvent e : parser.feed(buf.getBytes())) {
          emit(translator.onEvent(e));
        }
        if (out.writeQueueFull()) {
          up.pause();
          out.drainHandler(v -> up.resume());
        }
      });
      up.exceptionHandler(e -> end(ex.failure(e).error()));
      up.endHandler(v -> {
        SseEvent last = parser.flush();
        if (last != null) {
          emit(translator.onEvent(last));
        }
        end(null);
      });
      out.closeHandler(v -> clientGone());
      up.resume();
    }

    private void emit(List<String> payloads) {
      for (String p : payloads) {
        if (!clientWantsUsage && p.contains("\"choices\":[]") && p.contains("\"usage\"")) {
          continue; // usage-only final chunk the client did not ask for: we read it, it need not
        }
        if (!started) {
          started = true;
          call.headers(out.setStatusCode(200))
              .putHeader("content-type", "text/event-stream")
              .putHeader("cache-control", "no-cache")
              .setChunked(true);
        }
        out.write("data: " + p + "\n\n");
      }
    }

    private void clientGone() {
      if (done) {
        return;
      }
      done = true;
      ex.cancel(); // stop the provider generating what nobody reads
      metrics.attempt(call.providerName, "client-closed");
      call.req.finish(new Outcome(499, "client_closed", usage(), call.providerName, call.target, call.attempts));
    }

    private void end(UpstreamError failure) {
      if (done) {
        return;
      }
      done = true;
      ex.done();
      UpstreamError error = failure != null ? failure : translator.error();
      boolean complete = error == null && translator.finished();
      if (!started && !complete) {
        // nothing reached the client yet: this attempt may still fall back
        call.failed(index, error != null ? error
            : new UpstreamError(200, UpstreamError.Kind.SERVER_ERROR, "upstream stream ended without data", -1));
        return;
      }
      Usage usage = usage();
      if (!started) {
        call.headers(out.setStatusCode(200)).putHeader("content-type", "text/event-stream").setChunked(true);
      }
      if (complete) {
        metrics.attempt(call.providerName, "ok");
        call.req.finish(new Outcome(200, null, usage, call.providerName, call.target, call.attempts));
        if (!out.closed()) {
          out.end("data: [DONE]\n\n");
        }
        return;
      }
      // cut mid-stream: a well-formed SSE error event, never a silent clean end
      UpstreamError e = error != null ? error : new UpstreamError(0, UpstreamError.Kind.SERVER_ERROR, "upstream stream ended early", -1);
      GatewayError g = e.kind() == UpstreamError.Kind.TIMEOUT
          ? GatewayError.upstreamTimeout("Upstream '" + call.providerName + "' timed out mid-stream.")
          : GatewayError.upstreamError("Upstream '" + call.providerName + "' broke off the stream: " + e.message());
      metrics.attempt(call.providerName, e.kind().trigger());
      call.req.finish(new Outcome(g.status(), g.code(), usage, call.providerName, call.target, call.attempts));
      if (!out.closed()) {
        out.end("data: " + g.toJson().encode() + "\n\n");
      }
    }

    /** The provider's figures if it sent them, else the prompt estimate and the streamed text counted. */
    private Usage usage() {
      Usage u = translator.usage();
      return u.reportedByProvider() ? u : new Usage(call.req.promptTokens(), tokens.count(translator.outputText()), false);
    }
  }

  private static String truncate(Buffer b) {
    return b.length() <= MAX_ERROR_BODY ? b.toString() : b.getString(0, MAX_ERROR_BODY);
  }
}
