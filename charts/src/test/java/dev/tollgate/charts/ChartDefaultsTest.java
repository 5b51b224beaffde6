package dev.tollgate.charts;

import static dev.tollgate.charts.Chart.FULLNAME;
import static dev.tollgate.charts.Chart.envValue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a plain `helm install acme tollgate` creates. */
class ChartDefaultsTest {

  private static final Chart.Rendered DEFAULTS = Chart.template();

  @ParameterizedTest
  @ValueSource(strings = {"operator", "gateway"})
  void podsRunNonRootWithReadOnlyRootAndNoCapabilities(String component) {
    JsonNode podSpec = DEFAULTS.get("Deployment", FULLNAME + "-" + component).at("/spec/template/spec");
    JsonNode pod = podSpec.path("securityContext");
    assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("runAsUser").asInt()).isEqualTo(65532);
    assertThat(pod.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");

    JsonNode container = podSpec.path("containers").get(0);
    JsonNode sc = container.path("securityContext");
    assertThat(sc.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(sc.at("/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
    assertThat(sc.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");

    // A read-only root needs a writable /tmp for the JVM.
    assertThat(mountPath(container, "tmp")).isEqualTo("/tmp");
    assertThat(volume(podSpec, "tmp").has("emptyDir")).isTrue();
    assertThat(container.at("/resources/requests/memory").asText()).isNotEmpty();
    assertThat(container.at("/resources/limits/memory").asText()).isNotEmpty();
  }

  @Test
  void operatorProbesAndMetricsUseHealthPort8081() {
    JsonNode op = DEFAULTS.container("Deployment", FULLNAME + "-operator");
    assertThat(op.at("/ports/0/containerPort").asInt()).isEqualTo(8081);
    assertThat(op.at("/ports/0/name").asText()).isEqualTo("health");
    assertThat(op.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(op.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(op.at("/readinessProbe/httpGet/port").asText()).isEqualTo("health");
    assertThat(envValue(op, "TOLLGATE_HEALTH_PORT")).isEqualTo("8081");
    assertThat(envValue(op, "TOLLGATE_RESYNC_INTERVAL")).isEqualTo("60s");
    assertThat(envValue(op, "TOLLGATE_WATCH_NAMESPACES")).isEmpty();
    assertThat(envValue(op, "TOLLGATE_LEADER_ELECTION")).isEqualTo("true");
    assertThat(Chart.env(op, "TOLLGATE_LEADER_ELECTION_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText())
        .isEqualTo("metadata.namespace");

    JsonNode metrics = DEFAULTS.get("Service", FULLNAME + "-operator-metrics");
    assertThat(metrics.at("/spec/ports/0/port").asInt()).isEqualTo(8081);
  }

  @Test
  void gatewayServesOn8080WithProbesHpaAndPdb() {
    JsonNode deployment = DEFAULTS.get("Deployment", FULLNAME + "-gateway");
    JsonNode gw = DEFAULTS.container("Deployment", FULLNAME + "-gateway");
    assertThat(envValue(gw, "TOLLGATE_HTTP_PORT")).isEqualTo("8080");
    assertThat(gw.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    assertThat(gw.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(gw.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    // The HPA owns the replica count: a fixed one would be reset on every upgrade.
    assertThat(deployment.at("/spec/replicas").isMissingNode()).isTrue();
    assertThat(deployment.at("/spec/template/spec/automountServiceAccountToken").asBoolean(true)).isFalse();

    JsonNode service = DEFAULTS.get("Service", FULLNAME + "-gateway");
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(8080);

    JsonNode hpa = DEFAULTS.get("HorizontalPodAutoscaler", FULLNAME + "-gateway");
    assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
    assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(FULLNAME + "-gateway");
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(2);
    assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
    assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(70);

    JsonNode pdb = DEFAULTS.get("PodDisruptionBudget", FULLNAME + "-gateway");
    assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    assertThat(pdb.at("/spec/selector/matchLabels"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
  }

  @Test
  void imagesDefaultToTheChartAppVersion() {
    assertThat(DEFAULTS.container("Deployment", FULLNAME + "-operator").path("image").asText())
        .isEqualTo("ghcr.io/tollgate-dev/tollgate-operator:0.1.0");
    assertThat(DEFAULTS.container("Deployment", FULLNAME + "-gateway").path("image").asText())
        .isEqualTo("ghcr.io/tollgate-dev/tollgate-gateway:0.1.0");
  }

  @Test
  void generatesOneCredentialsKeyOf32BytesSharedByOperatorAndGateway() {
    JsonNode secret = DEFAULTS.get("Secret", FULLNAME + "-credentials");
    String stored = new String(Base64.getDecoder().decode(secret.at("/data/TOLLGATE_CREDENTIALS_KEY").asText()));
    assertThat(Base64.getDecoder().decode(stored)).hasSize(32);
    assertThat(secret.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");

    for (String component : List.of("operator", "gateway")) {
      JsonNode podSpec = DEFAULTS.get("Deployment", FULLNAME + "-" + component).at("/spec/template/spec");
      JsonNode container = podSpec.path("containers").get(0);
      assertThat(volume(podSpec, "credentials").at("/secret/secretName").asText()).isEqualTo(FULLNAME + "-credentials");
      String dir = mountPath(container, "credentials");
      assertThat(envValue(container, "TOLLGATE_CREDENTIALS_KEY_FILE")).isEqualTo(dir + "/TOLLGATE_CREDENTIALS_KEY");
    }
  }

  @Test
  void keepsTheLiveCredentialsKeyAndRedisPasswordOnUpgrade() {
    String key = Base64.getEncoder().encodeToString(Base64.getEncoder().encode(new byte[32]));
    String password = Base64.getEncoder().encodeToString("kept-password".getBytes());
    Chart.Rendered upgrade = Chart.upgrade(Map.of(
        FULLNAME + "-credentials", Map.of("TOLLGATE_CREDENTIALS_KEY", key),
        FULLNAME + "-redis", Map.of("redis-password", password)));

    assertThat(upgrade.get("Secret", FULLNAME + "-credentials").at("/data/TOLLGATE_CREDENTIALS_KEY").asText()).isEqualTo(key);
    assertThat(upgrade.get("Secret", FULLNAME + "-redis").at("/data/redis-password").asText()).isEqualTo(password);
    // ...whereas two first installs get different random keys.
    assertThat(Chart.template().get("Secret", FULLNAME + "-credentials").at("/data/TOLLGATE_CREDENTIALS_KEY").asText())
        .isNotEqualTo(DEFAULTS.get("Secret", FULLNAME + "-credentials").at("/data/TOLLGATE_CREDENTIALS_KEY").asText());
  }

  @Test
  void bundledRedisIsAPersistentAppendOnlyStatefulSetByDefault() {
    JsonNode sts = DEFAULTS.get("StatefulSet", FULLNAME + "-redis");
    assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(sts.at("/spec/volumeClaimTemplates/0/spec/resources/requests/storage").asText()).isEqualTo("8Gi");
    JsonNode podSpec = sts.at("/spec/template/spec");
    assertThat(podSpec.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    JsonNode redis = podSpec.path("containers").get(0);
    assertThat(redis.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(mountPath(redis, "data")).isEqualTo("/data");
    // The password reaches Redis through a file, never its command line (readable in /proc).
    assertThat(redis.path("command").toString()).doesNotContain("--requirepass").contains("--include /tmp/auth.conf");

    String conf = DEFAULTS.get("ConfigMap", FULLNAME + "-redis").at("/data/redis.conf").asText();
    assertThat(conf).containsPattern("(?m)^appendonly yes$");
    assertThat(conf).containsPattern("(?m)^dir /data$");
    assertThat(conf).containsPattern("(?m)^maxmemory-policy noeviction$");

    JsonNode gw = DEFAULTS.container("Deployment", FULLNAME + "-gateway");
    assertThat(envValue(gw, "TOLLGATE_REDIS_URL")).isEqualTo("redis://" + FULLNAME + "-redis.tollgate-system.svc:6379");
    assertThat(envValue(gw, "TOLLGATE_REDIS_MODE")).isEqualTo("standalone");
    assertThat(Chart.env(gw, "TOLLGATE_REDIS_PASSWORD").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(FULLNAME + "-redis");
  }

  @Test
  void optionalObjectsAreOffByDefault() {
    assertThat(DEFAULTS.ofKind("ServiceMonitor")).isEmpty();
    assertThat(DEFAULTS.ofKind("NetworkPolicy")).isEmpty();
  }

  static String mountPath(JsonNode container, String volume) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (volume.equals(m.path("name").asText())) {
        return m.path("mountPath").asText();
      }
    }
    throw new AssertionError("no mount of " + volume + " in " + container.path("volumeMounts"));
  }

  static JsonNode volume(JsonNode podSpec, String name) {
    for (JsonNode v : podSpec.path("volumes")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name + " in " + podSpec.path("volumes"));
  }
}
