package dev.tollgate.operator.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.operator.Fixtures;
import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.operator.api.v1alpha1.Billing;
import dev.tollgate.operator.api.v1alpha1.ModelMarkup;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.operator.api.v1alpha1.RoutePolicySpec;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.CredentialSealer;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RoutePlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure CR → record mappings, no I/O. */
class ProjectionsTest {

  static final CredentialSealer SEALER = CredentialSealer.fromBase64(CredentialSealer.newKeyBase64());

  @Test
  void billingPlansBecomeExactPricing() {
    assertThat(TenantProjection.pricing(new Billing(Billing.Plan.PercentageMarkup, "USD", "12.5", null)))
        .isEqualTo(new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 125_000, 0));
    assertThat(TenantProjection.pricing(new Billing(Billing.Plan.FixedFeePlusMarkup, "EUR", "10", "499.00")))
        .isEqualTo(new Pricing(Pricing.FIXED_FEE_PLUS_MARKUP, "EUR", 100_000, 499_000_000));
    assertThat(TenantProjection.pricing(new Billing(Billing.Plan.Flat, "USD", null, "1500")))
        .isEqualTo(new Pricing(Pricing.FLAT, "USD", 0, 1_500_000_000));
    assertThat(TenantProjection.pricing(null)).isEqualTo(Pricing.passThrough("USD"));
    assertThatThrownBy(() -> TenantProjection.pricing(new Billing(Billing.Plan.Flat, "USD", "5", "10")))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().reason()).isEqualTo(Problem.INVALID_SPEC));
  }

  @Test
  void modelMarkupsKeepTheirOrderInPartsPerMillion() {
    Billing b = new Billing(Billing.Plan.FixedFeePlusMarkup, "USD", "20", "99");
    b.setModelMarkups(List.of(new ModelMarkup("gpt-4o", "40"), new ModelMarkup("claude-opus-*", "55.5")));
    assertThat(TenantProjection.pricing(b)).isEqualTo(new Pricing(Pricing.FIXED_FEE_PLUS_MARKUP, "USD", 200_000, 99_000_000,
        List.of(new Pricing.ModelMarkup("gpt-4o", 400_000), new Pricing.ModelMarkup("claude-opus-*", 555_000))));

    Billing flat = new Billing(Billing.Plan.Flat, "USD", null, "10");
    flat.setModelMarkups(List.of(new ModelMarkup("gpt-4o", "40")));
    assertThatThrownBy(() -> TenantProjection.pricing(flat))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().message()).contains("modelMarkups"));
  }

  @Test
  void routePlanVersionFollowsContentNotTheRandomSealing() {
    RoutePolicy p = Fixtures.policy("ns", "p", "creds");
    RoutePlan a = RoutePolicyProjection.of(p, Map.of("openai", "sk-1"), SEALER, "k1");
    RoutePlan b = RoutePolicyProjection.of(p, Map.of("openai", "sk-1"), SEALER, "k1");
    assertThat(a.providers().get("openai").sealedCredential()).isNotEqualTo(b.providers().get("openai").sealedCredential());
    assertThat(a.version()).isEqualTo(b.version());
    assertThat(RoutePolicyProjection.of(p, Map.of("openai", "sk-2"), SEALER, "k1").version()).isNotEqualTo(a.version());
    assertThat(RoutePolicyProjection.of(p, Map.of("openai", "sk-1"), SEALER, "k2").version()).isNotEqualTo(a.version());
    assertThat(a.providers().get("openai").baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(a.routes().get(0).fallbackOn()).isEqualTo(RoutePolicyProjection.DEFAULT_FALLBACK);
    assertThat(a.timeouts()).isEqualTo(new RoutePlan.Timeouts(5_000, 60_000, 600_000));
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of("openai", "sk-1"), null, "none"))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().reason()).isEqualTo(Problem.CREDENTIALS_KEY_MISSING));
  }

  @Test
  void cooldownSettingsProjectIntoThePlanAndAnAbsentBlockLeavesThePlanAsBefore() {
    RoutePolicy p = Fixtures.policy("ns", "p");
    RoutePlan plain = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(plain.cooldown()).as("absent: the stored plan has no cooldown field").isNull();
    assertThat(ConfigCodec.toJson(plain)).doesNotContain("cooldown");
    assertThat(plain.effectiveCooldown()).isEqualTo(new RoutePlan.Cooldown(3, 10_000, 300_000));

    RoutePolicySpec.Cooldown c = new RoutePolicySpec.Cooldown();
    p.getSpec().setCooldown(c);
    assertThat(RoutePolicyProjection.of(p, Map.of(), null, "none").cooldown())
        .as("an empty block: the CRD's defaults, written out").isEqualTo(RoutePlan.Cooldown.DEFAULT);
    c.setFailureThreshold(1);
    c.setBaseDuration("2s");
    c.setMaxDuration("1m");
    RoutePlan plan = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(plan.cooldown()).isEqualTo(new RoutePlan.Cooldown(1, 2_000, 60_000));
    assertThat(plan.version()).as("a cooldown change is a new version").isNotEqualTo(plain.version());

    c.setMaxDuration("1s");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().reason()).isEqualTo(Problem.INVALID_SPEC))
        .hasMessageContaining("cooldown.maxDuration (1s) must not be below cooldown.baseDuration (2s)");
    c.setMaxDuration("1m");
    c.setBaseDuration("0s");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("cooldown.baseDuration must be positive, got '0s'");
    c.setBaseDuration("2 seconds");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("cooldown.baseDuration: duration must be");
    c.setBaseDuration("2s");
    c.setFailureThreshold(0);
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("cooldown.failureThreshold must be at least 1, got 0");
  }

  @Test
  void cachePricesProjectIntoTheTargetAndUnsetOnesStayUnset() {
    RoutePolicy p = Fixtures.policy("ns", "p");
    RoutePolicySpec.Target t = p.getSpec().getRoutes().get(0).getTargets().get(0);
    RoutePlan.Target plain = RoutePolicyProjection.of(p, Map.of(), null, "none").routes().get(0).targets().get(0);
    assertThat(plain.cachedInputMicrosPerMillion()).isNull();
    assertThat(plain.cacheWriteMicrosPerMillion()).isNull();
    String before = RoutePolicyProjection.of(p, Map.of(), null, "none").version();

    t.setCachedInputPricePerMillion("0.075");
    t.setCacheWritePricePerMillion("0.1875");
    RoutePlan plan = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(plan.routes().get(0).targets().get(0)).isEqualTo(
        new RoutePlan.Target("openai", "gpt-4o-mini", 0, 1, 150_000, 600_000, 0).withCachePrices(75_000L, 187_500L));
    assertThat(plan.version()).as("a price change is a new version").isNotEqualTo(before);
    assertThat(ConfigCodec.toJson(plan)).as("an unset 1-hour price stays out of the plan").doesNotContain("cacheWriteLong");

    t.setCacheWriteLongPricePerMillion("0.30");
    RoutePlan withLong = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(withLong.routes().get(0).targets().get(0)).isEqualTo(
        new RoutePlan.Target("openai", "gpt-4o-mini", 0, 1, 150_000, 600_000, 0)
            .withCachePrices(75_000L, 187_500L)
            .withCacheWriteLongPrice(300_000L));
    assertThat(withLong.version()).isNotEqualTo(plan.version());
    t.setCacheWriteLongPricePerMillion("-0.30");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("cacheWriteLongPricePerMillion must not be negative, got '-0.30'");
    t.setCacheWriteLongPricePerMillion(null);

    t.setWebSearchPricePerThousand("10.00");
    RoutePlan withSearch = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(withSearch.routes().get(0).targets().get(0)).isEqualTo(
        new RoutePlan.Target("openai", "gpt-4o-mini", 0, 1, 150_000, 600_000, 0)
            .withCachePrices(75_000L, 187_500L)
            .withWebSearchPrice(10_000_000L));
    assertThat(withSearch.version()).isNotEqualTo(plan.version());
    assertThat(ConfigCodec.toJson(plan)).as("an unset web search price stays out of the plan").doesNotContain("webSearch");
    t.setWebSearchPricePerThousand("-10.00");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("webSearchPricePerThousand must not be negative, got '-10.00'");
    t.setWebSearchPricePerThousand(null);

    t.setCachedInputPricePerMillion("0.30");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().reason()).isEqualTo(Problem.INVALID_SPEC))
        .hasMessageContaining("cachedInputPricePerMillion (0.30) must not exceed inputPricePerMillion (0.15)");
    t.setCachedInputPricePerMillion(null);
    t.setCacheWritePricePerMillion("-1.25");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("cacheWritePricePerMillion must not be negative, got '-1.25'");
  }

  @Test
  void imagePricesProjectIntoTheTargetAndATokenPricedOneNeedsAnOutputCeiling() {
    RoutePolicy p = Fixtures.policy("ns", "p");
    RoutePolicySpec.Target t = p.getSpec().getRoutes().get(0).getTargets().get(0);
    RoutePlan plain = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(ConfigCodec.toJson(plain)).as("unset image prices stay out of the plan").doesNotContain("image");

    RoutePolicySpec.ImagePricing images = new RoutePolicySpec.ImagePricing();
    images.setPerImage(List.of(new RoutePolicySpec.ImagePrice("1024x1024", "standard", "0.04"),
        new RoutePolicySpec.ImagePrice("1024x1024", null, "0.08")));
    images.setImageInputPricePerMillion("10.00");
    images.setOutputTokensPerImage(6_240L);
    t.setImagePricing(images);
    RoutePlan priced = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(priced.routes().get(0).targets().get(0)).isEqualTo(
        new RoutePlan.Target("openai", "gpt-4o-mini", 0, 1, 150_000, 600_000, 0).withImagePricing(new RoutePlan.ImagePricing(
            List.of(new RoutePlan.ImagePrice("1024x1024", "standard", 40_000), new RoutePlan.ImagePrice("1024x1024", null, 80_000)),
            10_000_000L, 6_240L)));
    assertThat(priced.version()).as("an image price is a new version").isNotEqualTo(plain.version());

    images.setOutputTokensPerImage(null);
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().reason()).isEqualTo(Problem.INVALID_SPEC))
        .hasMessageContaining("imagePricing.outputTokensPerImage is required when outputPricePerMillion is not 0");
    t.setOutputPricePerMillion("0.00");
    assertThat(RoutePolicyProjection.of(p, Map.of(), null, "none").routes().get(0).targets().get(0).imagePricing().outputTokensPerImage())
        .as("free output tokens need no ceiling").isNull();
    images.setPerImage(List.of(new RoutePolicySpec.ImagePrice(null, "hd", "-0.08")));
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("imagePricing.perImage.price must not be negative, got '-0.08'");
  }

  @Test
  void audioPricesProjectIntoTheTargetAndTokenPricedAudioNeedsItsCeilings() {
    RoutePolicy p = Fixtures.policy("ns", "p");
    RoutePolicySpec.Target t = p.getSpec().getRoutes().get(0).getTargets().get(0);
    RoutePlan plain = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(ConfigCodec.toJson(plain)).as("unset audio prices stay out of the plan").doesNotContain("audio");

    RoutePolicySpec.AudioPricing audio = new RoutePolicySpec.AudioPricing();
    audio.setPricePerMinute("0.006");
    audio.setAudioInputPricePerMillion("6.00");
    audio.setAudioTokensPerMinute(1_500L);
    audio.setOutputTokensPerMinute(1_000L);
    t.setAudioPricing(audio);
    RoutePlan priced = RoutePolicyProjection.of(p, Map.of(), null, "none");
    assertThat(priced.routes().get(0).targets().get(0)).isEqualTo(
        new RoutePlan.Target("openai", "gpt-4o-mini", 0, 1, 150_000, 600_000, 0)
            .withAudioPricing(new RoutePlan.AudioPricing(null, 6_000L, 6_000_000L, 1_500L, 1_000L, null)));
    assertThat(priced.version()).as("an audio price is a new version").isNotEqualTo(plain.version());

    audio.setOutputTokensPerMinute(null);
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().reason()).isEqualTo(Problem.INVALID_SPEC))
        .hasMessageContaining("audioPricing.outputTokensPerCharacter (speech) or audioPricing.outputTokensPerMinute");
    t.setOutputPricePerMillion("0.00");
    audio.setAudioTokensPerMinute(null);
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("audioPricing.audioTokensPerMinute is required when audioInputPricePerMillion is set");
    audio.setAudioInputPricePerMillion(null);
    audio.setPricePerMinute(null);
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("audioPricing needs pricePerMillionCharacters, pricePerMinute");
    audio.setPricePerMillionCharacters("-15.00");
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("audioPricing.pricePerMillionCharacters must not be negative, got '-15.00'");
    audio.setPricePerMillionCharacters("15.00");
    audio.setOutputTokensPerCharacter(20_000L);
    assertThatThrownBy(() -> RoutePolicyProjection.of(p, Map.of(), null, "none"))
        .hasMessageContaining("audioPricing.outputTokensPerCharacter must be between 1 and 10000, got 20000");
  }

  static final String SERVICE_ACCOUNT_KEY = "{\"type\":\"service_account\",\"project_id\":\"acme-prod\","
      + "\"private_key_id\":\"0123abcd\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAS\\n"
      + "-----END PRIVATE KEY-----\\n\",\"client_email\":\"tollgate@acme-prod.iam.gserviceaccount.com\","
      + "\"token_uri\":\"https://oauth2.googleapis.com/token\"}";

  /** A policy whose only provider is a vertex-ai one named {@code vertex} (key {@code key.json}). */
  static RoutePolicy vertexPolicy(String project, String location) {
    RoutePolicy p = Fixtures.policy("ns", "p");
    RoutePolicySpec.Provider vertex = new RoutePolicySpec.Provider("vertex", RoutePolicySpec.ProviderType.VERTEX_AI, null,
        new dev.tollgate.operator.api.v1alpha1.SecretKeyRef("vertex-sa", "key.json"));
    vertex.setProject(project);
    vertex.setLocation(location);
    p.getSpec().setProviders(List.of(vertex));
    p.getSpec().getRoutes().get(0).getTargets().get(0).setProvider("vertex");
    return p;
  }

  @Test
  void aVertexAiProviderProjectsItsProjectLocationEndpointAndSealedKey() {
    RoutePlan plan = RoutePolicyProjection.of(vertexPolicy("acme-prod", "europe-west4"),
        Map.of("vertex", SERVICE_ACCOUNT_KEY), SEALER, "k1");
    RoutePlan.Provider vertex = plan.providers().get("vertex");
    assertThat(vertex.type()).isEqualTo("vertex-ai");
    assertThat(vertex.project()).isEqualTo("acme-prod");
    assertThat(vertex.location()).isEqualTo("europe-west4");
    assertThat(vertex.baseUrl()).isEqualTo("https://europe-west4-aiplatform.googleapis.com");
    assertThat(SEALER.open(vertex.sealedCredential(), "ns/p")).isEqualTo(SERVICE_ACCOUNT_KEY);
    assertThat(ConfigCodec.toJson(plan)).doesNotContain("PRIVATE KEY");

    RoutePlan global = RoutePolicyProjection.of(vertexPolicy("acme-prod", "global"), Map.of("vertex", SERVICE_ACCOUNT_KEY),
        SEALER, "k1");
    assertThat(global.providers().get("vertex").baseUrl()).isEqualTo("https://aiplatform.googleapis.com");
    assertThat(global.version()).isNotEqualTo(plan.version());
  }

  @Test
  void aVertexAiProviderNeedsItsSettingsAndAServiceAccountKeyWhichNoMessageQuotes() {
    String secret = "sk-not-a-service-account-key-0123456789";
    for (var c : List.of(
        Map.entry(secret, "must hold a Google service-account key file (JSON): it is not JSON"),
        Map.entry("{\"type\":\"authorized_user\",\"refresh_token\":\"" + secret + "\"}", "its type is not service_account"),
        Map.entry(SERVICE_ACCOUNT_KEY.replace("tollgate@acme-prod.iam.gserviceaccount.com", ""), "it has no client_email"),
        Map.entry(SERVICE_ACCOUNT_KEY.replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY"), "is not a PKCS#8 PEM"))) {
      assertThatThrownBy(() -> RoutePolicyProjection.of(vertexPolicy("acme-prod", "us-central1"), Map.of("vertex", c.getKey()),
          SEALER, "k1"))
          .isInstanceOfSatisfying(ProblemException.class, e -> {
            assertThat(e.problem().reason()).isEqualTo(Problem.INVALID_SPEC);
            assertThat(e.problem().message()).contains("credentialsRef of vertex-ai provider vertex").contains(c.getValue())
                .doesNotContain(secret).doesNotContain("MIIEvQ");
          });
    }
    assertThatThrownBy(() -> RoutePolicyProjection.of(vertexPolicy(null, "us-central1"), Map.of("vertex", SERVICE_ACCOUNT_KEY),
        SEALER, "k1"))
        .hasMessageContaining("vertex-ai providers need project, location and credentialsRef");
    RoutePolicy openAiWithProject = Fixtures.policy("ns", "p");
    openAiWithProject.getSpec().getProviders().get(0).setLocation("us-central1");
    assertThatThrownBy(() -> RoutePolicyProjection.of(openAiWithProject, Map.of(), null, "none"))
        .hasMessageContaining("project and location apply only to vertex-ai providers");
  }

  @Test
  void keyModelsMustStayWithinTheTenants() {
    Tenant tenant = Fixtures.tenant("ns", "t", "p");
    tenant.getSpec().setAllowedModels(List.of("gpt-4o*"));
    ApiKey key = Fixtures.apiKey("ns", "k", "t");
    key.getSpec().setAllowedModels(List.of("gpt-4o-mini", "gpt-4o-*"));
    assertThat(ApiKeyProjection.of(key, tenant).allowedModels()).containsExactly("gpt-4o-mini", "gpt-4o-*");
    key.getSpec().setAllowedModels(List.of("claude-*"));
    assertThatThrownBy(() -> ApiKeyProjection.of(key, tenant)).hasMessageContaining("claude-*");
  }

  @Test
  void durationsHaveOneUnit() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThatThrownBy(() -> Durations.parse("1h30m")).isInstanceOf(IllegalArgumentException.class);
  }
}
