package dev.tollgate.charts;

import static dev.tollgate.charts.Chart.FULLNAME;
import static dev.tollgate.charts.Chart.NAMESPACE;
import static dev.tollgate.charts.Chart.envValue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's permissions: exactly what it needs, cluster-wide or per watched namespace. */
class ChartRbacTest {

  @Test
  void clusterWideModeGrantsTheResourcesSecretsAndEventsThroughAClusterRole() {
    Chart.Rendered r = Chart.template();
    JsonNode role = r.get("ClusterRole", FULLNAME + "-operator");
    List<String> grants = grants(role);

    for (String kind : List.of("tenants", "apikeys", "spendcaps", "routepolicies")) {
      assertThat(grants).contains(
          "tollgate.dev/" + kind + ":watch",
          "tollgate.dev/" + kind + ":patch",
          "tollgate.dev/" + kind + "/status:patch",
          "tollgate.dev/" + kind + "/finalizers:update");
      assertThat(grants).doesNotContain("tollgate.dev/" + kind + ":delete", "tollgate.dev/" + kind + ":create");
    }
    assertThat(grants).contains("/secrets:get", "/secrets:list", "/secrets:watch", "/secrets:create",
        "/secrets:update", "/secrets:patch", "/events:create", "/events:patch");
    assertThat(grants).noneMatch(g -> g.contains("*"));
    assertThat(grants).doesNotContain("/secrets:delete");

    JsonNode binding = r.get("ClusterRoleBinding", FULLNAME + "-operator");
    assertThat(binding.at("/roleRef/name").asText()).isEqualTo(FULLNAME + "-operator");
    assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(FULLNAME + "-operator");
    assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(r.get("Deployment", FULLNAME + "-operator").at("/spec/template/spec/serviceAccountName").asText())
        .isEqualTo(FULLNAME + "-operator");
  }

  @Test
  void leaderElectionLeaseIsGrantedOnlyInTheReleaseNamespace() {
    Chart.Rendered r = Chart.template();
    JsonNode role = r.get("Role", FULLNAME + "-operator-leader-election");
    assertThat(role.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
    assertThat(grants(role)).contains("coordination.k8s.io/leases:get", "coordination.k8s.io/leases:create",
        "coordination.k8s.io/leases:update");
    assertThat(grants(r.get("ClusterRole", FULLNAME + "-operator"))).noneMatch(g -> g.contains("leases"));
  }

  @Test
  void namespacedModeUsesRolesInEachWatchedNamespaceAndNoClusterRole() {
    Chart.Rendered r = Chart.template("namespaced.yaml");

    assertThat(r.ofKind("ClusterRole")).isEmpty();
    assertThat(r.ofKind("ClusterRoleBinding")).isEmpty();
    for (String ns : List.of("clients-a", "clients-b")) {
      JsonNode role = r.ofKind("Role").stream()
          .filter(d -> d.at("/metadata/namespace").asText().equals(ns)).findFirst()
          .orElseThrow(() -> new AssertionError("no Role in " + ns + ": " + r.names()));
      assertThat(grants(role)).contains("tollgate.dev/apikeys:watch", "/secrets:create", "/events:create");
      JsonNode binding = r.ofKind("RoleBinding").stream()
          .filter(d -> d.at("/metadata/namespace").asText().equals(ns)).findFirst().orElseThrow();
      assertThat(binding.at("/roleRef/kind").asText()).isEqualTo("Role");
      assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(NAMESPACE);
    }

    JsonNode op = r.container("Deployment", FULLNAME + "-operator");
    assertThat(envValue(op, "TOLLGATE_WATCH_NAMESPACES")).isEqualTo("clients-a,clients-b");
    // Two replicas are safe because one Lease elects the active one.
    assertThat(r.get("Deployment", FULLNAME + "-operator").at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(envValue(op, "TOLLGATE_LEADER_ELECTION")).isEqualTo("true");
    assertThat(r.find("Role", FULLNAME + "-operator-leader-election")).isPresent();
  }

  @Test
  void gatewayHasNoKubernetesApiAccess() {
    Chart.Rendered r = Chart.template();
    assertThat(r.get("ServiceAccount", FULLNAME + "-gateway").path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(r.ofKind("RoleBinding").stream().map(b -> b.at("/subjects/0/name").asText()))
        .doesNotContain(FULLNAME + "-gateway");
  }

  /** Every rule flattened to "group/resource:verb". */
  private static List<String> grants(JsonNode role) {
    List<String> out = new ArrayList<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            out.add(group.asText() + "/" + resource.asText() + ":" + verb.asText());
          }
        }
      }
    }
    return out;
  }
}
