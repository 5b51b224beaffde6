package dev.tollgate.gateway.fake;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Fake Vertex AI: Gemini's wire format ({@link FakeGemini}'s answers, streams and checks) at {@code
 * POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent}
 * and {@code :streamGenerateContent?alt=sse}, authenticated by an OAuth2 access token in {@code
 * Authorization: Bearer} (401 {@code UNAUTHENTICATED} otherwise, as Vertex answers). Another project
 * or location is a 404.
 */
public final class FakeVertexAi extends FakeGemini {

  public static final String UNAUTHENTICATED_MESSAGE =
      "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie"
          + " or other valid authentication credential. See"
          + " https://developers.google.com/identity/sign-in/web/devconsole-project.";

  private final Pattern path;
  private final Predicate<String> validToken;

  /**
   * @param validToken the access tokens it accepts (e.g. those a {@link FakeGoogleOAuth} issued)
   */
  public FakeVertexAi(String project, String location, Predicate<String> validToken) {
    super("unused: Vertex AI takes access tokens");
    this.path =
        Pattern.compile(
            "/v1/projects/"
                + Pattern.quote(project)
                + "/locations/"
                + Pattern.quote(location)
                + "/publishers/google/models/([^/:]+):(?<method>generateContent|streamGenerateContent)");
    this.validToken = validToken;
  }

  @Override
  protected Pattern path() {
    return path;
  }

  @Override
  protected Reply checkCredential(RecordedRequest r) {
    String auth = r.header("authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !validToken.test(auth.substring(7))) {
      return Reply.json(401, error(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE));
    }
    return null;
  }
}
