package dev.tollgate.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code /healthz} (the process runs), {@code /readyz} (operator started, informers synced: true on a
 * standby too) and {@code /metrics} (Prometheus). Readiness never waits on Redis (ADR 0011).
 */
public final class HealthServer implements AutoCloseable {

  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Serves the endpoints for {@code operator} on {@code port} (0 = any free port).
   *
   * <p>Why {@code /readyz} ignores Redis: a standby must be ready or rolling updates stall, and a probe
   * that pings Redis would flip every replica to not-ready together during a Redis outage (or time out
   * behind Redis' socket timeout) without helping anything: the operator retries by itself and its
   * conditions say RedisUnavailable. Redis reachability is the gauge {@code tollgate_operator_redis_up}.
   */
  public static HealthServer start(int port, TollgateOperator operator, PrometheusMeterRegistry meters) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", ex -> {
      boolean healthy = operator.isHealthy();
      String body = "operator: " + (healthy ? "ok" : "not started or informers unhealthy") + "\n"
          + "role: " + (operator.isLeader() ? "leader" : "standby") + "\n";
      respond(ex, healthy ? 200 : 503, "text/plain", body);
    });
    server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape()));
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tollgate-health");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return new HealthServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
