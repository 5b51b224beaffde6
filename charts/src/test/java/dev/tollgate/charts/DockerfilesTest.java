package dev.tollgate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images cannot be built here (no Docker engine), so check that each Dockerfile agrees with the
 * chart that runs it: the jar it copies is the one it starts, its user is the numeric non-root user
 * the pods run as, and it exposes the port the probes use.
 */
class DockerfilesTest {

  @ParameterizedTest
  @ValueSource(strings = {"operator", "gateway"})
  void dockerfileMatchesTheChart(String component) throws IOException {
    String dockerfile = Files.readString(Chart.repoRoot().resolve(component).resolve("Dockerfile"));
    String jar = "tollgate-" + component + ".jar";

    assertThat(instruction(dockerfile, "FROM")).isEqualTo("eclipse-temurin:17-jre");
    assertThat(instruction(dockerfile, "COPY")).contains("target/" + jar + " /app/" + jar);
    String entrypoint = instruction(dockerfile, "ENTRYPOINT");
    assertThat(entrypoint).startsWith("[\"java\"").contains("\"-XX:MaxRAMPercentage=").endsWith("\"-jar\", \"/app/" + jar + "\"]");

    JsonNode podSpec = Chart.template().get("Deployment", Chart.FULLNAME + "-" + component).at("/spec/template/spec");
    String user = instruction(dockerfile, "USER");
    assertThat(user).as("numeric USER, so that the kubelet can enforce runAsNonRoot")
        .isEqualTo(podSpec.at("/securityContext/runAsUser").asText() + ":" + podSpec.at("/securityContext/runAsGroup").asText());
    assertThat(instruction(dockerfile, "EXPOSE")).isEqualTo(podSpec.at("/containers/0/ports/0/containerPort").asText());
  }

  /** The argument of the last instruction with this keyword (the one that takes effect). */
  private static String instruction(String dockerfile, String keyword) {
    Matcher m = Pattern.compile("(?m)^" + keyword + "\\s+(.+)$").matcher(dockerfile);
    List<String> found = m.results().map(r -> r.group(1).strip()).toList();
    assertThat(found).as(keyword + " in Dockerfile").isNotEmpty();
    return found.get(found.size() - 1);
  }
}
