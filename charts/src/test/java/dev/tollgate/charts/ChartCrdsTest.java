package dev.tollgate.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart ships a copy of the generated CRDs (Helm installs charts/tollgate/crds/ before anything
 * else). The copy must equal the repository's crds/, which the operator build generates.
 */
class ChartCrdsTest {

  private static final Path CHART_CRDS = Chart.dir().resolve("crds");
  private static final Path ROOT_CRDS = Chart.repoRoot().resolve("crds");

  @Test
  void chartCrdsEqualTheGeneratedOnes() throws IOException {
    Map<String, String> generated = manifests(ROOT_CRDS);
    assumeTrue(!generated.isEmpty(), "no generated CRDs in " + ROOT_CRDS + " yet");

    assertThat(manifests(CHART_CRDS))
        .as("charts/tollgate/crds/ differs from crds/: run `cp crds/*.yml charts/tollgate/crds/`")
        .isEqualTo(generated);
  }

  @Test
  void chartCrdsAreTheFourTollgateKinds() throws IOException {
    Map<String, String> shipped = manifests(CHART_CRDS);
    assumeTrue(!shipped.isEmpty(), "no CRDs copied into " + CHART_CRDS + " yet");

    assertThat(shipped.keySet()).containsExactlyInAnyOrder(
        "tenants.tollgate.dev-v1.yml", "apikeys.tollgate.dev-v1.yml",
        "spendcaps.tollgate.dev-v1.yml", "routepolicies.tollgate.dev-v1.yml");
    for (String yaml : shipped.values()) {
      JsonNode crd = Chart.YAML.readTree(yaml);
      assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
      assertThat(crd.path("kind").asText()).isEqualTo("CustomResourceDefinition");
      assertThat(crd.at("/spec/group").asText()).isEqualTo("tollgate.dev");
      assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    }
  }

  @Test
  void templatedRbacCoversEveryShippedKind() throws IOException {
    Map<String, String> shipped = manifests(CHART_CRDS);
    assumeTrue(!shipped.isEmpty(), "no CRDs copied into " + CHART_CRDS + " yet");

    JsonNode rule = Chart.template().get("ClusterRole", Chart.FULLNAME + "-operator").at("/rules/0");
    for (String yaml : shipped.values()) {
      String plural = Chart.YAML.readTree(yaml).at("/spec/names/plural").asText();
      assertThat(rule.path("resources").toString()).as("ClusterRole resources").contains("\"" + plural + "\"");
    }
  }

  /** File name → content of the YAML manifests in a folder (empty when the folder does not exist). */
  private static Map<String, String> manifests(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).toList()) {
        out.put(f.getFileName().toString(), Files.readString(f));
      }
    }
    return out;
  }
}
