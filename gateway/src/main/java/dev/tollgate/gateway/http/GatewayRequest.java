package dev.tollgate.gateway.http;

import dev.tollgate.gateway.metering.Documents;
import dev.tollgate.gateway.metering.Admission;
import dev.tollgate.gateway.metering.AudioRequest;
import dev.tollgate.gateway.metering.ProviderTools;
import dev.tollgate.gateway.routing.Outcome;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.RoutePlan;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the chain learns about one request, in the order the filters fill it in. Lives under
 * {@link CtxKeys#REQUEST}; touched only on the request's event loop.
 */
public final class GatewayRequest {

  /** What the client called. */
  public enum Endpoint {
    CHAT("chat.completions", "Chat Completions"),
    /** OpenAI's legacy text completions ({@code /v1/completions}): code autocomplete and FIM clients. */
    COMPLETIONS("completions", "Completions"),
    EMBEDDINGS("embeddings", "Embeddings"),
    /** OpenAI's content moderation ({@code /v1/moderations}): billed for its input like embeddings; free at OpenAI. */
    MODERATIONS("moderations", "Moderations"),
    /** OpenAI's image generation ({@code /v1/images/generations}): priced per image and/or by tokens (ADR 0049). */
    IMAGES("images.generations", "Images"),
    RESPONSES("responses", "Responses"),
    /** OpenAI's text-to-speech ({@code /v1/audio/speech}): JSON in, audio out, priced per character or by tokens (ADR 0054). */
    SPEECH("audio.speech", "Audio"),
    /** OpenAI's speech-to-text ({@code /v1/audio/transcriptions}): a multipart upload, priced per minute or by tokens. */
    TRANSCRIPTIONS("audio.transcriptions", "Audio"),
    /** OpenAI's speech-to-English ({@code /v1/audio/translations}): as transcriptions. */
    TRANSLATIONS("audio.translations", "Audio"),
    /** A stored response ({@code GET /v1/responses/{id}}): rate-limited, never billed (ADR 0050). */
    RESPONSE_RETRIEVE("responses.retrieve", "Responses"),
    /** A stored response's input items ({@code GET /v1/responses/{id}/input_items}): rate-limited, never billed. */
    RESPONSE_INPUT_ITEMS("responses.input_items", "Responses"),
    /** Deleting a stored response ({@code DELETE /v1/responses/{id}}): rate-limited, never billed. */
    RESPONSE_DELETE("responses.delete", "Responses"),
    /** Cancelling a background response ({@code POST /v1/responses/{id}/cancel}): refused, none are served. */
    RESPONSE_CANCEL("responses.cancel", "Responses"),
    /** Anthropic's Messages API, passed through to Anthropic targets. */
    MESSAGES("messages", "Anthropic Messages"),
    /** Anthropic's token counting ({@code /v1/messages/count_tokens}): rate-limited, never billed. */
    COUNT_TOKENS("messages.count_tokens", "Anthropic Token Counting"),
    /** Gemini's {@code models/{model}:generateContent} and {@code :streamGenerateContent}, passed through to Gemini targets (ADR 0051). */
    GENERATE_CONTENT("gemini.generate_content", "Gemini generateContent"),
    /** Gemini's {@code models/{model}:countTokens}: rate-limited, never billed. */
    GEMINI_COUNT_TOKENS("gemini.count_tokens", "Gemini countTokens"),
    MODELS("models", "Models"),
    /** The key's own budget and usage ({@code GET /v1/tollgate/usage}): read-only, not rate-limited, never billed. */
    USAGE("tollgate.usage", "Tollgate Usage");

    private final String label;
    private final String apiName;

    Endpoint(String label, String apiName) {
      this.label = label;
      this.apiName = apiName;
    }

    /** The usage record's and the metrics' endpoint label. */
    public String label() {
      return label;
    }

    /** The API's name in client-facing messages. */
    public String apiName() {
      return apiName;
    }

    /** Anthropic's own API: the key may come as {@code x-api-key}, errors use Anthropic's envelope. */
    public boolean anthropic() {
      return this == MESSAGES || this == COUNT_TOKENS;
    }

    /** Google's Gemini API: the key may come as {@code x-goog-api-key} or {@code ?key=}, errors use Google's envelope. */
    public boolean google() {
      return this == GENERATE_CONTENT || this == GEMINI_COUNT_TOKENS;
    }

    /** An audio upload: a multipart body ({@link MultipartForm}), not JSON. */
    public boolean upload() {
      return this == TRANSCRIPTIONS || this == TRANSLATIONS;
    }

    /** One of OpenAI's audio endpoints (ADR 0054). */
    public boolean audio() {
      return this == SPEECH || upload();
    }

    /** A token count: free at the provider, counted against RPM only, never reserved or billed. */
    public boolean tokenCount() {
      return this == COUNT_TOKENS || this == GEMINI_COUNT_TOKENS;
    }
  }

  private final String id;
  private final Endpoint endpoint;
  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();
  private final Promise<Outcome> outcome = Promise.promise();
  private final Map<String, String> rateLimitHeaders = new LinkedHashMap<>();

  private JsonObject body;
  private String model;
  private boolean stream;
  private ProviderTools tools = ProviderTools.NONE;
  private boolean uncountableDocuments;
  private ApiKeyRecord apiKey;
  private TenantRecord tenant;
  private String keyPrefix;
  private RoutePlan plan;
  private RoutePlan.Route route;
  private long promptTokens;
  private long maxOutputTokens;
  private long replayedTokens;
  private Admission admission;
  private Buffer upload;
  private String uploadContentType;
  private MultipartForm form;
  private AudioRequest audio;

  public GatewayRequest(String id, Endpoint endpoint) {
    this.id = id;
    this.endpoint = endpoint;
  }

  public String id() { return id; }
  public Endpoint endpoint() { return endpoint; }
  public long startNanos() { return startNanos; }
  public long startMillis() { return startMillis; }

  public JsonObject body() { return body; }
  public String model() { return model; }
  public boolean stream() { return stream; }

  public void parsed(JsonObject body, String model, boolean stream) {
    this.body = body;
    this.model = model;
    this.stream = stream;
    this.tools = ProviderTools.of(endpoint, body);
    this.uncountableDocuments = Documents.uncountable(endpoint, body);
  }

  /** The prompt holds a document the tokenizer cannot count: reserved at the context window (ADR 0055). */
  public boolean uncountableDocuments() { return uncountableDocuments; }

  /** An upload's raw body and content type, as the upload body filter read them (parsed later). */
  public void upload(Buffer body, String contentType) {
    this.upload = body;
    this.uploadContentType = contentType;
  }

  public Buffer upload() { return upload; }
  public String uploadContentType() { return uploadContentType; }

  /**
   * An audio request's parts (ADR 0054): {@code form}, the upload as received (null for speech), and
   * what its price needs.
   */
  public void audio(MultipartForm form, AudioRequest audio) {
    this.form = form;
    this.audio = audio;
  }

  /** The audio upload (null: not an upload). */
  public MultipartForm form() { return form; }

  /** What an audio request's price needs (null: not audio). */
  public AudioRequest audio() { return audio; }

  /** The tools the body asks the provider to run itself (ADR 0047). */
  public ProviderTools tools() { return tools; }

  public ApiKeyRecord apiKey() { return apiKey; }
  public TenantRecord tenant() { return tenant; }

  /** The presented key's {@link dev.tollgate.schema.ApiKeys#displayPrefix}: safe to show, never enough to use it. */
  public String keyPrefix() { return keyPrefix; }

  public void authenticated(ApiKeyRecord key, TenantRecord tenant, String keyPrefix) {
    this.apiKey = key;
    this.tenant = tenant;
    this.keyPrefix = keyPrefix;
  }

  public RoutePlan plan() { return plan; }
  public RoutePlan.Route route() { return route; }

  public void routed(RoutePlan plan, RoutePlan.Route route) {
    this.plan = plan;
    this.route = route;
  }

  /**
   * The tokens of the stored conversation a Responses request continues ({@code
   * previous_response_id}), which the provider replays and bills as input (ADR 0050); 0 otherwise.
   */
  public long replayedTokens() { return replayedTokens; }

  public void continues(long replayedTokens) {
    this.replayedTokens = replayedTokens;
  }

  public long promptTokens() { return promptTokens; }
  public long maxOutputTokens() { return maxOutputTokens; }

  public void estimated(long promptTokens, long maxOutputTokens) {
    this.promptTokens = promptTokens;
    this.maxOutputTokens = maxOutputTokens;
  }

  public Admission admission() { return admission; }

  public void admitted(Admission admission) {
    this.admission = admission;
  }

  /** x-ratelimit-* headers to send with the response (empty when no limit applies). */
  public Map<String, String> rateLimitHeaders() { return rateLimitHeaders; }

  /** Completed exactly once with how the request ended; settle waits for it. */
  public Future<Outcome> outcome() { return outcome.future(); }

  /** First caller wins; later calls are ignored. */
  public void finish(Outcome o) {
    outcome.tryComplete(o);
  }
}
