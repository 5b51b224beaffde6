package dev.tollgate.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Assertions on the generated CRD YAML that a user relies on (kubectl get/explain, status subresource). */
class CrdStructureTest {

  @Test
  @SuppressWarnings("unchecked")
  void everyCrdIsNamespacedWithStatusSubresourceShortNamesAndUsefulColumns() {
    Map<String, Map<String, Object>> crds = GeneratedCrds.byKind();
    assertThat(crds).containsOnlyKeys("Tenant", "ApiKey", "SpendCap", "RoutePolicy");
    crds.forEach((kind, crd) -> {
      Map<String, Object> spec = (Map<String, Object>) crd.get("spec");
      assertThat(spec.get("group")).isEqualTo("tollgate.dev");
      assertThat(spec.get("scope")).isEqualTo("Namespaced");
      Map<String, Object> names = (Map<String, Object>) spec.get("names");
      assertThat((List<String>) names.get("shortNames")).as(kind).isNotEmpty();
      assertThat((List<String>) names.get("categories")).containsExactly("tollgate");
      Map<String, Object> version = (Map<String, Object>) ((List<Object>) spec.get("versions")).get(0);
      assertThat(version.get("name")).isEqualTo("v1alpha1");
      assertThat((Map<String, Object>) version.get("subresources")).containsKey("status");
      List<String> columns = ((List<Map<String, Object>>) version.get("additionalPrinterColumns")).stream()
          .map(c -> (String) c.get("name")).toList();
      assertThat(columns).as(kind).contains("Ready", "Reason", "Age");
      Map<String, Object> status = (Map<String, Object>) ((Map<String, Object>) GeneratedCrds.schema(crd).get("properties")).get("status");
      Map<String, Object> statusProps = (Map<String, Object>) status.get("properties");
      assertThat(statusProps).containsKeys("observedGeneration", "conditions");
      Map<String, Object> condition = (Map<String, Object>) ((Map<String, Object>) statusProps.get("conditions")).get("items");
      assertThat((Map<String, Object>) condition.get("properties"))
          .containsKeys("type", "status", "reason", "message", "lastTransitionTime", "observedGeneration");
    });
    assertThat(columnsOf(crds.get("ApiKey"))).contains("Prefix", "Tenant");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyFieldHasADescriptionForKubectlExplain() {
    List<String> undocumented = new ArrayList<>();
    GeneratedCrds.byKind().forEach((kind, crd) -> {
      Map<String, Object> props = (Map<String, Object>) GeneratedCrds.schema(crd).get("properties");
      for (String top : List.of("spec", "status")) {
        collectUndocumented(kind + "." + top, (Map<String, Object>) props.get(top), undocumented, true);
      }
    });
    assertThat(undocumented).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static void collectUndocumented(String path, Map<String, Object> schema, List<String> out, boolean root) {
    if (!root && !schema.containsKey("description")) {
      out.add(path);
    }
    if (schema.get("properties") instanceof Map<?, ?> props) {
      ((Map<String, Object>) props).forEach((k, v) -> collectUndocumented(path + "." + k, (Map<String, Object>) v, out, false));
    }
    if (schema.get("items") instanceof Map<?, ?> items && ((Map<String, Object>) items).get("properties") != null) {
      ((Map<String, Map<String, Object>>) ((Map<String, Object>) items).get("properties"))
          .forEach((k, v) -> collectUndocumented(path + "[]." + k, v, out, false));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> columnsOf(Map<String, Object> crd) {
    Map<String, Object> version = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
    return ((List<Map<String, Object>>) version.get("additionalPrinterColumns")).stream().map(c -> (String) c.get("name")).toList();
  }
}
