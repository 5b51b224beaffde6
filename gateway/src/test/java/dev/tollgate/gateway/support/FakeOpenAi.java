package dev.tollgate.gateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake OpenAI-compatible provider over real HTTP, speaking OpenAI's wire format: chat completions
 * (JSON and SSE with the final usage chunk when {@code stream_options.include_usage} is set) and
 * embeddings. Each test scripts it with {@link #behave}; it records what it received.
 */
public final class FakeOpenAi implements AutoCloseable {

  /** How to answer. */
  public record Behavior(
      int status, long promptTokens, long completionTokens, int streamChunks, long chunkDelayMs,
      long headerDelayMs, boolean reportUsage) {

    public static Behavior ok(long prompt, long completion) {
      return new Behavior(200, prompt, completion, 3, 0, 0, true);
    }

    public Behavior status(int s) {
      return new Behavior(s, promptTokens, completionTokens, streamChunks, chunkDelayMs, headerDelayMs, reportUsage);
    }

    public Behavior chunks(int n, long delayMs) {
      return new Behavior(status, promptTokens, completionTokens, n, delayMs, headerDelayMs, reportUsage);
    }

    public Behavior headerDelay(long ms) {
      return new Behavior(status, promptTokens, completionTokens, streamChunks, chunkDelayMs, ms, reportUsage);
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private volatile Behavior behavior = Behavior.ok(10, 5);
  public final List<JsonObject> bodies = new CopyOnWriteArrayList<>();
  public final List<String> authorizations = new CopyOnWriteArrayList<>();
  public final AtomicInteger streamsCancelled = new AtomicInteger();
  public final AtomicInteger chunksSent = new AtomicInteger();

  public FakeOpenAi(Vertx vertx) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
    try {
      server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public FakeOpenAi behave(Behavior b) {
    this.behavior = b;
    return this;
  }

  public JsonObject lastBody() {
    return bodies.get(bodies.size() - 1);
  }

  private void handle(HttpServerRequest req) {
    Behavior b = behavior;
    req.body().onSuccess(buf -> {
      JsonObject body = buf.toJsonObject();
      bodies.add(body);
      authorizations.add(String.valueOf(req.getHeader("authorization")));
      HttpServerResponse resp = req.response();
      Runnable answer = () -> {
        if (b.status() != 200) {
          resp.setStatusCode(b.status()).putHeader("content-type", "application/json")
              .end(new JsonObject().put("error", new JsonObject().put("message", "fake failure " + b.status())
                  .put("type", "server_error").put("code", (Object) null)).encode());
        } else if (req.path().endsWith("/embeddings")) {
          resp.putHeader("content-type", "application/json").end(new JsonObject()
              .put("object", "list")
              .put("data", new JsonArray().add(new JsonObject().put("object", "embedding").put("index", 0)
                  .put("embedding", new JsonArray().add(0.1).add(-0.2))))
              .put("model", body.getString("model"))
              .put("usage", new JsonObject().put("prompt_tokens", b.promptTokens()).put("total_tokens", b.promptTokens()))
              .encode());
        } else if (Boolean.TRUE.equals(body.getValue("stream"))) {
          stream(body, resp, b);
        } else {
          JsonObject completion = new JsonObject()
              .put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 1_700_000_000L)
              .put("model", body.getString("model"))
              .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                  .put("message", new JsonObject().put("role", "assistant").put("content", "Hello from the fake."))
                  .put("logprobs", (Object) null)
                  .put("finish_reason", "stop")));
          if (b.reportUsage()) {
            completion.put("usage", usage(b));
          }
          resp.putHeader("content-type", "application/json").end(completion.encode());
        }
      };
      if (b.headerDelayMs() > 0) {
        vertx.setTimer(b.headerDelayMs(), id -> answer.run());
      } else {
        answer.run();
      }
    });
  }

  private static JsonObject usage(Behavior b) {
    return new JsonObject().put("prompt_tokens", b.promptTokens()).put("completion_tokens", b.completionTokens())
        .put("total_tokens", b.promptTokens() + b.completionTokens());
  }

  private void stream(JsonObject body, HttpServerResponse resp, Behavior b) {
    resp.putHeader("content-type", "text/event-stream").setChunked(true);
    boolean includeUsage = body.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
    String model = body.getString("model");
    resp.closeHandler(v -> streamsCancelled.incrementAndGet());
    sendChunk(resp, model, 0, b, includeUsage);
  }

  private void sendChunk(HttpServerResponse resp, String model, int i, Behavior b, boolean includeUsage) {
    if (resp.closed()) {
      return;
    }
    if (i < b.streamChunks()) {
      JsonObject delta = i == 0 ? new JsonObject().put("role", "assistant").put("content", "") : new JsonObject().put("content", "word" + i + " ");
      resp.write("data: " + chunk(model, new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
          .put("finish_reason", (Object) null))).encode() + "\n\n");
      chunksSent.incrementAndGet();
      if (b.chunkDelayMs() > 0) {
        vertx.setTimer(b.chunkDelayMs(), id -> sendChunk(resp, model, i + 1, b, includeUsage));
      } else {
        sendChunk(resp, model, i + 1, b, includeUsage);
      }
      return;
    }
    resp.write("data: " + chunk(model, new JsonArray().add(new JsonObject().put("index", 0).put("delta", new JsonObject())
        .put("finish_reason", "stop"))).encode() + "\n\n");
    if (includeUsage && b.reportUsage()) {
      resp.write("data: " + chunk(model, new JsonArray()).put("usage", usage(b)).encode() + "\n\n");
    }
    resp.end("data: [DONE]\n\n");
  }

  private static JsonObject chunk(String model, JsonArray choices) {
    return new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
        .put("created", 1_700_000_000L).put("model", model).put("choices", choices);
  }

  @Override
  public void close() {
    server.close();
  }
}
