package dev.tollgate.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every manifest in {@code examples/} is valid against the CRDs, and its references resolve within the folder. */
class ExamplesTest {

  @Test
  @SuppressWarnings("unchecked")
  void everyExampleIsValidAndEveryReferenceResolves() throws IOException {
    Path dir = GeneratedCrds.repoRoot().resolve("examples");
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
        try (MappingIterator<Map<String, Object>> it = GeneratedCrds.YAML.readerFor(Map.class).readValues(Files.readString(f))) {
          while (it.hasNext()) {
            Map<String, Object> doc = it.next();
            if (doc != null && !doc.isEmpty()) {
              doc.put("__file", f.getFileName().toString());
              docs.add(doc);
            }
          }
        }
      }
    }
    Set<String> defined = new HashSet<>();
    for (Map<String, Object> doc : docs) {
      String file = (String) doc.remove("__file");
      String kind = (String) doc.get("kind");
      String name = (String) ((Map<String, Object>) doc.get("metadata")).get("name");
      defined.add(kind + "/" + name);
      if ("tollgate.dev/v1alpha1".equals(doc.get("apiVersion"))) {
        assertThat(CrdValidator.forKind(kind).validate(doc, null)).as("%s: %s %s", file, kind, name).isEmpty();
      } else {
        assertThat(kind).as("%s: only our kinds and Secrets belong in examples/", file).isEqualTo("Secret");
        assertThat(doc).as("%s: Secret %s", file, name).containsKey("stringData");
      }
    }
    assertThat(defined.stream().map(d -> d.substring(0, d.indexOf('/'))).distinct())
        .contains("Tenant", "ApiKey", "SpendCap", "RoutePolicy");
    for (Map<String, Object> doc : docs) {
      Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
      if (spec == null) {
        continue;
      }
      requireRef(defined, "Tenant", spec.get("tenantRef"));
      requireRef(defined, "RoutePolicy", spec.get("routePolicyRef"));
      requireRef(defined, "ApiKey", spec.get("apiKeyRef"));
      requireRef(defined, "Secret", spec.get("importFrom"));
      if (spec.get("providers") instanceof List<?> providers) {
        providers.forEach(p -> requireRef(defined, "Secret", ((Map<String, Object>) p).get("credentialsRef")));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void requireRef(Set<String> defined, String kind, Object ref) {
    if (ref instanceof Map<?, ?> m) {
      assertThat(defined).as("reference to a %s defined in examples/", kind).contains(kind + "/" + ((Map<String, Object>) m).get("name"));
    }
  }
}
