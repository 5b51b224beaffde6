package dev.tollgate.operator.projection;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.RoutePolicySpec;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.CredentialSealer;
import dev.tollgate.schema.RoutePlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * RoutePolicy (+ the credentials read from its Secrets) → {@link RoutePlan}. Pure apart from the
 * random nonce of sealing; {@link RoutePlan#version()} is a hash of the resolved content, so it is the
 * same for the same spec, credentials and sealing key, and changes when any of them changes.
 */
public final class RoutePolicyProjection {

  /** Fallback triggers when a route names none. */
  public static final List<String> DEFAULT_FALLBACK = List.of("connect-error", "timeout", "429", "5xx");

  private static final ObjectMapper JSON = new ObjectMapper();

  private RoutePolicyProjection() {}

  /**
   * @param credentials provider name → plaintext API key, for every provider with a credentialsRef
   * @param sealer seals credentials; may be null only when {@code credentials} is empty
   * @param sealerFingerprint identifies the sealing key, so a new key yields a new version
   */
  public static RoutePlan of(RoutePolicy policy, Map<String, String> credentials, CredentialSealer sealer, String sealerFingerprint) {
    RoutePolicySpec spec = Specs.require(policy.getSpec());
    String policyId = policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName();
    long generation = Specs.generation(policy);
    // Versioned content: credentials stand in as their hash, never in clear and never as a random sealing.
    RoutePlan fingerprinted = plan(policyId, generation, null, spec, credentials, c -> "sha256:" + ApiKeys.sha256Hex(c));
    String version = version(fingerprinted, sealerFingerprint);
    if (!credentials.isEmpty() && sealer == null) {
      throw new ProblemException(new Problem(Problem.CREDENTIALS_KEY_MISSING,
          "providers reference credentials but the operator has no TOLLGATE_CREDENTIALS_KEY to seal them"));
    }
    return plan(policyId, generation, version, spec, credentials, c -> sealer.seal(c, policyId));
  }

  private static RoutePlan plan(String policyId, long generation, String version, RoutePolicySpec spec,
      Map<String, String> credentials, UnaryOperator<String> protect) {
    if (spec.getProviders().isEmpty()) {
      throw Problem.invalid("providers must list at least one provider");
    }
    if (spec.getRoutes().isEmpty()) {
      throw Problem.invalid("routes must list at least one route");
    }
    Map<String, RoutePlan.Provider> providers = new LinkedHashMap<>();
    for (RoutePolicySpec.Provider p : spec.getProviders()) {
      if (p.getName() == null || p.getType() == null) {
        throw Problem.invalid("every provider needs a name and a type");
      }
      if (providers.containsKey(p.getName())) {
        throw Problem.invalid("provider names must be unique");
      }
      String credential = credentials.get(p.getName());
      vertexSettings(p, credential);
      providers.put(p.getName(), new RoutePlan.Provider(wireName(p.getType()), baseUrl(p), p.getApiVersion(),
          credential == null ? null : protect.apply(credential), p.getHeaders(), p.getProject(), p.getLocation()));
    }
    List<RoutePlan.Route> routes = new ArrayList<>();
    for (RoutePolicySpec.Route r : spec.getRoutes()) {
      if (r.getMatch() == null || r.getTargets().isEmpty()) {
        throw Problem.invalid("every route needs a match and at least one target");
      }
      List<RoutePlan.Target> targets = new ArrayList<>();
      for (RoutePolicySpec.Target t : r.getTargets()) {
        if (!providers.containsKey(t.getProvider())) {
          throw Problem.invalid("every route target must name a provider listed in spec.providers (route " + r.getMatch()
              + " names '" + t.getProvider() + "')");
        }
        targets.add(target(t));
      }
      List<String> fallback = r.getFallbackOn() == null
          ? DEFAULT_FALLBACK : r.getFallbackOn().stream().map(RoutePolicyProjection::wireName).toList();
      routes.add(new RoutePlan.Route(r.getMatch(), targets, fallback));
    }
    RoutePolicySpec.Retry retry = spec.getRetry() == null ? new RoutePolicySpec.Retry() : spec.getRetry();
    RoutePolicySpec.Timeouts timeouts = spec.getTimeouts() == null ? new RoutePolicySpec.Timeouts() : spec.getTimeouts();
    return new RoutePlan(policyId, generation, version, providers, routes,
        new RoutePlan.Retry(retry.getMaxAttempts(), millis("retry.backoff", retry.getBackoff()), millis("retry.maxBackoff", retry.getMaxBackoff())),
        new RoutePlan.Timeouts(millis("timeouts.connect", timeouts.getConnect()), millis("timeouts.firstByte", timeouts.getFirstByte()),
            millis("timeouts.total", timeouts.getTotal())),
        cooldown(spec.getCooldown()));
  }

  /** Null when the spec has no cooldown block: the plan leaves it out, and the gateway applies the defaults. */
  private static RoutePlan.Cooldown cooldown(RoutePolicySpec.Cooldown c) {
    if (c == null) {
      return null;
    }
    if (c.getFailureThreshold() < 1) {
      throw Problem.invalid("cooldown.failureThreshold must be at least 1, got " + c.getFailureThreshold());
    }
    long base = millis("cooldown.baseDuration", c.getBaseDuration());
    long max = millis("cooldown.maxDuration", c.getMaxDuration());
    if (base <= 0) {
      throw Problem.invalid("cooldown.baseDuration must be positive, got '" + c.getBaseDuration() + "'");
    }
    if (max < base) {
      throw Problem.invalid("cooldown.maxDuration (" + c.getMaxDuration() + ") must not be below cooldown.baseDuration ("
          + c.getBaseDuration() + ")");
    }
    return new RoutePlan.Cooldown(c.getFailureThreshold(), base, max);
  }

  private static RoutePlan.Target target(RoutePolicySpec.Target t) {
    long input = Specs.micros("inputPricePerMillion", t.getInputPricePerMillion());
    Long cached = optionalMicros("cachedInputPricePerMillion", t.getCachedInputPricePerMillion());
    if (cached != null && cached > input) {
      // a cache hit is never dearer than the uncached prompt: most likely two prices were swapped
      throw Problem.invalid("cachedInputPricePerMillion (" + t.getCachedInputPricePerMillion()
          + ") must not exceed inputPricePerMillion (" + t.getInputPricePerMillion() + ") for target "
          + t.getProvider() + "/" + t.getModel());
    }
    long output = Specs.micros("outputPricePerMillion", t.getOutputPricePerMillion());
    return new RoutePlan.Target(t.getProvider(), t.getModel(), t.getPriority(), Math.max(1, t.getWeight()),
        input, output, t.getContextWindow(),
        cached, optionalMicros("cacheWritePricePerMillion", t.getCacheWritePricePerMillion()),
        optionalMicros("cacheWriteLongPricePerMillion", t.getCacheWriteLongPricePerMillion()),
        optionalMicros("webSearchPricePerThousand", t.getWebSearchPricePerThousand()),
        imagePricing(t, output), audioPricing(t, output));
  }

  /**
   * Null when the target sets no audio prices: the plan leaves them out, and the gateway sends no
   * audio request there (ADR 0054). The CRD's rules, again here: a price of some kind; audio input
   * tokens with their ceiling; output tokens that cost anything with a ceiling.
   */
  private static RoutePlan.AudioPricing audioPricing(RoutePolicySpec.Target t, long outputMicrosPerMillion) {
    RoutePolicySpec.AudioPricing p = t.getAudioPricing();
    if (p == null) {
      return null;
    }
    String target = " (target " + t.getProvider() + "/" + t.getModel() + ")";
    if (p.getPricePerMillionCharacters() == null && p.getPricePerMinute() == null && p.getAudioTokensPerMinute() == null
        && p.getOutputTokensPerCharacter() == null) {
      throw Problem.invalid("audioPricing needs pricePerMillionCharacters, pricePerMinute, audioTokensPerMinute or "
          + "outputTokensPerCharacter" + target);
    }
    if (p.getAudioInputPricePerMillion() != null && p.getAudioTokensPerMinute() == null) {
      throw Problem.invalid("audioPricing.audioTokensPerMinute is required when audioInputPricePerMillion is set" + target);
    }
    if (outputMicrosPerMillion > 0 && p.getOutputTokensPerCharacter() == null && p.getOutputTokensPerMinute() == null) {
      throw Problem.invalid("audioPricing.outputTokensPerCharacter (speech) or audioPricing.outputTokensPerMinute "
          + "(transcription) is required when outputPricePerMillion is not 0" + target);
    }
    ceiling("audioPricing.audioTokensPerMinute", p.getAudioTokensPerMinute(), 1_000_000);
    ceiling("audioPricing.outputTokensPerMinute", p.getOutputTokensPerMinute(), 1_000_000);
    ceiling("audioPricing.outputTokensPerCharacter", p.getOutputTokensPerCharacter(), 10_000);
    return new RoutePlan.AudioPricing(
        optionalMicros("audioPricing.pricePerMillionCharacters", p.getPricePerMillionCharacters()),
        optionalMicros("audioPricing.pricePerMinute", p.getPricePerMinute()),
        optionalMicros("audioPricing.audioInputPricePerMillion", p.getAudioInputPricePerMillion()),
        p.getAudioTokensPerMinute(), p.getOutputTokensPerMinute(), p.getOutputTokensPerCharacter());
  }

  /** A ceiling, when set, from 1 to {@code max}: bounded so that the reservation's arithmetic stays far from overflowing. */
  private static void ceiling(String field, Long value, long max) {
    if (value != null && (value < 1 || value > max)) {
      throw Problem.invalid(field + " must be between 1 and " + max + ", got " + value);
    }
  }

  /**
   * Null when the target sets no image prices: the plan leaves them out, and the gateway sends no
   * image request there (ADR 0049). Output tokens that cost anything need a ceiling per image, or
   * the reservation could not be bounded (the CRD's rule, again here).
   */
  private static RoutePlan.ImagePricing imagePricing(RoutePolicySpec.Target t, long outputMicrosPerMillion) {
    RoutePolicySpec.ImagePricing p = t.getImagePricing();
    if (p == null) {
      return null;
    }
    if (outputMicrosPerMillion > 0 && p.getOutputTokensPerImage() == null) {
      throw Problem.invalid("imagePricing.outputTokensPerImage is required when outputPricePerMillion is not 0 (target "
          + t.getProvider() + "/" + t.getModel() + ")");
    }
    if (p.getOutputTokensPerImage() != null && (p.getOutputTokensPerImage() < 1 || p.getOutputTokensPerImage() > 1_000_000)) {
      // bounded: n x this x the output price must stay far from overflowing the reservation
      throw Problem.invalid("imagePricing.outputTokensPerImage must be between 1 and 1000000, got " + p.getOutputTokensPerImage());
    }
    List<RoutePlan.ImagePrice> perImage = new ArrayList<>(p.getPerImage().size());
    for (RoutePolicySpec.ImagePrice each : p.getPerImage()) {
      perImage.add(new RoutePlan.ImagePrice(each.getSize(), each.getQuality(), Specs.micros("imagePricing.perImage.price", each.getPrice())));
    }
    return new RoutePlan.ImagePricing(perImage,
        optionalMicros("imagePricing.imageInputPricePerMillion", p.getImageInputPricePerMillion()), p.getOutputTokensPerImage());
  }

  /**
   * Null when the field is unset: the plan leaves it out, and the gateway applies the input price
   * (the cache-write price, for the long cache-write price; for the web search price, none: the
   * target does not take requests that enable web search).
   */
  private static Long optionalMicros(String field, String amount) {
    return amount == null ? null : Specs.micros(field, amount);
  }

  private static String version(RoutePlan fingerprinted, String sealerFingerprint) {
    // Generation is left out: an edit that resolves to the same plan keeps its version.
    RoutePlan content = new RoutePlan(fingerprinted.policy(), 0, null, fingerprinted.providers(), fingerprinted.routes(),
        fingerprinted.retry(), fingerprinted.timeouts(), fingerprinted.cooldown());
    return ApiKeys.sha256Hex(ConfigCodec.toJson(content) + "|" + sealerFingerprint).substring(0, 16);
  }

  /**
   * A vertex-ai provider has a project, a location and a service-account key; no other type has a
   * project or location (the CRD's rules, again here because a projection must not trust that they
   * ran). The key is checked for shape only, and the message never quotes it.
   */
  private static void vertexSettings(RoutePolicySpec.Provider p, String credential) {
    if (p.getType() != RoutePolicySpec.ProviderType.VERTEX_AI) {
      if (p.getProject() != null || p.getLocation() != null) {
        throw Problem.invalid("project and location apply only to vertex-ai providers (provider " + p.getName() + ")");
      }
      return;
    }
    if (p.getProject() == null || p.getLocation() == null || p.getCredentialsRef() == null) {
      throw Problem.invalid("vertex-ai providers need project, location and credentialsRef (a service-account key) (provider "
          + p.getName() + ")");
    }
    String missing = serviceAccountKeyProblem(credential);
    if (missing != null) {
      throw Problem.invalid("credentialsRef of vertex-ai provider " + p.getName() + " must hold a Google service-account key file "
          + "(JSON): " + missing);
    }
  }

  /** What a service-account key file lacks, or null when it has what the gateway needs to mint tokens. */
  static String serviceAccountKeyProblem(String json) {
    JsonNode key;
    try {
      key = JSON.readTree(json);
    } catch (IOException e) {
      return "it is not JSON";
    }
    if (key == null || !key.isObject()) {
      return "it is not a JSON object";
    }
    if (!"service_account".equals(key.path("type").asText())) {
      return "its type is not service_account";
    }
    if (key.path("client_email").asText().isBlank()) {
      return "it has no client_email";
    }
    if (!key.path("private_key").asText().contains("-----BEGIN PRIVATE KEY-----")) {
      return "its private_key is not a PKCS#8 PEM (BEGIN PRIVATE KEY)";
    }
    String tokenUri = key.path("token_uri").asText("");
    if (!tokenUri.isEmpty() && !tokenUri.startsWith("https://") && !tokenUri.startsWith("http://")) {
      return "its token_uri is not an http(s) URL";
    }
    return null;
  }

  static String baseUrl(RoutePolicySpec.Provider p) {
    if (p.getBaseUrl() != null && !p.getBaseUrl().isBlank()) {
      return p.getBaseUrl();
    }
    return switch (p.getType()) {
      case OPENAI -> "https://api.openai.com/v1";
      case ANTHROPIC -> "https://api.anthropic.com";
      case GEMINI -> "https://generativelanguage.googleapis.com";
      // Google's global endpoint has no location in its host name
      case VERTEX_AI -> "global".equals(p.getLocation())
          ? "https://aiplatform.googleapis.com" : "https://" + p.getLocation() + "-aiplatform.googleapis.com";
      default -> throw Problem.invalid("baseUrl is required for azure-openai and openai-compatible providers (provider " + p.getName() + ")");
    };
  }

  private static long millis(String field, String duration) {
    try {
      return Durations.parse(duration).toMillis();
    } catch (IllegalArgumentException e) {
      throw Problem.invalid(field + ": " + e.getMessage());
    }
  }

  /** The YAML spelling of an enum constant ({@code @JsonProperty}), also used in the stored plan. */
  static String wireName(Enum<?> value) {
    try {
      JsonProperty p = value.getDeclaringClass().getField(value.name()).getAnnotation(JsonProperty.class);
      return p == null ? value.name() : p.value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
