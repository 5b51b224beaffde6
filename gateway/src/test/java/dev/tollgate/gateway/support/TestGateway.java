package dev.tollgate.gateway.support;

import dev.tollgate.gateway.GatewayVerticle;
import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A gateway verticle on a free port against a given Redis, plus a plain JDK HTTP client to call it. */
public final class TestGateway implements AutoCloseable {

  public static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final Vertx vertx;
  private final String deployment;
  public final GatewayVerticle verticle;
  public final GatewayMetrics metrics;

  public TestGateway(Vertx vertx, String redisUrl, Map<String, String> extra) {
    this.vertx = vertx;
    Map<String, String> s = new HashMap<>();
    s.put("TOLLGATE_HTTP_PORT", "0");
    s.put("TOLLGATE_HTTP_HOST", "127.0.0.1");
    s.put("TOLLGATE_REDIS_URL", redisUrl);
    s.put("TOLLGATE_CREDENTIALS_KEY", Seed.CREDENTIALS_KEY);
    s.put("TOLLGATE_REDIS_TIMEOUT", "400ms");
    s.putAll(extra);
    GatewayConfig config = GatewayConfig.fromSettings(s);
    this.metrics = GatewayMetrics.create(50);
    this.verticle = new GatewayVerticle(config, metrics);
    try {
      this.deployment = vertx.deployVerticle(verticle).await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not start", e);
    }
  }

  public TestGateway(Vertx vertx, String redisUrl) {
    this(vertx, redisUrl, Map.of());
  }

  public String url(String path) {
    return "http://127.0.0.1:" + verticle.actualPort() + path;
  }

  public HttpResponse<String> post(String path, String key, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
        .timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("authorization", "Bearer " + key);
    }
    return send(b.build());
  }

  public HttpResponse<String> get(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20)).GET();
    if (key != null) {
      b.header("authorization", "Bearer " + key);
    }
    return send(b.build());
  }

  /** A {@code method} request without a body (e.g. DELETE) with the key as a bearer token. */
  public HttpResponse<String> send(String method, String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (key != null) {
      b.header("authorization", "Bearer " + key);
    }
    return send(b.build());
  }

  /** POSTs a JSON {@code body} to {@code path} with the given header name/value pairs (no key added). */
  public HttpResponse<String> postWithHeaders(String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  private static HttpResponse<String> send(HttpRequest r) {
    try {
      return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Posts a streaming chat request over a raw socket, reads until {@code lines} SSE data lines
   * arrived, then hangs up mid-stream, as a client that goes away does. Returns the lines seen.
   */
  public int readThenHangUp(String key, String body, int lines) {
    return readThenHangUp("/v1/chat/completions", key, body, lines);
  }

  /** As {@link #readThenHangUp(String, String, int)}, on another streaming endpoint. */
  public int readThenHangUp(String path, String key, String body, int lines) {
    java.net.URI uri = java.net.URI.create(url(path));
    int seen = 0;
    try (java.net.Socket s = new java.net.Socket(uri.getHost(), uri.getPort())) {
      byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + key + "\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      java.io.BufferedReader in = new java.io.BufferedReader(
          new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      for (String line; seen < lines && (line = in.readLine()) != null; ) {
        if (line.startsWith("data: ")) {
          seen++;
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return seen;
  }

  /** A minimal chat body. */
  public static String chat(String model, Integer maxTokens, boolean stream) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
        + (maxTokens == null ? "" : ",\"max_tokens\":" + maxTokens)
        + (stream ? ",\"stream\":true" : "") + "}";
  }

  @Override
  public void close() {
    try {
      vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the test is over anyway
    }
  }
}
