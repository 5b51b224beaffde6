package dev.tollgate.gateway.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HTTP server on a free loopback port that speaks one provider's wire format, for tests.
 * Each request is recorded, checked like the provider would (path, credential), then answered by
 * the next {@link #enqueue queued} {@link Reply}, else by the {@link #always} reply, else by the
 * provider's default answer (a short text, streamed if the request asked for a stream).
 *
 * <p>As a JUnit extension ({@code @RegisterExtension static final FakeAnthropic FAKE = new
 * FakeAnthropic("key");}) it forgets requests and scripts before each test and closes after all.
 */
public abstract class FakeProvider implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpServer server;
  private final Deque<Reply> queue = new ConcurrentLinkedDeque<>();
  private final List<RecordedRequest> received = new CopyOnWriteArrayList<>();
  private volatile Reply always;

  /** The one credential the fake accepts; each provider checks it in its own header. */
  protected final String apiKey;

  /** A fake accepting {@code apiKey}, on its own Vert.x instance (closed with the fake). */
  protected FakeProvider(String apiKey) {
    this(Vertx.vertx(), true, apiKey);
  }

  /** A fake accepting {@code apiKey}, on a shared Vert.x instance. */
  protected FakeProvider(Vertx vertx, String apiKey) {
    this(vertx, false, apiKey);
  }

  private FakeProvider(Vertx vertx, boolean ownsVertx, String apiKey) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.apiKey = apiKey;
    this.server =
        await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
  }

  /** {@code http://127.0.0.1:<port>}: what a RoutePlan provider's baseUrl points at. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The Vert.x instance the fake runs on, for clients in the same test. */
  public Vertx vertx() {
    return vertx;
  }

  public int port() {
    return server.actualPort();
  }

  /** Answers the next requests with these replies, in order. */
  public void enqueue(Reply... replies) {
    queue.addAll(List.of(replies));
  }

  /**
   * Answers every request that finds the queue empty with this reply (null: the default answer).
   */
  public void always(Reply reply) {
    this.always = reply;
  }

  /** Requests received so far, oldest first. */
  public List<RecordedRequest> requests() {
    return List.copyOf(received);
  }

  public RecordedRequest lastRequest() {
    if (received.isEmpty()) {
      throw new IllegalStateException("no request received");
    }
    return received.get(received.size() - 1);
  }

  /** Forgets recorded requests and scripted replies. */
  public void reset() {
    queue.clear();
    received.clear();
    always = null;
  }

  @Override
  public void close() {
    await(server.close());
    if (ownsVertx) {
      await(vertx.close());
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    reset();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** The provider's error answer when the request is not one it would accept, else null. */
  protected abstract Reply reject(RecordedRequest request);

  /** The provider's answer when no reply was scripted. */
  protected abstract Reply defaultReply(RecordedRequest request);

  private void handle(HttpServerRequest req) {
    req.body()
        .onSuccess(
            buffer -> {
              Map<String, String> headers = new LinkedHashMap<>();
              req.headers()
                  .forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
              RecordedRequest rec =
                  new RecordedRequest(
                      req.method().name(),
                      req.uri(),
                      req.path(),
                      headers,
                      buffer.toString(),
                      new AtomicBoolean(),
                      new java.util.concurrent.atomic.AtomicInteger());
              received.add(rec);
              Reply reply = reject(rec);
              if (reply == null) {
                reply = queue.poll();
              }
              if (reply == null) {
                reply = always != null ? always : defaultReply(rec);
              }
              Reply chosen = reply;
              if (chosen.delayMs() > 0) {
                vertx.setTimer(chosen.delayMs(), t -> answer(req, rec, chosen));
              } else {
                answer(req, rec, chosen);
              }
            });
  }

  private void answer(HttpServerRequest req, RecordedRequest rec, Reply reply) {
    HttpServerResponse resp = req.response();
    AtomicBoolean done = new AtomicBoolean();
    resp.closeHandler(
        v -> {
          if (!done.get()) {
            rec.closedEarly().set(true);
          }
        });
    if (reply.silent()) {
      return;
    }
    resp.setStatusCode(reply.status());
    reply.headers().forEach(resp::putHeader);
    if (reply.events() == null) {
      done.set(true);
      resp.end(reply.body() == null ? "" : reply.body());
      return;
    }
    resp.setChunked(true);
    resp.writeHead();
    writeEvents(req, resp, reply, 0, rec, done);
  }

  private void writeEvents(
      HttpServerRequest req,
      HttpServerResponse resp,
      Reply reply,
      int from,
      RecordedRequest rec,
      AtomicBoolean done) {
    List<String> events = reply.events();
    int i = from;
    while (!rec.clientDisconnected()) {
      if (i == reply.cutAfter()) {
        done.set(true);
        req.connection().close();
        return;
      }
      if (i == reply.stallAfter()) {
        return;
      }
      if (i == events.size()) {
        done.set(true);
        resp.end();
        return;
      }
      resp.write(events.get(i) + reply.separator());
      rec.eventsWritten().incrementAndGet();
      i++;
      if (reply.eventDelayMs() > 0) {
        int next = i;
        vertx.setTimer(reply.eventDelayMs(), t -> writeEvents(req, resp, reply, next, rec, done));
        return;
      }
    }
  }

  /**
   * Runs an HTTP exchange on an event loop and waits for its result. Building the chain there
   * matters: a response handler attached from a test thread can miss data the event loop already
   * delivered.
   */
  public static <T> T onEventLoop(Vertx vertx, java.util.function.Supplier<Future<T>> exchange) {
    io.vertx.core.Promise<T> result = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> exchange.get().onComplete(result));
    return await(result.future());
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("fake provider operation failed", e);
    }
  }
}
