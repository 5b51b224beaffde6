package dev.tollgate.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A resolved RoutePolicy, stored at {@link RedisKeys#routePolicy}: providers with their sealed
 * credentials, and routes from requested model names to ordered targets with prices.
 *
 * @param policy {@code <ns>/<name>}
 * @param generation the RoutePolicy's metadata.generation
 * @param version changes whenever anything in the plan changes (spec or a referenced Secret); recorded
 *     in usage records as the price/policy version
 * @param providers by name
 * @param routes in the order they are matched; the first whose {@code match} fits the model wins
 * @param retry attempts and backoff across targets
 * @param timeouts per attempt and in total
 * @param cooldown when a failing target is skipped and for how long; null (absent in stored JSON) =
 *     {@link Cooldown#DEFAULT}, so plans without it keep their bytes and version
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoutePlan(
    String policy,
    long generation,
    String version,
    Map<String, Provider> providers,
    List<Route> routes,
    Retry retry,
    Timeouts timeouts,
    Cooldown cooldown) {

  public RoutePlan {
    providers = providers == null ? Map.of() : Map.copyOf(providers);
    routes = routes == null ? List.of() : List.copyOf(routes);
    retry = retry == null ? Retry.DEFAULT : retry;
    timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
  }

  /** A plan without cooldown settings: targets cool down as {@link Cooldown#DEFAULT} says. */
  public RoutePlan(
      String policy,
      long generation,
      String version,
      Map<String, Provider> providers,
      List<Route> routes,
      Retry retry,
      Timeouts timeouts) {
    this(policy, generation, version, providers, routes, retry, timeouts, null);
  }

  /** The cooldown settings that apply: the plan's, else {@link Cooldown#DEFAULT}. */
  public Cooldown effectiveCooldown() {
    return cooldown == null ? Cooldown.DEFAULT : cooldown;
  }

  /** The first route whose pattern matches {@code model}, or null. */
  public Route routeFor(String model) {
    for (Route r : routes) {
      if (ModelPattern.matches(r.match(), model)) {
        return r;
      }
    }
    return null;
  }

  /**
   * An upstream provider.
   *
   * @param type openai, openai-compatible, azure-openai, anthropic, gemini or vertex-ai
   * @param baseUrl e.g. https://api.openai.com/v1
   * @param apiVersion Azure's api-version, or Anthropic's anthropic-version; null = adapter default
   * @param sealedCredential the API key (for vertex-ai: the service-account key JSON) sealed with
   *     {@link CredentialSealer}; null when none is needed
   * @param headers extra non-secret headers sent upstream
   * @param project Google Cloud project of a vertex-ai provider; null (absent in stored JSON) for
   *     every other type, so their plans keep their bytes and version
   * @param location Vertex AI location of a vertex-ai provider ({@code us-central1}, {@code global}
   *     ...); null for every other type
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Provider(
      String type,
      String baseUrl,
      String apiVersion,
      String sealedCredential,
      Map<String, String> headers,
      String project,
      String location) {
    public Provider {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A provider that is not on Vertex AI (no project or location). */
    public Provider(String type, String baseUrl, String apiVersion, String sealedCredential, Map<String, String> headers) {
      this(type, baseUrl, apiVersion, sealedCredential, headers, null, null);
    }
  }

  /**
   * @param match exact model name or pattern ({@link ModelPattern}) clients ask for
   * @param targets tried in ascending {@code priority}; equal priorities are balanced by weight
   * @param fallbackOn triggers that move to the next target: connect-error, timeout, 429, 5xx,
   *     context-length
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Route(String match, List<Target> targets, List<String> fallbackOn) {
    public Route {
      targets = targets == null ? List.of() : List.copyOf(targets);
      fallbackOn = fallbackOn == null ? List.of() : List.copyOf(fallbackOn);
    }
  }

  /**
   * @param provider key into {@link RoutePlan#providers}
   * @param model upstream model name
   * @param priority lower is tried first (0 = primary)
   * @param weight relative share among targets of equal priority
   * @param inputMicrosPerMillion price of one million input (prompt) tokens, micro-units
   * @param outputMicrosPerMillion price of one million output tokens, micro-units
   * @param contextWindow tokens the model accepts (0 = unknown); used by context-length fallback
   * @param cachedInputMicrosPerMillion price of one million prompt tokens served from the provider's
   *     prompt cache (OpenAI {@code cached_tokens}, Anthropic {@code cache_read_input_tokens}, Gemini
   *     {@code cachedContentTokenCount}); null (absent in stored JSON) = the input price, so a plan
   *     without it bills as before; 0 = free
   * @param cacheWriteMicrosPerMillion price of one million prompt tokens written to the provider's
   *     prompt cache (Anthropic {@code cache_creation_input_tokens}, 5-minute writes); null = the
   *     input price; 0 = free
   * @param cacheWriteLongMicrosPerMillion price of one million prompt tokens written to the provider's
   *     prompt cache for a long time (Anthropic's 1-hour writes, {@code
   *     cache_creation.ephemeral_1h_input_tokens}, listed at twice the input price); null (absent in
   *     stored JSON) = the cache-write price, so a plan without it bills as before; 0 = free
   * @param webSearchMicrosPerThousand price of one thousand web searches the provider runs itself
   *     during a call (Anthropic's {@code web_search} server tool, the Responses API's {@code
   *     web_search} tool, chat {@code web_search_options}), billed per search outside token usage;
   *     null (absent in stored JSON) = not priced, and a request that enables web search is not
   *     sent to this target (ADR 0047); 0 = free
   * @param imagePricing what images generated here cost ({@code /v1/images/generations}, ADR 0049):
   *     per image by size and quality, and/or the reported tokens at this target's input, output and
   *     {@link ImagePricing#imageInputMicrosPerMillion} prices; null (absent in stored JSON) = images
   *     not priced, and an image request is not sent to this target
   * @param audioPricing what speech and transcriptions cost here ({@code /v1/audio/*}, ADR 0054):
   *     per million input characters, per minute of audio and/or the tokens reported, with the
   *     ceilings that bound the reservation; null (absent in stored JSON) = audio not priced, and an
   *     audio request is not sent to this target
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Target(
      String provider,
      String model,
      int priority,
      int weight,
      long inputMicrosPerMillion,
      long outputMicrosPerMillion,
      long contextWindow,
      // left out of the JSON when unset: plans without cache prices keep their bytes and version
      @JsonInclude(JsonInclude.Include.NON_NULL) Long cachedInputMicrosPerMillion,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long cacheWriteMicrosPerMillion,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long cacheWriteLongMicrosPerMillion,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long webSearchMicrosPerThousand,
      @JsonInclude(JsonInclude.Include.NON_NULL) ImagePricing imagePricing,
      @JsonInclude(JsonInclude.Include.NON_NULL) AudioPricing audioPricing) {

    /** A target as stored before image prices: images not priced. */
    public Target(String provider, String model, int priority, int weight, long inputMicrosPerMillion,
        long outputMicrosPerMillion, long contextWindow, Long cachedInputMicrosPerMillion, Long cacheWriteMicrosPerMillion,
        Long cacheWriteLongMicrosPerMillion, Long webSearchMicrosPerThousand) {
      this(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow,
          cachedInputMicrosPerMillion, cacheWriteMicrosPerMillion, cacheWriteLongMicrosPerMillion, webSearchMicrosPerThousand, null);
    }

    /** A target as stored before audio prices: audio not priced. */
    public Target(String provider, String model, int priority, int weight, long inputMicrosPerMillion,
        long outputMicrosPerMillion, long contextWindow, Long cachedInputMicrosPerMillion, Long cacheWriteMicrosPerMillion,
        Long cacheWriteLongMicrosPerMillion, Long webSearchMicrosPerThousand, ImagePricing imagePricing) {
      this(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow,
          cachedInputMicrosPerMillion, cacheWriteMicrosPerMillion, cacheWriteLongMicrosPerMillion, webSearchMicrosPerThousand,
          imagePricing, null);
    }

    /** This target with a cached-input and a cache-write price (null: the input price). */
    public Target withCachePrices(Long cachedInput, Long cacheWrite) {
      return new Target(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow,
          cachedInput, cacheWrite, cacheWriteLongMicrosPerMillion, webSearchMicrosPerThousand, imagePricing, audioPricing);
    }

    /** This target with a 1-hour cache-write price (null: the cache-write price). */
    public Target withCacheWriteLongPrice(Long cacheWriteLong) {
      return new Target(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow,
          cachedInputMicrosPerMillion, cacheWriteMicrosPerMillion, cacheWriteLong, webSearchMicrosPerThousand, imagePricing,
          audioPricing);
    }

    /** This target with a web search price per thousand (null: not priced). */
    public Target withWebSearchPrice(Long perThousand) {
      return new Target(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow,
          cachedInputMicrosPerMillion, cacheWriteMicrosPerMillion, cacheWriteLongMicrosPerMillion, perThousand, imagePricing,
          audioPricing);
    }

    /** This target with image prices (null: images not priced). */
    public Target withImagePricing(ImagePricing pricing) {
      return new Target(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow,
          cachedInputMicrosPerMillion, cacheWriteMicrosPerMillion, cacheWriteLongMicrosPerMillion, webSearchMicrosPerThousand,
          pricing, audioPricing);
    }

    /** This target with audio prices (null: audio not priced). */
    public Target withAudioPricing(AudioPricing pricing) {
      return new Target(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow,
          cachedInputMicrosPerMillion, cacheWriteMicrosPerMillion, cacheWriteLongMicrosPerMillion, webSearchMicrosPerThousand,
          imagePricing, pricing);
    }

    /** A target without cache prices: cached and cache-write tokens cost the input price. */
    public Target(
        String provider,
        String model,
        int priority,
        int weight,
        long inputMicrosPerMillion,
        long outputMicrosPerMillion,
        long contextWindow) {
      this(provider, model, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion, contextWindow, null, null, null, null,
          null, null);
    }

    /** The price of cached prompt tokens that applies: the cached-input price, else the input price. */
    public long effectiveCachedInputMicrosPerMillion() {
      return cachedInputMicrosPerMillion == null ? inputMicrosPerMillion : cachedInputMicrosPerMillion;
    }

    /** The price of cache-write prompt tokens that applies: the cache-write price, else the input price. */
    public long effectiveCacheWriteMicrosPerMillion() {
      return cacheWriteMicrosPerMillion == null ? inputMicrosPerMillion : cacheWriteMicrosPerMillion;
    }

    /**
     * The price of long (1-hour) cache-write prompt tokens that applies: the long cache-write price,
     * else the cache-write price (which falls back to the input price).
     */
    public long effectiveCacheWriteLongMicrosPerMillion() {
      return cacheWriteLongMicrosPerMillion == null ? effectiveCacheWriteMicrosPerMillion() : cacheWriteLongMicrosPerMillion;
    }

    /** The highest price a prompt token can cost here, whatever part of the prompt it turns out to be. */
    public long maxPromptMicrosPerMillion() {
      return Math.max(Math.max(inputMicrosPerMillion, effectiveCachedInputMicrosPerMillion()),
          Math.max(effectiveCacheWriteMicrosPerMillion(), effectiveCacheWriteLongMicrosPerMillion()));
    }

    /** Provider cost of a call, every prompt token at the input price; rounded up per side. */
    public long costMicros(long inputTokens, long outputTokens) {
      return costMicros(inputTokens, 0, 0, outputTokens);
    }

    /**
     * Provider cost of a call whose prompt was partly served from or written to a prompt cache.
     * The prompt side is the exact sum of its three parts at their prices, rounded up once (so a
     * target without cache prices costs what {@link #costMicros(long, long)} does); the output side
     * is rounded up on its own. Counts the provider reports inconsistently are clamped: cached and
     * cache-write tokens never exceed the prompt.
     *
     * @param inputTokens all prompt tokens, cached and cache-write ones included
     * @param cachedInputTokens the part of {@code inputTokens} read from the cache
     * @param cacheWriteTokens the part of {@code inputTokens} written to the cache
     */
    public long costMicros(long inputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens) {
      return costMicros(inputTokens, cachedInputTokens, cacheWriteTokens, 0, outputTokens);
    }

    /**
     * As {@link #costMicros(long, long, long, long)}, with the cache writes split by lifetime: {@code
     * cacheWriteLongTokens} of them (Anthropic's 1-hour writes) at {@link
     * #effectiveCacheWriteLongMicrosPerMillion()}, the rest (5-minute writes) at the cache-write price.
     * Still one rounding step for the prompt side; a long-write count above the cache writes is
     * clamped to them.
     *
     * @param cacheWriteLongTokens the part of {@code cacheWriteTokens} written for the long lifetime
     */
    public long costMicros(
        long inputTokens, long cachedInputTokens, long cacheWriteTokens, long cacheWriteLongTokens, long outputTokens) {
      long in = Math.max(0, inputTokens);
      long cached = Math.min(Math.max(0, cachedInputTokens), in);
      long write = Math.min(Math.max(0, cacheWriteTokens), in - cached);
      long writeLong = Math.min(Math.max(0, cacheWriteLongTokens), write);
      long prompt = Money.costMicros(
          new long[] {in - cached - write, cached, write - writeLong, writeLong},
          new long[] {inputMicrosPerMillion, effectiveCachedInputMicrosPerMillion(), effectiveCacheWriteMicrosPerMillion(),
              effectiveCacheWriteLongMicrosPerMillion()});
      return Math.addExact(prompt, Money.costMicros(outputTokens, outputMicrosPerMillion));
    }

    /** This target serving {@code upstreamModel} (a pattern route's {@code *} target), every price kept. */
    public Target withModel(String upstreamModel) {
      return new Target(provider, upstreamModel, priority, weight, inputMicrosPerMillion, outputMicrosPerMillion,
          contextWindow, cachedInputMicrosPerMillion, cacheWriteMicrosPerMillion, cacheWriteLongMicrosPerMillion,
          webSearchMicrosPerThousand, imagePricing, audioPricing);
    }

    /**
     * Provider cost of {@code calls} web searches at {@link #webSearchMicrosPerThousand()} (0 when
     * unpriced or none), rounded up to a whole micro-unit: 3 searches at $10 per thousand are 30,000
     * micros.
     */
    public long webSearchCostMicros(long calls) {
      // per thousand = per million thousandths: one rounding step, as for tokens
      return webSearchMicrosPerThousand == null || calls <= 0 ? 0
          : Money.costMicros(Math.multiplyExact(calls, 1_000L), webSearchMicrosPerThousand);
    }

    /**
     * True if {@link #imagePricing} can bound the cost of images of {@code size} and {@code quality}
     * (null: not requested, any): there are image prices, a per-image price that applies (when the
     * target prices per image), and an output token ceiling per image when output tokens cost
     * anything.
     */
    public boolean pricesImages(String size, String quality) {
      return imagePricing != null && imagePricing.perImageMicros(size, quality) != null
          && (outputMicrosPerMillion == 0 || imagePricing.outputTokensPerImage() != null);
    }

    /**
     * The most {@code n} images of {@code size} and {@code quality} (null: any) can cost here, for a
     * prompt of {@code promptTokens}: each at the dearest per-image price that applies, plus every
     * prompt token at {@link #maxPromptMicrosPerMillion()} and {@link ImagePricing#outputTokensPerImage}
     * output tokens per image. Only for a target that {@link #pricesImages prices them}.
     */
    public long imageWorstCaseMicros(long n, String size, String quality, long promptTokens) {
      long outputTokens = imagePricing.outputTokensPerImage() == null ? 0 : Math.multiplyExact(n, imagePricing.outputTokensPerImage());
      return Math.addExact(Math.multiplyExact(n, imagePricing.perImageMicros(size, quality)),
          worstCaseCostMicros(promptTokens, outputTokens));
    }

    /**
     * Provider cost of {@code images} images of {@code size} and {@code quality} (as served: what
     * the provider reported, else what was requested; null: unknown, the dearest price that
     * applies), with the tokens the provider reported: the prompt's text tokens at the input price
     * and its {@code imageInputTokens} at the image input price (one rounding step), the output
     * tokens at the output price. Images of a size or quality no per-image price names cost the
     * dearest per-image price (never less than a priced one); 0 without image prices.
     */
    public long imageCostMicros(long images, String size, String quality, long inputTokens, long imageInputTokens,
        long outputTokens) {
      if (imagePricing == null) {
        return 0;
      }
      long each = imagePricing.chargedPerImageMicros(size, quality);
      long in = Math.max(0, inputTokens);
      long imageIn = Math.min(Math.max(0, imageInputTokens), in);
      long prompt = Money.costMicros(new long[] {in - imageIn, imageIn},
          new long[] {inputMicrosPerMillion, imagePricing.effectiveImageInputMicrosPerMillion(inputMicrosPerMillion)});
      return Math.addExact(Math.addExact(Math.multiplyExact(Math.max(0, images), each), prompt),
          Money.costMicros(outputTokens, outputMicrosPerMillion));
    }

    /**
     * True if {@link #audioPricing} can bound the cost of speech ({@code /v1/audio/speech}): a price
     * per input character or audio output tokens with their ceiling per character, and that
     * ceiling whenever output tokens cost anything (ADR 0054).
     */
    public boolean pricesSpeech() {
      return audioPricing != null
          && (audioPricing.characterMicrosPerMillion() != null || audioPricing.outputTokensPerCharacter() != null)
          && (outputMicrosPerMillion == 0 || audioPricing.outputTokensPerCharacter() != null);
    }

    /**
     * True if {@link #audioPricing} can bound the cost of a transcription or translation: a price per
     * minute or audio input tokens with their ceiling per minute, and an output ceiling per minute
     * whenever output tokens cost anything (ADR 0054).
     */
    public boolean pricesTranscription() {
      return audioPricing != null
          && (audioPricing.minuteMicros() != null || audioPricing.audioTokensPerMinute() != null)
          && (outputMicrosPerMillion == 0 || audioPricing.outputTokensPerMinute() != null);
    }

    /**
     * Provider cost of audio (ADR 0054): {@code characters} of speech input at the price per million
     * characters; {@code seconds} of audio at the price per minute, per second and rounded up once;
     * the prompt's text tokens at the input price and its {@code audioInputTokens} at the audio
     * input price (one rounding step); the output tokens at the output price. Prices that are not
     * set cost nothing; 0 without audio prices.
     *
     * @param inputTokens all input tokens, audio ones included
     * @param audioInputTokens the part of {@code inputTokens} that are audio
     */
    public long audioCostMicros(long characters, long seconds, long inputTokens, long audioInputTokens, long outputTokens) {
      if (audioPricing == null) {
        return 0;
      }
      long in = Math.max(0, inputTokens);
      long audioIn = Math.min(Math.max(0, audioInputTokens), in);
      long prompt = Money.costMicros(new long[] {in - audioIn, audioIn},
          new long[] {inputMicrosPerMillion, audioPricing.effectiveAudioInputMicrosPerMillion(inputMicrosPerMillion)});
      return Math.addExact(Math.addExact(audioPricing.characterCostMicros(characters), audioPricing.minuteCostMicros(seconds)),
          Math.addExact(prompt, Money.costMicros(outputTokens, outputMicrosPerMillion)));
    }

    /**
     * The most audio of {@code characters} input characters (speech) or at most {@code seconds}
     * long (a transcription) can cost here with a text prompt of {@code promptTokens}: the audio
     * input and output tokens at their {@link AudioPricing} ceilings. Only for a target that prices
     * the request ({@link #pricesSpeech}, {@link #pricesTranscription}).
     */
    public long audioWorstCaseMicros(long characters, long seconds, long promptTokens) {
      long audioTokens = audioPricing.audioTokenCeiling(seconds);
      return audioCostMicros(characters, seconds, Math.addExact(promptTokens, audioTokens), audioTokens,
          audioPricing.outputTokenCeiling(characters, seconds));
    }

    /**
     * The most a call can cost: every prompt token at {@link #maxPromptMicrosPerMillion()} (a prompt
     * may turn out to be all cache writes, 1-hour ones included, which can cost more than input),
     * rounded up per side.
     */
    public long worstCaseCostMicros(long promptTokens, long outputTokens) {
      return Math.addExact(
          Money.costMicros(promptTokens, maxPromptMicrosPerMillion()),
          Money.costMicros(outputTokens, outputMicrosPerMillion));
    }
  }

  /**
   * What images cost at one target (ADR 0049). An image's size and quality are matched as the
   * OpenAI images API names them ({@code 1024x1024}, {@code hd}, {@code high}...); a size or
   * quality that is not known (not requested, or {@code auto}) matches every price, so the dearest
   * one applies.
   *
   * @param perImage prices per generated image (DALL-E style); empty = not priced per image (the
   *     tokens are the price)
   * @param imageInputMicrosPerMillion price of one million image tokens in the prompt ({@code
   *     input_tokens_details.image_tokens}); null (absent in stored JSON) = the target's input price
   * @param outputTokensPerImage the most output tokens one image may report (the reservation's
   *     ceiling, e.g. 6,240 for gpt-image-1 at high quality); null = none (required when the
   *     target's output price is not 0)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ImagePricing(List<ImagePrice> perImage, Long imageInputMicrosPerMillion, Long outputTokensPerImage) {
    public ImagePricing {
      perImage = perImage == null ? List.of() : List.copyOf(perImage);
    }

    /**
     * The per-image price for {@code size} and {@code quality} (null: any): the dearest price whose
     * size and quality both match; 0 when there are no per-image prices; null when none matches
     * (the target cannot price such images).
     */
    public Long perImageMicros(String size, String quality) {
      if (perImage.isEmpty()) {
        return 0L;
      }
      Long max = null;
      for (ImagePrice p : perImage) {
        if (p.matches(size, quality) && (max == null || p.micros() > max)) {
          max = p.micros();
        }
      }
      return max;
    }

    /**
     * What one served image of {@code size} and {@code quality} (null: unknown) is charged: its
     * {@link #perImageMicros}, or the dearest per-image price when none names it (never less than a
     * priced image).
     */
    public long chargedPerImageMicros(String size, String quality) {
      Long each = perImageMicros(size, quality);
      return each != null ? each : perImageMicros(null, null);
    }

    /** The image input price that applies: its own, else {@code inputMicrosPerMillion}. */
    public long effectiveImageInputMicrosPerMillion(long inputMicrosPerMillion) {
      return imageInputMicrosPerMillion == null ? inputMicrosPerMillion : imageInputMicrosPerMillion;
    }
  }

  /**
   * What audio costs at one target (ADR 0054). The prices add up, those that are not set cost
   * nothing: classic speech models ({@code tts-1}) bill input characters, {@code whisper-1} bills
   * minutes of audio (per second), the GPT-4o audio models bill tokens (text input at the
   * target's input price, audio input at {@link #audioInputMicrosPerMillion}, output at the
   * target's output price). The token ceilings bound what is reserved, and what is billed when the
   * provider reports no usage.
   *
   * @param characterMicrosPerMillion price of one million speech input characters; null = none
   * @param minuteMicros price of one minute of transcribed or translated audio, billed per second;
   *     null = none
   * @param audioInputMicrosPerMillion price of one million audio input tokens ({@code
   *     input_token_details.audio_tokens}); null = the target's input price
   * @param audioTokensPerMinute the most audio input tokens one minute of audio may report; null =
   *     audio input is not billed in tokens
   * @param outputTokensPerMinute the most output (text) tokens one minute of audio may produce in a
   *     transcription; null = none (required when the target's output price is not 0)
   * @param outputTokensPerCharacter the most audio output tokens one input character may produce in
   *     speech ({@code gpt-4o-mini-tts}); also what is billed, as the speech answer reports no usage
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AudioPricing(Long characterMicrosPerMillion, Long minuteMicros, Long audioInputMicrosPerMillion,
      Long audioTokensPerMinute, Long outputTokensPerMinute, Long outputTokensPerCharacter) {

    /** The audio input price that applies: its own, else {@code inputMicrosPerMillion}. */
    public long effectiveAudioInputMicrosPerMillion(long inputMicrosPerMillion) {
      return audioInputMicrosPerMillion == null ? inputMicrosPerMillion : audioInputMicrosPerMillion;
    }

    /** {@code characters} at the price per million characters, rounded up; 0 when not priced. */
    public long characterCostMicros(long characters) {
      return characterMicrosPerMillion == null ? 0 : Money.costMicros(characters, characterMicrosPerMillion);
    }

    /** {@code seconds} at the price per minute ({@code seconds * price / 60}, rounded up once); 0 when not priced. */
    public long minuteCostMicros(long seconds) {
      return minuteMicros == null || seconds <= 0 ? 0 : perMinute(seconds, minuteMicros);
    }

    /** The most audio input tokens {@code seconds} of audio may report; 0 when not billed in tokens. */
    public long audioTokenCeiling(long seconds) {
      return audioTokensPerMinute == null ? 0 : perMinute(seconds, audioTokensPerMinute);
    }

    /**
     * The most output tokens: for speech ({@code characters} &gt; 0) per input character, for a
     * transcription per minute of its {@code seconds}; 0 without the ceiling.
     */
    public long outputTokenCeiling(long characters, long seconds) {
      if (characters > 0) {
        return outputTokensPerCharacter == null ? 0 : Math.multiplyExact(characters, outputTokensPerCharacter);
      }
      return outputTokensPerMinute == null ? 0 : perMinute(seconds, outputTokensPerMinute);
    }

    /** {@code seconds * perMinute / 60}, rounded up. */
    private static long perMinute(long seconds, long perMinute) {
      return seconds <= 0 ? 0 : Math.addExact(Math.multiplyExact(seconds, perMinute), 59L) / 60L;
    }
  }

  /**
   * The price of one generated image.
   *
   * @param size the image size it applies to, e.g. {@code 1024x1024}; null = every size
   * @param quality the quality it applies to, e.g. {@code standard}, {@code hd}, {@code high}; null =
   *     every quality
   * @param micros micro-units per image
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ImagePrice(String size, String quality, long micros) {

    /** True if this price applies to {@code size} and {@code quality} (null: any). */
    public boolean matches(String size, String quality) {
      return (this.size == null || size == null || this.size.equals(size))
          && (this.quality == null || quality == null || this.quality.equals(quality));
    }
  }

  /**
   * @param maxAttempts attempts across all targets, first included
   * @param backoffMs base backoff between attempts on the same target (doubled each time)
   * @param maxBackoffMs cap on one backoff, also on an honoured Retry-After
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Retry(int maxAttempts, long backoffMs, long maxBackoffMs) {
    public static final Retry DEFAULT = new Retry(3, 200, 5_000);
  }

  /**
   * When the gateway stops calling a failing target, per gateway process (ADR 0031).
   *
   * @param failureThreshold consecutive failures (connect error, timeout, 429, 5xx, a cut stream)
   *     that put a target in cooldown
   * @param baseMs the first cooldown's length; a failed probe after it doubles it
   * @param maxMs cap on a cooldown, a doubled one or one a 429's Retry-After asks for
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Cooldown(int failureThreshold, long baseMs, long maxMs) {
    public static final Cooldown DEFAULT = new Cooldown(3, 10_000, 300_000);
  }

  /** Milliseconds; 0 = the gateway's default. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Timeouts(long connectMs, long firstByteMs, long totalMs) {
    public static final Timeouts DEFAULT = new Timeouts(5_000, 60_000, 600_000);
  }
}
