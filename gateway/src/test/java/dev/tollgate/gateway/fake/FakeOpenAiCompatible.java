package dev.tollgate.gateway.fake;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Fake OpenAI-compatible API: {@code POST /v1/chat/completions}, {@code /v1/embeddings}, {@code
 * /v1/responses} ({@link Responses}), {@code /v1/completions} ({@link Completions}) and {@code
 * /v1/images/generations} ({@link Images}), {@code /v1/moderations}, {@code /v1/audio/*} ({@link Audio}) with {@code Authorization: Bearer <key>}. The one OpenAI-shaped fake of the test suite, and the source
 * of the OpenAI shapes the Azure fake reuses. Its default answers report {@link #reportUsage} tokens.
 */
public class FakeOpenAiCompatible extends FakeProvider {

  public static final String DEFAULT_TEXT = "Hello from fake OpenAI";
  public static final long DEFAULT_PROMPT_TOKENS = 10;
  public static final long DEFAULT_COMPLETION_TOKENS = 5;
  public static final String MODERATIONS_PATH = "/v1/moderations";
  /** OpenAI's moderation categories (omni-moderation), each flagged, scored and with the input types it applied to. */
  static final String[] MODERATION_CATEGORIES = {"harassment", "harassment/threatening", "hate", "hate/threatening",
      "illicit", "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors",
      "violence", "violence/graphic"};

  private volatile long promptTokens = DEFAULT_PROMPT_TOKENS;
  private volatile long completionTokens = DEFAULT_COMPLETION_TOKENS;

  /** A fake accepting {@code apiKey}, on its own Vert.x instance. */
  public FakeOpenAiCompatible(String apiKey) {
    super(apiKey);
  }

  /** A fake accepting {@code apiKey}, on a shared Vert.x instance. */
  public FakeOpenAiCompatible(Vertx vertx, String apiKey) {
    super(vertx, apiKey);
  }

  /** {@code http://127.0.0.1:<port>/v1}, the form OpenAI SDK base URLs take. */
  @Override
  public String baseUrl() {
    return super.baseUrl() + "/v1";
  }

  /** The usage the default answers report (until {@link #reset}). */
  public FakeOpenAiCompatible reportUsage(long promptTokens, long completionTokens) {
    this.promptTokens = promptTokens;
    this.completionTokens = completionTokens;
    return this;
  }

  @Override
  public void reset() {
    super.reset();
    reportUsage(DEFAULT_PROMPT_TOKENS, DEFAULT_COMPLETION_TOKENS);
  }

  @Override
  protected Reply reject(RecordedRequest r) {
    if (!"POST".equals(r.method())
        || !("/v1/chat/completions".equals(r.path()) || "/v1/embeddings".equals(r.path()) || MODERATIONS_PATH.equals(r.path())
            || Responses.PATH.equals(r.path()) || Completions.PATH.equals(r.path()) || Images.PATH.equals(r.path())
            || r.path().startsWith("/v1/") && Audio.path(r.path()))) {
      return Reply.json(
          404,
          error(
              "Unknown request URL: " + r.method() + " " + r.path(),
              "invalid_request_error",
              "unknown_url"));
    }
    if (!("Bearer " + apiKey).equals(r.header("authorization"))) {
      return Reply.json(
          401, error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    }
    return null;
  }

  @Override
  protected Reply defaultReply(RecordedRequest r) {
    if (Audio.path(r.path())) {
      return Audio.reply(r.path());
    }
    JsonObject body = r.json();
    if (r.path().endsWith("/embeddings")) {
      return Reply.json(200, embeddings(body.getString("model"), promptTokens));
    }
    if (r.path().equals(MODERATIONS_PATH)) {
      return Reply.json(200, moderation(body.getString("model"), true));
    }
    if (r.path().equals(Responses.PATH)) {
      return wantsStream(body)
          ? Reply.sse(Responses.textEvents(List.of("Hello from ", "fake OpenAI"), promptTokens, 0, completionTokens))
          : Reply.json(200, Responses.response(DEFAULT_TEXT, promptTokens, 0, completionTokens, 0));
    }
    if (r.path().equals(Images.PATH)) {
      return Reply.json(200, Images.dallE(body.getInteger("n", 1)));
    }
    if (r.path().equals(Completions.PATH)) {
      return wantsStream(body)
          ? Reply.sse(Completions.textEvents(List.of("Hello from ", "fake OpenAI"), promptTokens, completionTokens, wantsUsage(body)))
          : Reply.json(200, Completions.completion(List.of(DEFAULT_TEXT), promptTokens, completionTokens));
    }
    if (wantsStream(body)) {
      return Reply.sse(
          textEvents(
              List.of("Hello from ", "fake OpenAI"),
              promptTokens,
              completionTokens,
              wantsUsage(body)));
    }
    return Reply.json(200, completion(DEFAULT_TEXT, promptTokens, completionTokens));
  }

  /** An embeddings list with one vector. */
  public static JsonObject embeddings(String model, long promptTokens) {
    return new JsonObject()
        .put("object", "list")
        .put(
            "data",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("object", "embedding")
                        .put("index", 0)
                        .put("embedding", new JsonArray().add(0.1).add(-0.2))))
        .put("model", model)
        .put(
            "usage",
            new JsonObject().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens));
  }

  /** A moderation result for one input, flagged for violence or for nothing, as OpenAI answers it (no usage). */
  public static JsonObject moderation(String model, boolean violent) {
    JsonObject categories = new JsonObject();
    JsonObject scores = new JsonObject();
    JsonObject applied = new JsonObject();
    for (String c : MODERATION_CATEGORIES) {
      boolean hit = violent && c.equals("violence");
      categories.put(c, hit);
      scores.put(c, hit ? 0.91 : 0.0001);
      applied.put(c, new JsonArray().add("text"));
    }
    JsonObject result = new JsonObject().put("flagged", violent).put("categories", categories)
        .put("category_scores", scores).put("category_applied_input_types", applied);
    return new JsonObject().put("id", "modr-5558").put("model", model).put("results", new JsonArray().add(result));
  }

  /** Whether an OpenAI-shaped request body asks for a stream. */
  public static boolean wantsStream(JsonObject body) {
    return Boolean.TRUE.equals(body.getBoolean("stream"));
  }

  /** Whether an OpenAI-shaped request body asks for usage at the end of its stream. */
  public static boolean wantsUsage(JsonObject body) {
    return body.getJsonObject("stream_options", new JsonObject())
        .getBoolean("include_usage", false);
  }

  /** A {@code chat.completion} with one text choice. */
  public static JsonObject completion(String text, long promptTokens, long completionTokens) {
    JsonObject message =
        new JsonObject().put("role", "assistant").put("content", text).putNull("refusal");
    return new JsonObject()
        .put("id", "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT")
        .put("object", "chat.completion")
        .put("created", 1741569952L)
        .put("model", "gpt-4o-2024-08-06")
        .put(
            "choices",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("index", 0)
                        .put("message", message)
                        .putNull("logprobs")
                        .put("finish_reason", "stop")))
        .put("usage", usage(promptTokens, completionTokens));
  }

  public static JsonObject usage(long promptTokens, long completionTokens) {
    return new JsonObject()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
  }

  /**
   * A streamed text answer: role chunk, one chunk per piece, finish chunk, usage chunk if asked,
   * [DONE].
   */
  public static List<String> textEvents(
      List<String> pieces, long promptTokens, long completionTokens, boolean includeUsage) {
    List<String> events = new ArrayList<>();
    events.add(
        Sse.data(
            chunk(new JsonObject().put("role", "assistant").put("content", ""), null).encode()));
    for (String piece : pieces) {
      events.add(Sse.data(chunk(new JsonObject().put("content", piece), null).encode()));
    }
    events.add(Sse.data(chunk(new JsonObject(), "stop").encode()));
    if (includeUsage) {
      events.add(
          Sse.data(
              chunkBase()
                  .put("choices", new JsonArray())
                  .put("usage", usage(promptTokens, completionTokens))
                  .encode()));
    }
    events.add(Sse.data("[DONE]"));
    return events;
  }

  /** One {@code chat.completion.chunk} with a single choice. */
  public static JsonObject chunk(JsonObject delta, String finishReason) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).putNull("logprobs");
    if (finishReason == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason);
    }
    return chunkBase().put("choices", new JsonArray().add(choice));
  }

  private static JsonObject chunkBase() {
    return new JsonObject()
        .put("id", "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT")
        .put("object", "chat.completion.chunk")
        .put("created", 1741569952L)
        .put("model", "gpt-4o-2024-08-06");
  }

  /** An OpenAI error envelope. */
  public static JsonObject error(String message, String type, String code) {
    return new JsonObject()
        .put(
            "error",
            new JsonObject()
                .put("message", message)
                .put("type", type)
                .putNull("param")
                .put("code", code));
  }
}
