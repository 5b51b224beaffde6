package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestRendererTest {

  private static final String POLICY = """
      apiVersion: tollgate.dev/v1alpha1
      kind: RoutePolicy
      metadata:
        name: default
        namespace: agency
      spec:
        providers:
          - name: openai
            type: openai
            baseUrl: https://api.openai.com/v1
            credentialsRef: {name: openai-credentials, key: apiKey}
          - name: claude
            type: anthropic
            baseUrl: https://api.anthropic.com
            credentialsRef: {name: anthropic-credentials, key: apiKey}
          - name: vertex
            type: vertex-ai
            project: acme-prod
            location: europe-west4
            credentialsRef: {name: vertex-sa, key: key.json}
      ---
      apiVersion: tollgate.dev/v1alpha1
      kind: Tenant
      metadata: {name: acme, namespace: agency}
      spec: {displayName: Acme}
      """;

  @Test
  void providersWithoutAKeyGoToTheDemoAndGivenKeysBecomeSecrets(@TempDir Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("policy.yaml"), POLICY);
    var renderer = new ManifestRenderer(Map.of("ANTHROPIC_API_KEY", "sk-ant-real"), "http://127.0.0.1:9/v1");

    var result = renderer.render(src, dir.resolve("out"));

    String out = Files.readString(dir.resolve("out/manifests.yaml"));
    assertThat(out).contains("kind: \"Tenant\"").contains("kind: \"Secret\"")
        .contains("name: \"anthropic-credentials\"")
        .contains(java.util.Base64.getEncoder().encodeToString("sk-ant-real".getBytes()))
        .contains("baseUrl: \"https://api.anthropic.com\"")
        .contains("baseUrl: \"http://127.0.0.1:9/v1\"")
        .doesNotContain("api.openai.com")
        .doesNotContain("vertex-ai").doesNotContain("acme-prod").doesNotContain("europe-west4");
    assertThat(result.notes()).anyMatch(n -> n.contains("'openai'") && n.contains("DEMO") && n.contains("OPENAI_API_KEY"))
        .anyMatch(n -> n.contains("'claude'") && n.contains("uses your ANTHROPIC_API_KEY"));
    assertThat(String.join("\n", result.notes())).doesNotContain("sk-ant-real");
  }

  @Test
  void noticesEditsAndNewFiles(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), POLICY);
    long before = ManifestRenderer.lastModified(dir);
    Files.writeString(dir.resolve("b.yml"), POLICY);
    assertThat(ManifestRenderer.lastModified(dir)).isNotEqualTo(before);
  }
}
