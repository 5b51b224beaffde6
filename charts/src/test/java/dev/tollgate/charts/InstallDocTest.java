package dev.tollgate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/install.md documents every value of values.yaml, with its default. */
class InstallDocTest {

  @Test
  void valuesTableListsEveryValueWithItsDefault() throws IOException {
    JsonNode values = Chart.YAML.readTree(Chart.dir().resolve("values.yaml").toFile());
    String doc = Files.readString(Chart.repoRoot().resolve("docs/install.md"));

    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, JsonNode> leaf : leaves(values, "")) {
      String row = "\n| `" + leaf.getKey() + "` | ";
      int at = doc.indexOf(row);
      if (at < 0) {
        missing.add(leaf.getKey());
        continue;
      }
      JsonNode value = leaf.getValue();
      if (value.isValueNode()) {
        String shown = value.isTextual() && value.asText().isEmpty() ? "\"\"" : value.asText();
        String line = doc.substring(at + 1, doc.indexOf('\n', at + 1));
        assertThat(line).as("default of %s in docs/install.md", leaf.getKey()).contains("`" + shown + "`");
      }
    }
    assertThat(missing).as("values missing from the table in docs/install.md").isEmpty();
  }

  /** Leaf values; `resources` and empty maps count as leaves (free-form Kubernetes fragments). */
  private static List<Map.Entry<String, JsonNode>> leaves(JsonNode node, String path) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    if (node.isObject() && !node.isEmpty() && !path.endsWith("resources")) {
      node.fields().forEachRemaining(e ->
          out.addAll(leaves(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey())));
    } else {
      out.add(Map.entry(path, node));
    }
    return out;
  }
}
