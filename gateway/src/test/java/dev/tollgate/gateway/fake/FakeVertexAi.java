package dev.tollgate.gateway.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fake Vertex AI, authenticated by an OAuth2 access token in {@code Authorization: Bearer} (401
 * {@code UNAUTHENTICATED} otherwise, as Vertex answers); another project or location is a 404.
 *
 * <ul>
 *   <li>Gemini: {@link FakeGemini}'s answers, streams and checks at {@code POST
 *       /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent}
 *       and {@code :streamGenerateContent?alt=sse}.
 *   <li>Claude: {@link FakeAnthropic}'s answers and event streams at {@code
 *       …/publishers/anthropic/models/{model}:rawPredict} and {@code :streamRawPredict}, for a
 *       Messages body with {@code anthropic_version: vertex-2023-10-16} and no {@code model}.
 * </ul>
 */
public final class FakeVertexAi extends FakeGemini {

  public static final String UNAUTHENTICATED_MESSAGE =
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie"
          + " or other valid authentication credential. See"
          + " https://developers.google.com/identity/sign-in/web/devconsole-project.";
  public static final String CLAUDE_TEXT = "Hello from Claude on Vertex AI";

  private final Pattern geminiPath;
  private final Pattern claudePath;
  private final Predicate<String> validToken;

  /**
   * @param validToken the access tokens it accepts (e.g. those a {@link FakeGoogleOAuth} issued)
   */
  public FakeVertexAi(String project, String location, Predicate<String> validToken) {
    super("unused: Vertex AI takes access tokens");
    String models = "/v1/projects/" + Pattern.quote(project) + "/locations/" + Pattern.quote(location) + "/publishers/";
    this.geminiPath = Pattern.compile(
        models + "google/models/([^/:]+):(?<method>generateContent|streamGenerateContent|countTokens|predict)");
    this.claudePath = Pattern.compile(models + "anthropic/models/([^/:]+):(?<method>rawPredict|streamRawPredict)");
    this.validToken = validToken;
  }

  @Override
  protected Pattern path() {
    return geminiPath;
  }

  @Override
  protected Reply checkCredential(RecordedRequest r) {
    String auth = r.header("authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !validToken.test(auth.substring(7))) {
      return Reply.json(401, error(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE));
    }
    return null;
  }

  @Override
  protected Reply reject(RecordedRequest r) {
    Matcher m = claudePath.matcher(r.path());
    if ("POST".equals(r.method()) && r.path().endsWith(":predict") && geminiPath.matcher(r.path()).matches()) {
      Reply unauthorized = checkCredential(r);
      return unauthorized != null ? unauthorized
          : r.json().getJsonArray("instances", new JsonArray()).isEmpty()
              ? Reply.json(400, error(400, "INVALID_ARGUMENT", "instances is not specified")) : null;
    }
    if (!"POST".equals(r.method()) || !m.matches()) {
      return super.reject(r); // Gemini's paths and checks
    }
    Reply unauthorized = checkCredential(r);
    if (unauthorized != null) {
      return unauthorized;
    }
    JsonObject body = r.json();
    String problem = !"vertex-2023-10-16".equals(body.getValue("anthropic_version")) ? "anthropic_version: Field required"
        : body.containsKey("model") ? "model: Extra inputs are not permitted"
        : body.getValue("max_tokens") == null ? "max_tokens: Field required"
        : "streamRawPredict".equals(m.group("method")) != Boolean.TRUE.equals(body.getValue("stream"))
            ? "stream does not match the method" : null;
    return problem == null ? null : Reply.json(400, FakeAnthropic.error("invalid_request_error", problem));
  }

  /**
   * Vertex AI's answer to a text-embedding {@code predict} body: per instance, in order, the values
   * {@code [length of its content, its position + 0.5, 0.25, -1.0]} cut to {@code
   * parameters.outputDimensionality}, with {@code statistics.token_count} = its length in words.
   */
  public static JsonObject predictions(JsonObject body) {
    JsonArray out = new JsonArray();
    JsonArray instances = body.getJsonArray("instances");
    int dims = body.getJsonObject("parameters", new JsonObject()).getInteger("outputDimensionality", 4);
    for (int i = 0; i < instances.size(); i++) {
      String content = instances.getJsonObject(i).getString("content", "");
      List<Double> all = List.of((double) content.length(), i + 0.5, 0.25, -1.0);
      out.add(new JsonObject().put("embeddings", new JsonObject()
          .put("statistics", new JsonObject().put("truncated", false).put("token_count", wordCount(content)))
          .put("values", new JsonArray(new java.util.ArrayList<Object>(all.subList(0, Math.min(dims, all.size())))))));
    }
    return new JsonObject().put("predictions", out).put("metadata", new JsonObject().put("billableCharacterCount", 0));
  }

  /** The token count this fake reports for a text: its words. */
  public static int wordCount(String text) {
    return text.isBlank() ? 0 : text.trim().split("\\s+").length;
  }

  @Override
  protected Reply defaultReply(RecordedRequest r) {
    if (r.path().endsWith(":predict")) {
      return Reply.json(200, predictions(r.json()));
    }
    if (!claudePath.matcher(r.path()).matches()) {
      return super.defaultReply(r);
    }
    return r.path().endsWith(":streamRawPredict")
        ? Reply.sse(FakeAnthropic.textEvents(List.of("Hello from ", "Claude on Vertex AI"), 12, 5, "end_turn"))
        : Reply.json(200, FakeAnthropic.message(CLAUDE_TEXT, 12, 5, "end_turn"));
  }
}
