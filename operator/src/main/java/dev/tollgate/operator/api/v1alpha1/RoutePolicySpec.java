package dev.tollgate.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Desired state of a RoutePolicy. */
@ValidationRule(
    value = "self.routes.all(r, r.targets.all(t, self.providers.exists(p, p.name == t.provider)))",
    message = "every route target must name a provider listed in spec.providers")
public class RoutePolicySpec {

  /** The wire format an upstream speaks. */
  public enum ProviderType {
    @JsonProperty("openai")
    OPENAI,
    @JsonProperty("openai-compatible")
    OPENAI_COMPATIBLE,
    @JsonProperty("azure-openai")
    AZURE_OPENAI,
    @JsonProperty("anthropic")
    ANTHROPIC,
    @JsonProperty("gemini")
    GEMINI,
    @JsonProperty("vertex-ai")
    VERTEX_AI
  }

  /** What makes the gateway try the next target. */
  public enum FallbackTrigger {
    @JsonProperty("connect-error")
    CONNECT_ERROR,
    @JsonProperty("timeout")
    TIMEOUT,
    @JsonProperty("429")
    RATE_LIMITED,
    @JsonProperty("5xx")
    SERVER_ERROR,
    @JsonProperty("context-length")
    CONTEXT_LENGTH
  }

  @Required
  @Size(min = 1, max = 20)
  @ValidationRule(value = "self.all(p, self.exists_one(q, q.name == p.name))", message = "provider names must be unique")
  @JsonPropertyDescription("Upstream providers, referenced by name from route targets.")
  private List<Provider> providers = new ArrayList<>();

  @Required
  @Size(min = 1, max = 100)
  @JsonPropertyDescription("Routes, matched in order against the requested model; the first match wins.")
  private List<Route> routes = new ArrayList<>();

  @JsonPropertyDescription("Retries across targets. Default: 3 attempts, 200ms backoff, at most 5s.")
  private Retry retry;

  @JsonPropertyDescription("Timeouts per attempt and in total. Default: connect 5s, first byte 60s, total 600s.")
  private Timeouts timeouts;

  @JsonPropertyDescription("When a failing target is skipped, and for how long (per gateway replica). Default: after 3 consecutive "
      + "failures, for 10s, doubled after each failed probe up to 300s.")
  private Cooldown cooldown;

  public List<Provider> getProviders() {
    return providers;
  }

  public void setProviders(List<Provider> providers) {
    this.providers = providers == null ? new ArrayList<>() : providers;
  }

  public List<Route> getRoutes() {
    return routes;
  }

  public void setRoutes(List<Route> routes) {
    this.routes = routes == null ? new ArrayList<>() : routes;
  }

  public Retry getRetry() {
    return retry;
  }

  public void setRetry(Retry retry) {
    this.retry = retry;
  }

  public Timeouts getTimeouts() {
    return timeouts;
  }

  public void setTimeouts(Timeouts timeouts) {
    this.timeouts = timeouts;
  }

  public Cooldown getCooldown() {
    return cooldown;
  }

  public void setCooldown(Cooldown cooldown) {
    this.cooldown = cooldown;
  }

  /** One upstream provider. */
  @ValidationRule(
      value = "self.type in ['openai', 'anthropic', 'gemini', 'vertex-ai'] || has(self.baseUrl)",
      message = "baseUrl is required for azure-openai and openai-compatible providers")
  @ValidationRule(
      value = "self.type != 'vertex-ai' || (has(self.project) && has(self.location) && has(self.credentialsRef))",
      message = "vertex-ai providers need project, location and credentialsRef (a service-account key)")
  @ValidationRule(
      value = "self.type == 'vertex-ai' || (!has(self.project) && !has(self.location))",
      message = "project and location apply only to vertex-ai providers")
  public static class Provider {

    @Required
    @Size(max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Name used by route targets, a DNS label, e.g. `openai` or `anthropic-eu`.")
    private String name;

    @Required
    @JsonPropertyDescription("Wire format: `openai`, `openai-compatible` (OpenRouter, vLLM, Ollama...), `azure-openai`, `anthropic`, "
        + "`gemini` (Gemini API, API key) or `vertex-ai` (Gemini, and Claude for models named `claude-…`, on Google Cloud Vertex AI; "
        + "service-account key).")
    private ProviderType type;

    @Size(max = 2048)
    @Pattern("^https?://[^\\s]+$")
    @JsonPropertyDescription("Base URL of the API, e.g. `https://api.openai.com/v1`. Default for openai, anthropic and gemini: their public "
        + "endpoint; for vertex-ai: `https://{location}-aiplatform.googleapis.com`, or `https://aiplatform.googleapis.com` for location "
        + "`global`; required for the others.")
    private String baseUrl;

    @Size(max = 100)
    @Pattern("^[a-z0-9][-a-z0-9.:]*[a-z0-9]$")
    @JsonPropertyDescription("vertex-ai only (required there): the Google Cloud project ID (or number) the models are called in, "
        + "e.g. `acme-prod`.")
    private String project;

    @Size(max = 63)
    @Pattern("^[a-z][-a-z0-9]*[a-z0-9]$")
    @JsonPropertyDescription("vertex-ai only (required there): the Vertex AI location, e.g. `us-central1`, `europe-west4`, or `global` "
        + "(Google's global endpoint: higher availability, no control over the processing region).")
    private String location;

    @Size(max = 64)
    @JsonPropertyDescription("Azure `api-version` or Anthropic `anthropic-version`. Default: the gateway adapter's.")
    private String apiVersion;

    @JsonPropertyDescription("Secret key holding the provider's API key; for vertex-ai, a Google service-account key file (JSON), from "
        + "which the gateway mints OAuth2 access tokens. It is sealed (AES-GCM) before it reaches Redis and re-sealed at once when the "
        + "Secret changes. Omit for providers without authentication.")
    private SecretKeyRef credentialsRef;

    @Size(max = 20)
    @JsonPropertyDescription("Extra non-secret headers sent upstream, e.g. `HTTP-Referer` for OpenRouter.")
    private Map<String, String> headers = new LinkedHashMap<>();

    public Provider() {}

    public Provider(String name, ProviderType type, String baseUrl, SecretKeyRef credentialsRef) {
      this.name = name;
      this.type = type;
      this.baseUrl = baseUrl;
      this.credentialsRef = credentialsRef;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public ProviderType getType() {
      return type;
    }

    public void setType(ProviderType type) {
      this.type = type;
    }

    public String getBaseUrl() {
      return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
    }

    public String getApiVersion() {
      return apiVersion;
    }

    public void setApiVersion(String apiVersion) {
      this.apiVersion = apiVersion;
    }

    public String getProject() {
      return project;
    }

    public void setProject(String project) {
      this.project = project;
    }

    public String getLocation() {
      return location;
    }

    public void setLocation(String location) {
      this.location = location;
    }

    public SecretKeyRef getCredentialsRef() {
      return credentialsRef;
    }

    public void setCredentialsRef(SecretKeyRef credentialsRef) {
      this.credentialsRef = credentialsRef;
    }

    public Map<String, String> getHeaders() {
      return headers;
    }

    public void setHeaders(Map<String, String> headers) {
      this.headers = headers == null ? new LinkedHashMap<>() : headers;
    }
  }

  /** A requested model name or pattern and where it goes. */
  public static class Route {

    @Required
    @Size(max = 200)
    @Pattern(Formats.MODEL)
    @JsonPropertyDescription("Model name clients request, exact (`gpt-4o`) or a glob (`claude-*`, `*`).")
    private String match;

    @Required
    @Size(min = 1, max = 10)
    @JsonPropertyDescription("Upstream targets, tried by ascending priority; equal priorities share traffic by weight.")
    private List<Target> targets = new ArrayList<>();

    @JsonPropertyDescription("Results that move on to the next target (only before the first byte reached the client): `connect-error`, `timeout`, `429`, `5xx`, `context-length`. Default: connect-error, timeout, 429, 5xx.")
    private List<FallbackTrigger> fallbackOn;

    public Route() {}

    public Route(String match, List<Target> targets) {
      this.match = match;
      this.targets = targets;
    }

    public String getMatch() {
      return match;
    }

    public void setMatch(String match) {
      this.match = match;
    }

    public List<Target> getTargets() {
      return targets;
    }

    public void setTargets(List<Target> targets) {
      this.targets = targets == null ? new ArrayList<>() : targets;
    }

    public List<FallbackTrigger> getFallbackOn() {
      return fallbackOn;
    }

    public void setFallbackOn(List<FallbackTrigger> fallbackOn) {
      this.fallbackOn = fallbackOn;
    }
  }

  /** One upstream model at one provider, with its prices. */
  @ValidationRule(
      value = "!has(self.imagePricing) || has(self.imagePricing.outputTokensPerImage) || self.outputPricePerMillion.matches('^0+(\\\\.0+)?$')",
      message = "imagePricing.outputTokensPerImage is required when outputPricePerMillion is not 0 (it bounds the reservation)")
  @ValidationRule(
      value = "!has(self.audioPricing) || has(self.audioPricing.outputTokensPerCharacter) || has(self.audioPricing.outputTokensPerMinute) || self.outputPricePerMillion.matches('^0+(\\\\.0+)?$')",
      message = "audioPricing.outputTokensPerCharacter (speech) or audioPricing.outputTokensPerMinute (transcription) is required when outputPricePerMillion is not 0 (it bounds the reservation)")
  public static class Target {

    @Required
    @JsonPropertyDescription("Name of a provider in spec.providers.")
    private String provider;

    @Required
    @Size(max = 200)
    @JsonPropertyDescription("Model name sent upstream, e.g. `gpt-4o-mini-2024-07-18` or an Azure deployment name.")
    private String model;

    @Default("0")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Lower is tried first; 0 (default) = primary.")
    private int priority;

    @Default("1")
    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Relative share of traffic among targets of equal priority. Default 1.")
    private int weight = 1;

    @Required
    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million input tokens, decimal string in the tenant's currency, e.g. \"2.50\".")
    private String inputPricePerMillion;

    @Required
    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million output tokens, decimal string, e.g. \"10.00\".")
    private String outputPricePerMillion;

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million prompt tokens served from the provider's prompt cache (OpenAI `cached_tokens`, Anthropic cache reads, Gemini cached content), decimal string, e.g. \"0.075\". At most inputPricePerMillion. Default: inputPricePerMillion.")
    private String cachedInputPricePerMillion;

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million prompt tokens written to the provider's prompt cache (Anthropic cache writes), decimal string, e.g. \"3.75\". Spend reservations use it when it is above inputPricePerMillion. Default: inputPricePerMillion.")
    private String cacheWritePricePerMillion;

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million prompt tokens written to the provider's prompt cache for one hour (Anthropic `ttl: 1h` cache writes, listed at twice the input price), decimal string, e.g. \"6.00\". Spend reservations use it when it is the dearest prompt price. Default: cacheWritePricePerMillion.")
    private String cacheWriteLongPricePerMillion;

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one thousand web searches the provider runs itself (Anthropic's `web_search` server tool, the Responses API's `web_search` tool, chat `web_search_options`), billed per search on top of tokens, decimal string, e.g. \"10.00\". Unset (default): web search is not priced, and a request that enables it is not sent to this target (refused with `tool_not_priced` when no target of the route has a price).")
    private String webSearchPricePerThousand;

    @JsonPropertyDescription("What images generated here cost (`/v1/images/generations`, ADR 0049): per image by size and quality (`perImage`, DALL-E style), and/or the tokens the provider reports (GPT image models) at inputPricePerMillion (text), imageInputPricePerMillion and outputPricePerMillion. Unset (default): images are not priced, and an image request is not sent to this target (refused with `image_not_priced` when no target of the route has a price).")
    private ImagePricing imagePricing;

    @JsonPropertyDescription("What audio costs here (`/v1/audio/speech`, `/v1/audio/transcriptions`, `/v1/audio/translations`, ADR 0054): per million input characters (tts-1), per minute of audio billed per second (whisper-1), and/or tokens (GPT-4o audio models: text input at inputPricePerMillion, audio input at audioInputPricePerMillion, output at outputPricePerMillion) with the ceilings that bound the reservation. Unset (default): audio is not priced, and an audio request is not sent to this target (refused with `audio_not_priced` when no target of the route has a price).")
    private AudioPricing audioPricing;

    @Default("0")
    @Min(0)
    @JsonPropertyDescription("Tokens the model accepts; used by `context-length` fallback, and it bounds the reservation of a prompt holding a document the gateway cannot count (a file by id or URL, a PDF). 0 (default) = unknown: such prompts skip this target.")
    private long contextWindow;

    public Target() {}

    public Target(String provider, String model, int priority, int weight, String inputPricePerMillion, String outputPricePerMillion) {
      this.provider = provider;
      this.model = model;
      this.priority = priority;
      this.weight = weight;
      this.inputPricePerMillion = inputPricePerMillion;
      this.outputPricePerMillion = outputPricePerMillion;
    }

    public String getProvider() {
      return provider;
    }

    public void setProvider(String provider) {
      this.provider = provider;
    }

    public String getModel() {
      return model;
    }

    public void setModel(String model) {
      this.model = model;
    }

    public int getPriority() {
      return priority;
    }

    public void setPriority(int priority) {
      this.priority = priority;
    }

    public int getWeight() {
      return weight;
    }

    public void setWeight(int weight) {
      this.weight = weight;
    }

    public String getInputPricePerMillion() {
      return inputPricePerMillion;
    }

    public void setInputPricePerMillion(String inputPricePerMillion) {
      this.inputPricePerMillion = inputPricePerMillion;
    }

    public String getOutputPricePerMillion() {
      return outputPricePerMillion;
    }

    public void setOutputPricePerMillion(String outputPricePerMillion) {
      this.outputPricePerMillion = outputPricePerMillion;
    }

    public String getCachedInputPricePerMillion() {
      return cachedInputPricePerMillion;
    }

    public void setCachedInputPricePerMillion(String cachedInputPricePerMillion) {
      this.cachedInputPricePerMillion = cachedInputPricePerMillion;
    }

    public String getCacheWritePricePerMillion() {
      return cacheWritePricePerMillion;
    }

    public void setCacheWritePricePerMillion(String cacheWritePricePerMillion) {
      this.cacheWritePricePerMillion = cacheWritePricePerMillion;
    }

    public String getCacheWriteLongPricePerMillion() {
      return cacheWriteLongPricePerMillion;
    }

    public void setCacheWriteLongPricePerMillion(String cacheWriteLongPricePerMillion) {
      this.cacheWriteLongPricePerMillion = cacheWriteLongPricePerMillion;
    }

    public String getWebSearchPricePerThousand() {
      return webSearchPricePerThousand;
    }

    public void setWebSearchPricePerThousand(String webSearchPricePerThousand) {
      this.webSearchPricePerThousand = webSearchPricePerThousand;
    }

    public ImagePricing getImagePricing() {
      return imagePricing;
    }

    public void setImagePricing(ImagePricing imagePricing) {
      this.imagePricing = imagePricing;
    }

    public AudioPricing getAudioPricing() {
      return audioPricing;
    }

    public void setAudioPricing(AudioPricing audioPricing) {
      this.audioPricing = audioPricing;
    }

    public long getContextWindow() {
      return contextWindow;
    }

    public void setContextWindow(long contextWindow) {
      this.contextWindow = contextWindow;
    }
  }

  /** What images generated at one target cost. */
  public static class ImagePricing {

    @Size(max = 50)
    @JsonPropertyDescription("Prices per generated image, each for a size and quality (either left out = every one); an image is charged the dearest price that matches it, and a request whose size or quality is absent or `auto` reserves the dearest that may apply. A request for a size or quality no price matches is not sent here. Empty (default): not priced per image.")
    private List<ImagePrice> perImage = new ArrayList<>();

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million image tokens in the prompt (`input_tokens_details.image_tokens`), decimal string, e.g. \"10.00\". Default: inputPricePerMillion.")
    private String imageInputPricePerMillion;

    @Min(1)
    @Max(1_000_000)
    @JsonPropertyDescription("The most output tokens one image may report (e.g. 6240 for gpt-image-1 at high quality): the reservation's ceiling per image, and what an image is billed when the provider reports no usage. Required when outputPricePerMillion is not 0.")
    private Long outputTokensPerImage;

    public List<ImagePrice> getPerImage() {
      return perImage;
    }

    public void setPerImage(List<ImagePrice> perImage) {
      this.perImage = perImage == null ? new ArrayList<>() : perImage;
    }

    public String getImageInputPricePerMillion() {
      return imageInputPricePerMillion;
    }

    public void setImageInputPricePerMillion(String imageInputPricePerMillion) {
      this.imageInputPricePerMillion = imageInputPricePerMillion;
    }

    public Long getOutputTokensPerImage() {
      return outputTokensPerImage;
    }

    public void setOutputTokensPerImage(Long outputTokensPerImage) {
      this.outputTokensPerImage = outputTokensPerImage;
    }
  }

  /** What speech, transcriptions and translations cost at one target (ADR 0054). */
  @ValidationRule(
      value = "has(self.pricePerMillionCharacters) || has(self.pricePerMinute) || has(self.audioTokensPerMinute) || has(self.outputTokensPerCharacter)",
      message = "audioPricing needs pricePerMillionCharacters, pricePerMinute, audioTokensPerMinute or outputTokensPerCharacter")
  @ValidationRule(
      value = "!has(self.audioInputPricePerMillion) || has(self.audioTokensPerMinute)",
      message = "audioPricing.audioTokensPerMinute is required when audioInputPricePerMillion is set (it bounds the reservation)")
  public static class AudioPricing {

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million characters of speech input (`input` of `/v1/audio/speech`; tts-1: \"15.00\", tts-1-hd: \"30.00\"), decimal string. Unset: not priced per character.")
    private String pricePerMillionCharacters;

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one minute of transcribed or translated audio (whisper-1: \"0.006\"), billed per second and rounded up to a whole micro-unit, decimal string. Unset: not priced per minute.")
    private String pricePerMinute;

    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one million audio input tokens (`usage.input_token_details.audio_tokens` of a transcription; gpt-4o-transcribe: \"6.00\"), decimal string. Default: inputPricePerMillion. Needs audioTokensPerMinute.")
    private String audioInputPricePerMillion;

    @Min(1)
    @Max(1_000_000)
    @JsonPropertyDescription("The most audio input tokens one minute of audio may report: the reservation's ceiling, and what is billed when the provider reports no usage. Set it to bill audio input in tokens.")
    private Long audioTokensPerMinute;

    @Min(1)
    @Max(1_000_000)
    @JsonPropertyDescription("The most output (text) tokens one minute of audio may produce in a transcription: the reservation's ceiling, and what is billed when the provider reports no usage. Required for transcription when outputPricePerMillion is not 0.")
    private Long outputTokensPerMinute;

    @Min(1)
    @Max(10_000)
    @JsonPropertyDescription("The most audio output tokens one input character may produce in speech (gpt-4o-mini-tts): the reservation's ceiling and, as a speech answer reports no usage, what is billed. Required for speech when outputPricePerMillion is not 0.")
    private Long outputTokensPerCharacter;

    public String getPricePerMillionCharacters() {
      return pricePerMillionCharacters;
    }

    public void setPricePerMillionCharacters(String pricePerMillionCharacters) {
      this.pricePerMillionCharacters = pricePerMillionCharacters;
    }

    public String getPricePerMinute() {
      return pricePerMinute;
    }

    public void setPricePerMinute(String pricePerMinute) {
      this.pricePerMinute = pricePerMinute;
    }

    public String getAudioInputPricePerMillion() {
      return audioInputPricePerMillion;
    }

    public void setAudioInputPricePerMillion(String audioInputPricePerMillion) {
      this.audioInputPricePerMillion = audioInputPricePerMillion;
    }

    public Long getAudioTokensPerMinute() {
      return audioTokensPerMinute;
    }

    public void setAudioTokensPerMinute(Long audioTokensPerMinute) {
      this.audioTokensPerMinute = audioTokensPerMinute;
    }

    public Long getOutputTokensPerMinute() {
      return outputTokensPerMinute;
    }

    public void setOutputTokensPerMinute(Long outputTokensPerMinute) {
      this.outputTokensPerMinute = outputTokensPerMinute;
    }

    public Long getOutputTokensPerCharacter() {
      return outputTokensPerCharacter;
    }

    public void setOutputTokensPerCharacter(Long outputTokensPerCharacter) {
      this.outputTokensPerCharacter = outputTokensPerCharacter;
    }
  }

  /** The price of one generated image of a size and quality. */
  public static class ImagePrice {

    @Size(max = 20)
    @Pattern("^[0-9]{1,5}x[0-9]{1,5}$")
    @JsonPropertyDescription("Image size as the images API names it, e.g. `1024x1024`, `1792x1024`. Unset: every size.")
    private String size;

    @Size(max = 20)
    @Pattern("^[a-z]+$")
    @JsonPropertyDescription("Image quality as the images API names it: `standard`, `hd` (DALL-E 3), `low`, `medium`, `high` (GPT image models). Unset: every quality.")
    private String quality;

    @Required
    @Pattern(Formats.AMOUNT)
    @JsonPropertyDescription("Provider price of one image, decimal string in the tenant's currency, e.g. \"0.040\".")
    private String price;

    public ImagePrice() {}

    public ImagePrice(String size, String quality, String price) {
      this.size = size;
      this.quality = quality;
      this.price = price;
    }

    public String getSize() {
      return size;
    }

    public void setSize(String size) {
      this.size = size;
    }

    public String getQuality() {
      return quality;
    }

    public void setQuality(String quality) {
      this.quality = quality;
    }

    public String getPrice() {
      return price;
    }

    public void setPrice(String price) {
      this.price = price;
    }
  }

  /** Retry settings. */
  public static class Retry {

    @Default("3")
    @Min(1)
    @Max(10)
    @JsonPropertyDescription("Attempts across all targets, the first included. Default 3.")
    private int maxAttempts = 3;

    @Default("200ms")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Base backoff between attempts on the same target, doubled each time, e.g. `200ms`. Default `200ms`.")
    private String backoff = "200ms";

    @Default("5s")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Upper bound of one backoff, also of an honoured `Retry-After`. Default `5s`.")
    private String maxBackoff = "5s";

    public int getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public String getBackoff() {
      return backoff;
    }

    public void setBackoff(String backoff) {
      this.backoff = backoff;
    }

    public String getMaxBackoff() {
      return maxBackoff;
    }

    public void setMaxBackoff(String maxBackoff) {
      this.maxBackoff = maxBackoff;
    }
  }

  /** Timeout settings. */
  public static class Timeouts {

    @Default("5s")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("TCP/TLS connect timeout per attempt. Default `5s`.")
    private String connect = "5s";

    @Default("60s")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Time to the first response byte per attempt. Default `60s`.")
    private String firstByte = "60s";

    @Default("600s")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Whole request, all attempts and streaming included. Default `600s`.")
    private String total = "600s";

    public String getConnect() {
      return connect;
    }

    public void setConnect(String connect) {
      this.connect = connect;
    }

    public String getFirstByte() {
      return firstByte;
    }

    public void setFirstByte(String firstByte) {
      this.firstByte = firstByte;
    }

    public String getTotal() {
      return total;
    }

    public void setTotal(String total) {
      this.total = total;
    }
  }

  /**
   * Target cooldown settings (LiteLLM's allowed_fails / cooldown_time, Envoy's outlier detection
   * consecutive_5xx / base_ejection_time / max_ejection_time).
   */
  public static class Cooldown {

    @Default("3")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Consecutive failures of a target (connect error, timeout, 429, 5xx, a stream cut mid-way) that put it in "
        + "cooldown: routing then tries it only after every other target. Default 3.")
    private int failureThreshold = 3;

    @Default("10s")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Length of the first cooldown, e.g. `10s`; then one request probes the target, and a failed probe doubles "
        + "the cooldown. At least `1ms`. Default `10s`.")
    private String baseDuration = "10s";

    @Default("300s")
    @Pattern(Formats.DURATION)
    @JsonPropertyDescription("Upper bound of a cooldown, a doubled one or one a 429's `Retry-After` asks for; not below `baseDuration`. "
        + "Default `300s`.")
    private String maxDuration = "300s";

    public int getFailureThreshold() {
      return failureThreshold;
    }

    public void setFailureThreshold(int failureThreshold) {
      this.failureThreshold = failureThreshold;
    }

    public String getBaseDuration() {
      return baseDuration;
    }

    public void setBaseDuration(String baseDuration) {
      this.baseDuration = baseDuration;
    }

    public String getMaxDuration() {
      return maxDuration;
    }

    public void setMaxDuration(String maxDuration) {
      this.maxDuration = maxDuration;
    }
  }
}
