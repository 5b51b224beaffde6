package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutePlanCooldownTest {

  static final Map<String, RoutePlan.Provider> PROVIDERS =
      Map.of("p", new RoutePlan.Provider("openai", "https://api.openai.com/v1", null, null, null));
  static final List<RoutePlan.Route> ROUTES = List.of(
      new RoutePlan.Route("gpt-*", List.of(new RoutePlan.Target("p", "m", 0, 1, 100, 200, 0)), List.of("5xx")));

  @Test
  void aPlanWithoutCooldownEncodesAsBeforeAndOldPlansDecodeToTheDefaults() {
    RoutePlan old = new RoutePlan("ns/rp", 2, "v1", PROVIDERS, ROUTES, new RoutePlan.Retry(3, 200, 5_000),
        new RoutePlan.Timeouts(5_000, 60_000, 600_000));
    String json = ConfigCodec.toJson(old);
    assertThat(json).isEqualTo("{\"policy\":\"ns/rp\",\"generation\":2,\"version\":\"v1\","
        + "\"providers\":{\"p\":{\"type\":\"openai\",\"baseUrl\":\"https://api.openai.com/v1\",\"headers\":{}}},"
        + "\"routes\":[{\"match\":\"gpt-*\",\"targets\":[{\"provider\":\"p\",\"model\":\"m\",\"priority\":0,\"weight\":1,"
        + "\"inputMicrosPerMillion\":100,\"outputMicrosPerMillion\":200,\"contextWindow\":0}],\"fallbackOn\":[\"5xx\"]}],"
        + "\"retry\":{\"maxAttempts\":3,\"backoffMs\":200,\"maxBackoffMs\":5000},"
        + "\"timeouts\":{\"connectMs\":5000,\"firstByteMs\":60000,\"totalMs\":600000}}");
    RoutePlan decoded = ConfigCodec.fromJson(json, RoutePlan.class);
    assertThat(decoded).isEqualTo(old);
    assertThat(decoded.cooldown()).isNull();
    assertThat(decoded.effectiveCooldown()).isEqualTo(new RoutePlan.Cooldown(3, 10_000, 300_000));
  }

  @Test
  void cooldownSettingsRoundTripDeterministically() {
    RoutePlan plan = new RoutePlan("ns/rp", 2, "v1", PROVIDERS, ROUTES, null, null, new RoutePlan.Cooldown(1, 2_000, 60_000));
    String json = ConfigCodec.toJson(plan);
    assertThat(json).endsWith(",\"cooldown\":{\"failureThreshold\":1,\"baseMs\":2000,\"maxMs\":60000}}");
    RoutePlan decoded = ConfigCodec.fromJson(json, RoutePlan.class);
    assertThat(decoded).isEqualTo(plan);
    assertThat(decoded.effectiveCooldown()).isEqualTo(plan.cooldown());
    assertThat(ConfigCodec.toJson(decoded)).isEqualTo(json);
  }
}
