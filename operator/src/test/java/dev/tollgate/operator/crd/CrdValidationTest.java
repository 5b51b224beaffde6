package dev.tollgate.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven checks of the generated CRDs' schema and CEL rules: every fixture in
 * {@code src/test/resources/crd-validation/<kind>/} is either valid or fails with its expected message.
 * A fixture holds {@code object}, optionally {@code old} (for transition rules such as immutability)
 * and {@code expectedError}.
 */
class CrdValidationTest {

  static final Path FIXTURES = GeneratedCrds.repoRoot().resolve("operator/src/test/resources/crd-validation");

  static Stream<Arguments> fixtures() throws IOException {
    try (Stream<Path> files = Files.walk(FIXTURES)) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(all).hasSizeGreaterThan(20);
      return all.stream().map(p -> Arguments.of(FIXTURES.relativize(p).toString(), p));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  @SuppressWarnings("unchecked")
  void fixtureIsAcceptedOrRejectedWithItsMessage(String name, Path file) throws IOException {
    Map<String, Object> fixture = GeneratedCrds.YAML.readValue(Files.readString(file), Map.class);
    Map<String, Object> object = (Map<String, Object>) fixture.get("object");
    Map<String, Object> old = (Map<String, Object>) fixture.get("old");
    String expected = (String) fixture.get("expectedError");
    List<String> errors = CrdValidator.forKind((String) object.get("kind")).validate(object, old);
    if (expected == null) {
      assertThat(errors).as(name).isEmpty();
    } else {
      assertThat(errors).as(name).anySatisfy(e -> assertThat(e).contains(expected));
      assertThat(errors).as(name + ": only the expected error").hasSize(1);
    }
  }
}
