package dev.tollgate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-object wiring that Helm itself never checks, for every supported value set: Services select
 * pods and name their ports, mounts name volumes, Secret references name keys that exist, and the
 * processes get only configuration names they understand.
 */
class ChartConsistencyTest {

  /** The configuration names the operator and the gateway read (COMMON_BRIEF / RedisSettings). */
  private static final Set<String> CONTRACT = Set.of(
      "TOLLGATE_REDIS_URL", "TOLLGATE_REDIS_MODE", "TOLLGATE_REDIS_MASTER_NAME", "TOLLGATE_REDIS_USERNAME",
      "TOLLGATE_REDIS_PASSWORD", "TOLLGATE_CREDENTIALS_KEY", "TOLLGATE_CREDENTIALS_KEY_FILE",
      "TOLLGATE_HTTP_PORT", "TOLLGATE_CONFIG_FILE", "TOLLGATE_HEALTH_PORT", "TOLLGATE_RESYNC_INTERVAL",
      "TOLLGATE_WATCH_NAMESPACES", "TOLLGATE_LEADER_ELECTION", "TOLLGATE_LEADER_ELECTION_NAMESPACE",
      "TOLLGATE_SHUTDOWN_GRACE", "TOLLGATE_SETTLE_SPOOL_DIR", "TOLLGATE_ACCESS_LOG");
  /** Chart-internal helper variables (not read by the processes, used for $(VAR) expansion). */
  private static final Set<String> CHART_INTERNAL = Set.of("TOLLGATE_TRUSTSTORE_PASSWORD");

  static Stream<Arguments> valueSets() {
    return Stream.of(
            new String[] {},
            new String[] {"external-cluster-tls.yaml"},
            new String[] {"external-sentinel.yaml"},
            new String[] {"namespaced.yaml"},
            new String[] {"observability.yaml"},
            new String[] {"hpa-off.yaml"},
            new String[] {"images.yaml"},
            new String[] {"external-sentinel.yaml", "observability.yaml", "namespaced.yaml"})
        .map(files -> Arguments.of(Named.of(files.length == 0 ? "defaults" : String.join(" + ", files), files)));
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void servicesSelectPodsAndTargetNamedContainerPorts(String[] files) {
    Chart.Rendered r = Chart.template(files);
    for (JsonNode svc : r.ofKind("Service")) {
      List<JsonNode> pods = podsSelectedBy(r, svc.at("/spec/selector"));
      assertThat(pods).as("pods selected by Service %s", name(svc)).isNotEmpty();
      for (JsonNode port : svc.at("/spec/ports")) {
        for (JsonNode pod : pods) {
          assertThat(containerPortNames(pod))
              .as("named container ports behind Service %s", name(svc))
              .contains(port.path("targetPort").asText());
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void serviceMonitorsPdbsAndHpasPointAtObjectsOfTheRelease(String[] files) {
    Chart.Rendered r = Chart.template(files);
    for (JsonNode sm : r.ofKind("ServiceMonitor")) {
      List<JsonNode> services = r.ofKind("Service").stream()
          .filter(s -> matches(sm.at("/spec/selector/matchLabels"), s.at("/metadata/labels"))).toList();
      assertThat(services).as("Services selected by ServiceMonitor %s", name(sm)).isNotEmpty();
      String port = sm.at("/spec/endpoints/0/port").asText();
      assertThat(services).allSatisfy(s -> assertThat(s.at("/spec/ports").findValuesAsText("name")).contains(port));
    }
    for (JsonNode pdb : r.ofKind("PodDisruptionBudget")) {
      assertThat(podsSelectedBy(r, pdb.at("/spec/selector/matchLabels"))).as("pods of PDB %s", name(pdb)).isNotEmpty();
    }
    for (JsonNode hpa : r.ofKind("HorizontalPodAutoscaler")) {
      assertThat(r.find(hpa.at("/spec/scaleTargetRef/kind").asText(), hpa.at("/spec/scaleTargetRef/name").asText())).isPresent();
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void mountsNameVolumesAndSecretReferencesNameExistingKeys(String[] files) {
    Chart.Rendered r = Chart.template(files);
    for (JsonNode workload : workloads(r)) {
      JsonNode podSpec = workload.at("/spec/template/spec");
      List<String> volumes = podSpec.path("volumes").findValuesAsText("name");
      List<String> claims = workload.at("/spec/volumeClaimTemplates").findValuesAsText("name");
      for (JsonNode c : podSpec.path("containers")) {
        for (JsonNode m : c.path("volumeMounts")) {
          assertThat(volumes.contains(m.path("name").asText()) || claims.contains(m.path("name").asText()))
              .as("%s mounts volume %s", name(workload), m.path("name").asText()).isTrue();
        }
        for (JsonNode ref : c.findValues("secretKeyRef")) {
          r.find("Secret", ref.path("name").asText()).ifPresent(secret ->
              assertThat(secret.path("data").has(ref.path("key").asText()))
                  .as("%s reads key %s of Secret %s", name(workload), ref.path("key").asText(), name(secret)).isTrue());
        }
      }
      for (JsonNode v : podSpec.path("volumes")) {
        JsonNode secretVolume = v.path("secret");
        if (!secretVolume.isMissingNode()) {
          r.find("Secret", secretVolume.path("secretName").asText()).ifPresent(secret -> {
            for (JsonNode item : secretVolume.path("items")) {
              assertThat(secret.path("data").has(item.path("key").asText())).isTrue();
            }
          });
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void processesGetOnlyContractConfigurationNames(String[] files) {
    Chart.Rendered r = Chart.template(files);
    for (String component : List.of("operator", "gateway")) {
      JsonNode c = r.container("Deployment", Chart.FULLNAME + "-" + component);
      List<String> names = c.path("env").findValuesAsText("name");
      assertThat(names).doesNotHaveDuplicates();
      assertThat(names.stream().filter(n -> n.startsWith("TOLLGATE_")))
          .allSatisfy(n -> assertThat(CONTRACT.contains(n) || CHART_INTERNAL.contains(n)).as(n).isTrue());
    }
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void everyObjectIsLabelledAndNamespacedObjectsLiveInTheReleaseNamespace(String[] files) {
    Chart.Rendered r = Chart.template(files);
    Set<String> clusterScoped = Set.of("ClusterRole", "ClusterRoleBinding");
    for (JsonNode doc : r.docs()) {
      assertThat(doc.at("/metadata/labels/app.kubernetes.io~1part-of").asText()).as(name(doc)).isEqualTo("tollgate");
      String kind = doc.path("kind").asText();
      if (clusterScoped.contains(kind)) {
        assertThat(doc.at("/metadata/namespace").isMissingNode()).as(name(doc)).isTrue();
      } else if (!kind.equals("Role") && !kind.equals("RoleBinding")) {
        assertThat(doc.at("/metadata/namespace").asText()).as(name(doc)).isEqualTo(Chart.NAMESPACE);
      }
    }
  }

  private static List<JsonNode> workloads(Chart.Rendered r) {
    List<JsonNode> out = new ArrayList<>(r.ofKind("Deployment"));
    out.addAll(r.ofKind("StatefulSet"));
    return out;
  }

  private static List<JsonNode> podsSelectedBy(Chart.Rendered r, JsonNode selector) {
    return workloads(r).stream()
        .map(w -> w.at("/spec/template"))
        .filter(t -> matches(selector, t.at("/metadata/labels")))
        .toList();
  }

  private static boolean matches(JsonNode selector, JsonNode labels) {
    if (selector.isMissingNode() || selector.isEmpty()) {
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static List<String> containerPortNames(JsonNode podTemplate) {
    return podTemplate.at("/spec/containers").findValues("ports").stream()
        .flatMap(ports -> ports.findValuesAsText("name").stream()).toList();
  }

  private static String name(JsonNode doc) {
    return doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText();
  }
}
