package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fake Gemini API: {@code POST /v1beta/models/{model}:generateContent}, {@code
 * :streamGenerateContent?alt=sse}, {@code :countTokens} and {@code :batchEmbedContents} with {@code x-goog-api-key};
 * answers and errors in Google's
 * shapes (SSE events end with CRLF CRLF, as Google sends them).
 */
public class FakeGemini extends FakeProvider {

  public static final String DEFAULT_TEXT = "Hello from fake Gemini";
  public static final long DEFAULT_PROMPT_TOKENS = 8;
  public static final long DEFAULT_CANDIDATES_TOKENS = 5;
  public static final long DEFAULT_TOTAL_TOKENS = 31;

  private static final Pattern PATH =
      Pattern.compile("/v1beta/models/([^/:]+):(?<method>generateContent|streamGenerateContent|countTokens|batchEmbedContents)");

  /** A fake accepting {@code apiKey}, on its own Vert.x instance. */
  public FakeGemini(String apiKey) {
    super(apiKey);
  }

  @Override
  protected Reply reject(RecordedRequest r) {
    Matcher m = path().matcher(r.path());
    if (!"POST".equals(r.method()) || !m.matches()) {
      return Reply.json(404, error(404, "NOT_FOUND", "Requested entity was not found."));
    }
    Reply unauthorized = checkCredential(r);
    if (unauthorized != null) {
      return unauthorized;
    }
    if ("streamGenerateContent".equals(m.group("method")) && !"sse".equals(r.query("alt"))) {
      return Reply.json(400, error(400, "INVALID_ARGUMENT", "this fake streams only with alt=sse"));
    }
    if ("batchEmbedContents".equals(m.group("method"))) {
      return embedProblem(r, m.group(1));
    }
    if (r.json().getJsonArray("contents", new JsonArray()).isEmpty()) {
      return Reply.json(
          400,
          error(
              400,
              "INVALID_ARGUMENT",
              "* GenerateContentRequest.contents: contents is not specified"));
    }
    return null;
  }

  /** Google's 400 for a batch whose requests are missing, name another model, or carry no text; else null. */
  private static Reply embedProblem(RecordedRequest r, String model) {
    JsonArray requests = r.json().getJsonArray("requests", new JsonArray());
    if (requests.isEmpty()) {
      return Reply.json(400, error(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: requests is not specified"));
    }
    for (Object o : requests) {
      JsonObject req = (JsonObject) o;
      if (!("models/" + model).equals(req.getString("model"))) {
        return Reply.json(400, error(400, "INVALID_ARGUMENT",
            "Model names in the batch requests must match the model in the URL."));
      }
      if (text(req).isEmpty()) {
        return Reply.json(400, error(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests[0].content: contents is not specified"));
      }
    }
    return null;
  }

  private static String text(JsonObject embedRequest) {
    JsonArray parts = embedRequest.getJsonObject("content", new JsonObject()).getJsonArray("parts", new JsonArray());
    return parts.isEmpty() ? "" : parts.getJsonObject(0).getString("text", "");
  }

  /**
   * Google's answer to a {@code batchEmbedContents} body: per request, in order, the values {@code
   * [length of its text, its position + 0.5, 0.25, -1.0]} cut to its {@code outputDimensionality};
   * no usage, as Google reports none for embeddings.
   */
  public static JsonObject embeddings(JsonObject batch) {
    JsonArray out = new JsonArray();
    JsonArray requests = batch.getJsonArray("requests");
    for (int i = 0; i < requests.size(); i++) {
      JsonObject req = requests.getJsonObject(i);
      List<Double> all = List.of((double) text(req).length(), i + 0.5, 0.25, -1.0);
      int dims = req.getInteger("outputDimensionality", all.size());
      out.add(new JsonObject().put("values", new JsonArray(new ArrayList<Object>(all.subList(0, Math.min(dims, all.size()))))));
    }
    return new JsonObject().put("embeddings", out);
  }

  /** The paths the fake serves; group {@code method} is the RPC. */
  protected Pattern path() {
    return PATH;
  }

  /** The provider's answer to a request without the credential it accepts, else null. */
  protected Reply checkCredential(RecordedRequest r) {
    String key = r.header("x-goog-api-key") != null ? r.header("x-goog-api-key") : r.query("key");
    if (!apiKey.equals(key)) {
      // Google answers a wrong key with 400, not 401.
      JsonObject e =
          error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
      e.getJsonObject("error")
          .put(
              "details",
              new JsonArray()
                  .add(
                      new JsonObject()
                          .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                          .put("reason", "API_KEY_INVALID")
                          .put("domain", "googleapis.com")));
      return Reply.json(400, e);
    }
    return null;
  }

  @Override
  protected Reply defaultReply(RecordedRequest r) {
    if (r.path().endsWith(":batchEmbedContents")) {
      return Reply.json(200, embeddings(r.json()));
    }
    if (r.path().endsWith(":countTokens")) {
      return Reply.json(200, new JsonObject().put("totalTokens", DEFAULT_TOTAL_TOKENS));
    }
    if (r.path().endsWith(":streamGenerateContent")) {
      return sse(
          textEvents(
              List.of("Hello from ", "fake Gemini"),
              DEFAULT_PROMPT_TOKENS,
              DEFAULT_CANDIDATES_TOKENS));
    }
    return Reply.json(
        200, response(DEFAULT_TEXT, DEFAULT_PROMPT_TOKENS, DEFAULT_CANDIDATES_TOKENS, 0));
  }

  /** An event stream as Google frames it. */
  public static Reply sse(List<String> events) {
    return Reply.sse(events).separator("\r\n\r\n");
  }

  /** A complete text response. */
  public static JsonObject response(
      String text, long promptTokens, long candidatesTokens, long thoughtsTokens) {
    return chunk(
        new JsonArray().add(new JsonObject().put("text", text)),
        "STOP",
        usage(promptTokens, candidatesTokens, thoughtsTokens));
  }

  /** One GenerateContentResponse with a single candidate. */
  public static JsonObject chunk(JsonArray parts, String finishReason, JsonObject usageMetadata) {
    JsonObject candidate =
        new JsonObject()
            .put("content", new JsonObject().put("parts", parts).put("role", "model"))
            .put("index", 0);
    if (finishReason != null) {
      candidate.put("finishReason", finishReason);
    }
    JsonObject r = new JsonObject().put("candidates", new JsonArray().add(candidate));
    if (usageMetadata != null) {
      r.put("usageMetadata", usageMetadata);
    }
    return r.put("modelVersion", "gemini-2.5-flash").put("responseId", "mcpHaKqzN8bBz7IP1-aYuQ0");
  }

  public static JsonObject usage(long promptTokens, long candidatesTokens, long thoughtsTokens) {
    JsonObject u = new JsonObject().put("promptTokenCount", promptTokens);
    if (candidatesTokens > 0) {
      u.put("candidatesTokenCount", candidatesTokens);
    }
    if (thoughtsTokens > 0) {
      u.put("thoughtsTokenCount", thoughtsTokens);
    }
    return u.put("totalTokenCount", promptTokens + candidatesTokens + thoughtsTokens);
  }

  /** A streamed text answer: one chunk per piece, the last with STOP and the final usage. */
  public static List<String> textEvents(
      List<String> pieces, long promptTokens, long candidatesTokens) {
    List<String> events = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      boolean last = i == pieces.size() - 1;
      JsonArray parts = new JsonArray().add(new JsonObject().put("text", pieces.get(i)));
      events.add(
          Sse.data(
              chunk(
                      parts,
                      last ? "STOP" : null,
                      usage(promptTokens, last ? candidatesTokens : 0, 0))
                  .encode()));
    }
    return events;
  }

  /** A Google API error body. */
  public static JsonObject error(int code, String status, String message) {
    return new JsonObject()
        .put(
            "error",
            new JsonObject().put("code", code).put("message", message).put("status", status));
  }
}
