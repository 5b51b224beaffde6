package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Fake Azure OpenAI: {@code POST /openai/deployments/{deployment}/chat/completions?api-version=...}
 * (and the version-less {@code /openai/v1/chat/completions}) with an {@code api-key} header; the
 * Responses API at {@code /openai/v1/responses} or {@code /openai/responses?api-version=...};
 * legacy completions at {@code /openai/deployments/{deployment}/completions} or {@code
 * /openai/v1/completions}; image generations at {@code
 * /openai/deployments/{deployment}/images/generations} or {@code /openai/v1/images/generations};
 * audio at {@code .../audio/speech}, {@code .../audio/transcriptions}, {@code .../audio/translations}.
 * Answers carry Azure's content-filter annotations; errors use Azure's shapes.
 */
public final class FakeAzureOpenAi extends FakeProvider {

  public static final String DEFAULT_TEXT = "Hello from fake Azure";
  public static final long DEFAULT_PROMPT_TOKENS = 11;
  public static final long DEFAULT_COMPLETION_TOKENS = 5;

  private static final Pattern DEPLOYMENT_PATH =
      Pattern.compile("/openai/deployments/[^/]+/((chat/)?completions|images/generations|audio/(speech|transcriptions|translations))");

  /** A fake accepting {@code apiKey}, on its own Vert.x instance. */
  public FakeAzureOpenAi(String apiKey) {
    super(apiKey);
  }

  @Override
  protected Reply reject(RecordedRequest r) {
    boolean deployment = DEPLOYMENT_PATH.matcher(r.path()).matches();
    boolean v1 = "/openai/v1/chat/completions".equals(r.path()) || "/openai/v1/responses".equals(r.path())
        || "/openai/v1/completions".equals(r.path()) || "/openai/v1/images/generations".equals(r.path())
        || r.path().startsWith("/openai/v1/audio/") && Audio.path(r.path());
    boolean datedResponses = "/openai/responses".equals(r.path());
    if (!"POST".equals(r.method())
        || !(deployment || v1 || datedResponses)
        || ((deployment || datedResponses) && r.query("api-version") == null)) {
      return Reply.json(404, error("404", "Resource not found"));
    }
    if (!apiKey.equals(r.header("api-key"))) {
      return Reply.json(
          401,
          error(
              "401",
              "Access denied due to invalid subscription key or wrong API endpoint. Make sure to"
                  + " provide a valid key for an active subscription and use a correct regional API"
                  + " endpoint for your resource."));
    }
    return null;
  }

  @Override
  protected Reply defaultReply(RecordedRequest r) {
    if (Audio.path(r.path())) {
      return Audio.reply(r.path());
    }
    JsonObject body = r.json();
    if (r.path().endsWith("/responses")) {
      return FakeOpenAiCompatible.wantsStream(body)
          ? Reply.sse(Responses.textEvents(List.of("Hello from ", "fake Azure"), DEFAULT_PROMPT_TOKENS, 0, DEFAULT_COMPLETION_TOKENS))
          : Reply.json(200, Responses.response(DEFAULT_TEXT, DEFAULT_PROMPT_TOKENS, 0, DEFAULT_COMPLETION_TOKENS, 0));
    }
    if (r.path().endsWith("/images/generations")) {
      return Reply.json(200, Images.dallE(body.getInteger("n", 1)));
    }
    if (r.path().endsWith("/completions") && !r.path().endsWith("/chat/completions")) {
      return FakeOpenAiCompatible.wantsStream(body)
          ? Reply.sse(Completions.textEvents(List.of("Hello from ", "fake Azure"), DEFAULT_PROMPT_TOKENS,
              DEFAULT_COMPLETION_TOKENS, FakeOpenAiCompatible.wantsUsage(body)))
          : Reply.json(200, Completions.completion(List.of(DEFAULT_TEXT), DEFAULT_PROMPT_TOKENS, DEFAULT_COMPLETION_TOKENS));
    }
    if (FakeOpenAiCompatible.wantsStream(body)) {
      return Reply.sse(
          textEvents(
              List.of("Hello from ", "fake Azure"),
              DEFAULT_PROMPT_TOKENS,
              DEFAULT_COMPLETION_TOKENS,
              FakeOpenAiCompatible.wantsUsage(body)));
    }
    return Reply.json(
        200, completion(DEFAULT_TEXT, DEFAULT_PROMPT_TOKENS, DEFAULT_COMPLETION_TOKENS));
  }

  /** An OpenAI completion with Azure's prompt and completion filter results. */
  public static JsonObject completion(String text, long promptTokens, long completionTokens) {
    JsonObject c = FakeOpenAiCompatible.completion(text, promptTokens, completionTokens);
    c.put(
        "prompt_filter_results",
        new JsonArray()
            .add(
                new JsonObject()
                    .put("prompt_index", 0)
                    .put("content_filter_results", filterResults())));
    c.getJsonArray("choices").getJsonObject(0).put("content_filter_results", filterResults());
    return c;
  }

  /**
   * A streamed answer as Azure sends it: first a chunk with no choices and the prompt filter
   * results, then OpenAI chunks annotated with filter results, a filter-only chunk, the finish
   * chunk, the usage chunk if asked, and [DONE].
   */
  public static List<String> textEvents(
      List<String> pieces, long promptTokens, long completionTokens, boolean includeUsage) {
    List<String> events = new ArrayList<>();
    events.add(
        Sse.data(
            new JsonObject()
                .put("choices", new JsonArray())
                .put("created", 0)
                .put("id", "")
                .put("model", "")
                .put("object", "")
                .put(
                    "prompt_filter_results",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("prompt_index", 0)
                                .put("content_filter_results", filterResults())))
                .encode()));
    for (String e :
        FakeOpenAiCompatible.textEvents(pieces, promptTokens, completionTokens, includeUsage)) {
      String data = e.substring("data: ".length());
      if (data.equals("[DONE]")) {
        continue;
      }
      JsonObject chunk = new JsonObject(data);
      JsonArray choices = chunk.getJsonArray("choices");
      if (!choices.isEmpty()
          && choices.getJsonObject(0).getJsonObject("delta").containsKey("content")) {
        choices.getJsonObject(0).put("content_filter_results", filterResults());
      }
      if (!choices.isEmpty() && choices.getJsonObject(0).getValue("finish_reason") != null) {
        // Azure's asynchronous filter reports on a chunk of its own, without content.
        events.add(
            Sse.data(
                FakeOpenAiCompatible.chunk(new JsonObject(), null)
                    .put(
                        "choices",
                        new JsonArray()
                            .add(
                                new JsonObject()
                                    .put("index", 0)
                                    .putNull("finish_reason")
                                    .put("delta", new JsonObject())
                                    .put(
                                        "content_filter_offsets",
                                        new JsonObject()
                                            .put("check_offset", 0)
                                            .put("start_offset", 0)
                                            .put("end_offset", 20))
                                    .put("content_filter_results", filterResults())))
                    .encode()));
      }
      events.add(Sse.data(chunk.encode()));
    }
    events.add(Sse.data("[DONE]"));
    return events;
  }

  private static JsonObject filterResults() {
    JsonObject safe = new JsonObject().put("filtered", false).put("severity", "safe");
    return new JsonObject()
        .put("hate", safe)
        .put("self_harm", safe.copy())
        .put("sexual", safe.copy())
        .put("violence", safe.copy());
  }

  /** Azure's error body ({@code code} is a string, often the status). */
  public static JsonObject error(String code, String message) {
    return new JsonObject()
        .put("error", new JsonObject().put("code", code).put("message", message));
  }
}
