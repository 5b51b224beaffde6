package dev.tollgate.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs real Helm (helm-java) on charts/tollgate and parses what it renders. */
final class Chart {

  static final String RELEASE = "acme";
  static final String NAMESPACE = "tollgate-system";
  static final String FULLNAME = "acme-tollgate";
  /** Kubernetes version the templates are rendered for (helm template defaults to an old one). */
  static final String KUBE_VERSION = "1.31.0";

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Chart() {}

  /** The chart folder, resolved from the module folder that surefire runs in. */
  static Path dir() {
    Path chart = Path.of("tollgate").toAbsolutePath();
    if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
      chart = Path.of("charts", "tollgate").toAbsolutePath();
    }
    if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
      throw new IllegalStateException("charts/tollgate not found from " + Path.of("").toAbsolutePath());
    }
    return chart;
  }

  /** The repository root (the folder above charts/). */
  static Path repoRoot() {
    return dir().getParent().getParent();
  }

  /** Renders a first install with the given values files from src/test/resources/values (none: defaults). */
  static Rendered template(String... valuesFiles) {
    return render(Map.of(), KUBE_VERSION, valuesFiles);
  }

  /** Renders a first install for another Kubernetes version. */
  static Rendered templateForKube(String kubeVersion, String... valuesFiles) {
    return render(Map.of(), kubeVersion, valuesFiles);
  }

  /** Renders against a cluster that already holds these Secrets (name → data), as on an upgrade. */
  static Rendered upgrade(Map<String, Map<String, String>> liveSecrets, String... valuesFiles) {
    return render(liveSecrets, KUBE_VERSION, valuesFiles);
  }

  private static synchronized Rendered render(
      Map<String, Map<String, String>> liveSecrets, String kubeVersion, String... valuesFiles) {
    FakeKubeApi.get().secrets(liveSecrets);
    TemplateCommand cmd =
        new Helm(dir()).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(kubeVersion);
    for (String file : valuesFiles) {
      cmd = cmd.withValuesFile(valuesFile(file));
    }
    return Rendered.parse(cmd.call());
  }

  /** Renders and returns the error Helm reports; fails the test if Helm renders instead. */
  static String templateError(String... valuesFiles) {
    try {
      Rendered rendered = template(valuesFiles);
      throw new AssertionError("Helm rendered " + rendered.docs().size() + " objects; expected it to reject the values");
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  static Path valuesFile(String name) {
    try {
      var url = Chart.class.getResource("/values/" + name);
      if (url == null) {
        throw new IllegalArgumentException("no test values file " + name);
      }
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The objects of one `helm template` run. */
  record Rendered(List<JsonNode> docs) {

    static Rendered parse(String manifest) {
      List<JsonNode> docs = new ArrayList<>();
      try (var parser = YAML.getFactory().createParser(manifest)) {
        for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isNull() && !doc.isEmpty()) {
            docs.add(doc);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Helm rendered YAML that does not parse:\n" + manifest, e);
      }
      return new Rendered(List.copyOf(docs));
    }

    List<JsonNode> ofKind(String kind) {
      return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
      return ofKind(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst();
    }

    JsonNode get(String kind, String name) {
      return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + names()));
    }

    /** The first container of a Deployment or StatefulSet. */
    JsonNode container(String kind, String name) {
      return get(kind, name).path("spec").path("template").path("spec").path("containers").get(0);
    }

    List<String> names() {
      return docs.stream().map(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText()).toList();
    }
  }

  /** The env entry of a container, or a missing node. */
  static JsonNode env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (name.equals(e.path("name").asText())) {
        return e;
      }
    }
    return YAML.missingNode();
  }

  static String envValue(JsonNode container, String name) {
    JsonNode e = env(container, name);
    if (e.isMissingNode()) {
      throw new AssertionError("no env " + name + " in " + container.path("env"));
    }
    return e.path("value").asText();
  }
}
