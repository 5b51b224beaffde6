package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutePlanProviderTest {

  @Test
  void aVertexProviderKeepsItsProjectAndLocationAndOtherProvidersEncodeAsBefore() {
    RoutePlan.Provider vertex = new RoutePlan.Provider("vertex-ai", "https://europe-west4-aiplatform.googleapis.com",
        null, "sealed", Map.of(), "acme-prod", "europe-west4");
    String json = ConfigCodec.toJson(vertex);
    assertThat(json).isEqualTo("{\"type\":\"vertex-ai\",\"baseUrl\":\"https://europe-west4-aiplatform.googleapis.com\","
        + "\"sealedCredential\":\"sealed\",\"headers\":{},\"project\":\"acme-prod\",\"location\":\"europe-west4\"}");
    assertThat(ConfigCodec.fromJson(json, RoutePlan.Provider.class)).isEqualTo(vertex);

    RoutePlan.Provider openAi = new RoutePlan.Provider("openai", "https://api.openai.com/v1", null, "sealed", null);
    assertThat(ConfigCodec.toJson(openAi)).doesNotContain("project").doesNotContain("location");
    assertThat(ConfigCodec.fromJson(ConfigCodec.toJson(openAi), RoutePlan.Provider.class)).isEqualTo(openAi);
  }
}
