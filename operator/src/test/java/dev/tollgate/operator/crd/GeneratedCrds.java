package dev.tollgate.operator.crd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tollgate.operator.Crds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The CRDs this build generated (target/classes/META-INF/fabric8) and the committed copies in {@code crds/}. */
public final class GeneratedCrds {

  static final ObjectMapper YAML = new YAMLMapper();

  private GeneratedCrds() {}

  /** The repository root (the surefire configuration passes it; the fallback works from an IDE). */
  public static Path repoRoot() {
    String root = System.getProperty("tollgate.repo.root");
    return root != null ? Path.of(root).toAbsolutePath().normalize() : Path.of("..").toAbsolutePath().normalize();
  }

  static Path generatedDir() {
    return repoRoot().resolve("operator/target/classes/META-INF/fabric8");
  }

  /** kind → parsed CRD. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> byKind() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (String f : Crds.FILES) {
      try {
        Map<String, Object> crd = YAML.readValue(Files.readString(generatedDir().resolve(f)), Map.class);
        Map<String, Object> names = (Map<String, Object>) ((Map<String, Object>) crd.get("spec")).get("names");
        out.put((String) names.get("kind"), crd);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** spec.versions[0].schema.openAPIV3Schema of a CRD. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> schema(Map<String, Object> crd) {
    var version = (Map<String, Object>) ((java.util.List<Object>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
    return (Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");
  }
}
