package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.gateway.provider.UpstreamRequest;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.gateway.provider.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends an {@link UpstreamRequest} with the Vert.x HTTP client under three timeouts: connect, first
 * byte (until the response head arrives) and total (the whole exchange, streams included; the
 * request is reset when it fires). Failures become {@link UpstreamException}s classified as
 * fallback triggers.
 */
public final class UpstreamCaller {

  private final Vertx vertx;
  private final HttpClient client;
  private final long maxAnswerBytes;

  /**
   * @param maxAnswerBytes the largest answer body (or stream event) read into memory; a provider
   *     sending more fails the attempt as a server error instead of exhausting the heap
   */
  public UpstreamCaller(Vertx vertx, long maxAnswerBytes) {
    this.vertx = vertx;
    this.maxAnswerBytes = maxAnswerBytes;
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setMaxInitialLineLength(8192)
            .setKeepAliveTimeout(30),
        new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(10_000));
  }

  /** One exchange with a provider; {@link #cancel()} resets it (client gone, or total timeout). */
  public final class Exchange {
    private HttpClientRequest request;
    private HttpClientResponse response;
    private long totalTimer = -1;
    private boolean timedOut;

    public HttpClientResponse response() {
      return response;
    }

    public boolean timedOut() {
      return timedOut;
    }

    /** Stops the exchange and its total timer. Idempotent. */
    public void cancel() {
      done();
      if (request != null) {
        request.reset();
      }
    }

    /** The exchange ended normally: stop the total timer. */
    public void done() {
      if (totalTimer >= 0) {
        vertx.cancelTimer(totalTimer);
        totalTimer = -1;
      }
    }

    /**
     * Reads the whole body (non-streaming answers and error bodies). A streaming request's response
     * arrives paused ({@link #open}); an error answer to it is read whole, so it is resumed here, after
     * the body's handlers are in place, or its body would never come.
     */
    public Future<Buffer> body() {
      Promise<Buffer> body = Promise.promise();
      String length = response.getHeader("content-length");
      if (length != null && length.length() < 19 && Long.parseLong(length.strip()) > maxAnswerBytes) {
        tooLarge(body);
        return body.future();
      }
      Buffer whole = Buffer.buffer();
      response.handler(chunk -> {
        if (whole.length() + (long) chunk.length() > maxAnswerBytes) {
          tooLarge(body);
        } else if (!body.future().isComplete()) {
          whole.appendBuffer(chunk);
        }
      });
      response.exceptionHandler(e -> body.tryFail(UpstreamCaller.failure(this, e)));
      response.endHandler(v -> body.tryComplete(whole));
      response.resume();
      return body.future();
    }

    /** The answer is bigger than the gateway holds: drop the connection, fail the attempt (a fallback trigger). */
    private void tooLarge(Promise<Buffer> body) {
      if (body.tryFail(new UpstreamException(new UpstreamError(
          200, UpstreamError.Kind.SERVER_ERROR, "upstream answer larger than " + maxAnswerBytes + " bytes", -1)))) {
        cancel();
      }
    }

    /** A stream's event parser, bounded like {@link #body()}. */
    public SseParser sseParser() {
      return new SseParser(maxAnswerBytes);
    }

    /** Maps a failure while reading the response into an {@link UpstreamException}. */
    public UpstreamException failure(Throwable e) {
      return UpstreamCaller.failure(this, e);
    }
  }

  /**
   * Connects and sends; completes when the response head arrives. A streaming response is paused:
   * the caller sets its handlers, then resumes it.
   */
  public Future<Exchange> open(UpstreamRequest req, RoutePlan.Timeouts t) {
    return open(req, HttpMethod.POST, t);
  }

  /** As {@link #open(UpstreamRequest, RoutePlan.Timeouts)} with another method (a stored response's GET or DELETE: no body). */
  public Future<Exchange> open(UpstreamRequest req, HttpMethod method, RoutePlan.Timeouts t) {
    Exchange ex = new Exchange();
    Target target = target(req.url());
    RequestOptions opts = new RequestOptions()
        .setHost(target.host)
        .setPort(target.port)
        .setSsl(target.ssl)
        .setURI(target.uri)
        .setMethod(method)
        .setConnectTimeout(t.connectMs());
    req.headers().forEach(opts::putHeader);
    return client.request(opts)
        .recover(e -> Future.failedFuture(failure(ex, e)))
        .compose(hreq -> {
          ex.request = hreq;
          ex.totalTimer = vertx.setTimer(t.totalMs(), id -> {
            ex.totalTimer = -1;
            ex.timedOut = true;
            hreq.reset();
          });
          Buffer payload = req.payload();
          return (payload == null ? hreq.send() : hreq.send(payload))
              .timeout(t.firstByteMs(), TimeUnit.MILLISECONDS)
              .map(resp -> {
                if (req.stream()) {
                  resp.pause();
                }
                ex.response = resp;
                return ex;
              })
              .recover(e -> {
                ex.cancel();
                return Future.failedFuture(failure(ex, e));
              });
        });
  }

  /** An upstream URL's parts, parsed once per URL instead of once per request. */
  private record Target(String host, int port, boolean ssl, String uri) {}

  /** Bounded: URLs come from route plans; a stream of new ones rebuilds the cache, it does not grow. */
  private static final int MAX_TARGETS = 1024;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();

  private Target target(String url) {
    Target t = targets.get(url);
    if (t == null) {
      URI u = URI.create(url);
      boolean ssl = "https".equalsIgnoreCase(u.getScheme());
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      t = new Target(u.getHost(), u.getPort() >= 0 ? u.getPort() : ssl ? 443 : 80, ssl,
          u.getRawQuery() == null ? path : path + "?" + u.getRawQuery());
      if (targets.size() >= MAX_TARGETS) {
        targets.clear();
      }
      targets.put(url, t);
    }
    return t;
  }

  private static UpstreamException failure(Exchange ex, Throwable e) {
    if (e instanceof UpstreamException u) {
      return u;
    }
    String name = e.getClass().getSimpleName();
    // connect, first-byte and total timeouts are all the "timeout" trigger (Netty's
    // ConnectTimeoutException included); refused or reset connections are "connect-error"
    boolean timeout = ex.timedOut || e instanceof TimeoutException || name.contains("Timeout");
    if (timeout) {
      return new UpstreamException(new UpstreamError(0, UpstreamError.Kind.TIMEOUT, "upstream timed out", -1));
    }
    String msg = e.getMessage() == null ? name : e.getMessage();
    return new UpstreamException(new UpstreamError(0, UpstreamError.Kind.CONNECT_ERROR, "cannot reach upstream: " + msg, -1));
  }

  public Future<Void> close() {
    return client.close();
  }
}
