package dev.tollgate.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.operator.Crds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code crds/} (what users and the Helm chart install) must equal what this build generated from
 * the Java classes. Run with {@code -Dtollgate.updateGenerated=true} to copy the generated files over.
 */
class CrdsInSyncTest {

  @Test
  void committedCrdsEqualTheGeneratedOnes() throws IOException {
    Path committed = GeneratedCrds.repoRoot().resolve("crds");
    boolean update = Boolean.getBoolean("tollgate.updateGenerated");
    for (String f : Crds.FILES) {
      String generated = Files.readString(GeneratedCrds.generatedDir().resolve(f));
      Path target = committed.resolve(f);
      if (update) {
        Files.createDirectories(committed);
        Files.writeString(target, generated);
      }
      assertThat(target).as("crds/%s is missing: run ./mvnw -pl operator -am verify -Dtollgate.updateGenerated=true", f).exists();
      assertThat(Files.readString(target))
          .as("crds/%s differs from the generated CRD: run ./mvnw -pl operator -am verify -Dtollgate.updateGenerated=true", f)
          .isEqualTo(generated);
    }
    try (var files = Files.list(committed)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("stale files in crds/").containsExactlyInAnyOrderElementsOf(Crds.FILES);
    }
  }
}
