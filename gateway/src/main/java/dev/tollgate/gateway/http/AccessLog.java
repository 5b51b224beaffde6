package dev.tollgate.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.gateway.routing.Outcome;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opt-in access log ({@code TOLLGATE_ACCESS_LOG=json}): one JSON object per {@code /v1/*} (and
 * Gemini's {@code /v1beta/*}) request on the {@code tollgate.access} logger, written once the response has ended and, for an
 * admitted request, once its outcome is known (so a stream logs when it ends, a cut one as 499).
 * It names the key by its resource name and never holds a client key, a header carrying one, a
 * provider credential, a query string, a prompt or an answer.
 */
public final class AccessLog {

  /** The logger operators route (logback.xml gives it its own {@code %msg%n} appender). */
  public static final String LOGGER = "tollgate.access";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final JsonFactory JSON = new JsonFactory();

  private final boolean enabled;

  public AccessLog(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Called once per request by {@link dev.tollgate.gateway.filter.RequestIdFilter}, the first step of
   * every route: when off this is one branch, nothing is built.
   */
  public void watch(RoutingContext ctx, GatewayRequest req) {
    if (!enabled) {
      return;
    }
    String path = ctx.request().path();
    if (path == null || !path.startsWith("/v1/") && !path.startsWith("/v1beta/")) {
      return;
    }
    ctx.addEndHandler(ended -> {
      if (req.admission() != null) {
        // admitted: the route handler (or the admission's safety net) always finishes it; a cut
        // stream's outcome (499) may come just after the connection closes
        req.outcome().onComplete(o -> write(ctx, req, o.result()));
      } else {
        write(ctx, req, req.outcome().isComplete() ? req.outcome().result() : null);
      }
    });
  }

  private static void write(RoutingContext ctx, GatewayRequest req, Outcome o) {
    HttpServerRequest http = ctx.request();
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", Instant.ofEpochMilli(req.startMillis()).toString());
      g.writeStringField("request_id", req.id());
      g.writeStringField("method", http.method().name());
      g.writeStringField("path", http.path());
      boolean closedEarly = o == null && !ctx.response().ended();
      g.writeNumberField("status", o != null ? o.status() : closedEarly ? 499 : ctx.response().getStatusCode());
      String error = o != null ? o.code() : closedEarly ? "client_closed" : null;
      field(g, "error", error);
      if (req.tenant() != null) {
        g.writeStringField("tenant", req.tenant().tenant());
      }
      if (req.apiKey() != null) {
        g.writeStringField("api_key", req.apiKey().keyName());
      }
      field(g, "endpoint", req.endpoint() == null ? null : req.endpoint().label());
      field(g, "model", req.model());
      if (o != null) {
        field(g, "served_model", o.target() == null ? null : o.target().model());
        field(g, "provider", o.provider());
        g.writeNumberField("attempts", o.attempts());
      }
      if (req.body() != null) {
        g.writeBooleanField("stream", req.stream());
      }
      if (o != null && req.admission() != null) {
        // what settle charged: the same usage at the serving target's prices and the tenant's markup
        long cost = o.costMicros();
        g.writeNumberField("tokens_in", o.usage().inputTokens());
        g.writeNumberField("tokens_out", o.usage().outputTokens());
        g.writeNumberField("cost_micros", cost);
        g.writeNumberField("billed_micros", req.tenant().pricing().usageBilledMicros(cost, req.model()));
        g.writeStringField("currency", req.tenant().pricing().currency());
      }
      g.writeNumberField("latency_ms", (System.nanoTime() - req.startNanos()) / 1_000_000);
      SocketAddress remote = http.remoteAddress();
      field(g, "client_address", remote == null ? null : remote.hostAddress());
      field(g, "x_forwarded_for", http.getHeader("x-forwarded-for"));
      field(g, "user_agent", http.getHeader("user-agent"));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    LOG.info(out.toString());
  }

  private static void field(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }
}
