package dev.tollgate.charts;

import static dev.tollgate.charts.Chart.FULLNAME;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Optional objects and overrides: monitoring, network policies, fixed replicas, images, old clusters. */
class ChartOptionsTest {

  @Test
  void serviceMonitorsScrapeMetricsOfGatewayAndOperator() {
    Chart.Rendered r = Chart.template("observability.yaml");

    JsonNode gw = r.get("ServiceMonitor", FULLNAME + "-gateway");
    assertThat(gw.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(gw.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(gw.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(gw.at("/spec/endpoints/0/port").asText()).isEqualTo("http");
    assertThat(gw.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");

    JsonNode op = r.get("ServiceMonitor", FULLNAME + "-operator");
    assertThat(op.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(op.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
    // ChartConsistencyTest checks that these ports exist on the selected Services.
  }

  @Test
  void networkPoliciesLimitIngressToTheApiPortAndRedisToTheRelease() {
    Chart.Rendered r = Chart.template("observability.yaml");

    JsonNode gw = r.get("NetworkPolicy", FULLNAME + "-gateway");
    assertThat(gw.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\"]");
    assertThat(gw.at("/spec/ingress/0/ports/0/port").asText()).isEqualTo("http");
    assertThat(gw.at("/spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText())
        .isEqualTo("ingress-nginx");

    JsonNode op = r.get("NetworkPolicy", FULLNAME + "-operator");
    assertThat(op.at("/spec/ingress/0/ports/0/port").asText()).isEqualTo("health");
    assertThat(op.at("/spec/ingress/0/from").isMissingNode()).as("metricsFrom empty: any scraper").isTrue();

    JsonNode redis = r.get("NetworkPolicy", FULLNAME + "-redis");
    assertThat(redis.at("/spec/ingress/0/from").findValuesAsText("app.kubernetes.io/component"))
        .containsExactlyInAnyOrder("gateway", "operator");
  }

  @Test
  void withoutHpaTheDeploymentHasFixedReplicasAndThePdbTakesAPercentage() {
    Chart.Rendered r = Chart.template("hpa-off.yaml");
    assertThat(r.ofKind("HorizontalPodAutoscaler")).isEmpty();
    assertThat(r.get("Deployment", FULLNAME + "-gateway").at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(r.get("PodDisruptionBudget", FULLNAME + "-gateway").at("/spec/maxUnavailable").asText()).isEqualTo("34%");
  }

  @Test
  void imageRegistryRepositoryAndTagArePerComponent() {
    Chart.Rendered r = Chart.template("images.yaml");
    assertThat(r.container("Deployment", FULLNAME + "-operator").path("image").asText())
        .isEqualTo("registry.example.com/platform/tollgate-operator:0.1.0-rc1");
    assertThat(r.container("Deployment", FULLNAME + "-gateway").path("image").asText()).isEqualTo("tollgate-gateway:dev");
    for (String component : new String[] {"operator", "gateway"}) {
      assertThat(r.get("Deployment", FULLNAME + "-" + component).at("/spec/template/spec/imagePullSecrets/0/name").asText())
          .isEqualTo("regcred");
    }
  }

  @Test
  void theAccessLogIsOffUnlessTurnedOn() {
    assertThat(Chart.envValue(Chart.template().container("Deployment", FULLNAME + "-gateway"), "TOLLGATE_ACCESS_LOG"))
        .isEqualTo("off");
    assertThat(Chart.envValue(Chart.template("observability.yaml").container("Deployment", FULLNAME + "-gateway"),
        "TOLLGATE_ACCESS_LOG")).isEqualTo("json");
  }

  @Test
  void theGatewaysShutdownGraceFitsInsideThePodsGracePeriod() {
    // 60 s for the pod: 5 s preStop sleep, 45 s for streams in flight, 5 s to flush settlements, 5 s spare
    JsonNode gw = Chart.template().container("Deployment", FULLNAME + "-gateway");
    assertThat(Chart.envValue(gw, "TOLLGATE_SHUTDOWN_GRACE")).isEqualTo("45s");
  }

  @Test
  void settlementsRedisCouldNotTakeAtAStopAreSpooledToAVolumeTheNextStartReads() {
    Chart.Rendered byDefault = Chart.template();
    JsonNode gw = byDefault.container("Deployment", FULLNAME + "-gateway");
    assertThat(Chart.envValue(gw, "TOLLGATE_SETTLE_SPOOL_DIR")).isEqualTo("/var/lib/tollgate/spool");
    JsonNode pod = byDefault.get("Deployment", FULLNAME + "-gateway").at("/spec/template/spec");
    assertThat(volume(pod, "settle-spool").has("emptyDir")).isTrue();

    JsonNode shared = Chart.template("settle-spool-claim.yaml").get("Deployment", FULLNAME + "-gateway").at("/spec/template/spec");
    assertThat(volume(shared, "settle-spool").at("/persistentVolumeClaim/claimName").asText()).isEqualTo("tollgate-spool");
  }

  private static JsonNode volume(JsonNode podSpec, String name) {
    for (JsonNode v : podSpec.path("volumes")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  @Test
  void preStopSleepOnlyWhereTheKubeletSupportsIt() {
    JsonNode recent = Chart.template().container("Deployment", FULLNAME + "-gateway");
    assertThat(recent.at("/lifecycle/preStop/sleep/seconds").asInt()).isEqualTo(5);
    JsonNode old = Chart.templateForKube("1.29.4").container("Deployment", FULLNAME + "-gateway");
    assertThat(old.has("lifecycle")).isFalse();
  }

  @Test
  void rejectsSettingsThatWouldMisbehaveAtRunTime() {
    assertThat(Chart.templateError("broken-hpa-without-cpu-request.yaml"))
        .contains("gateway.autoscaling.enabled needs gateway.resources.requests.cpu");
    assertThat(Chart.templateError("broken-hpa-bounds.yaml"))
        .contains("gateway.autoscaling.minReplicas (5) must not exceed gateway.autoscaling.maxReplicas (3)");
    assertThat(Chart.templateError("broken-operator-replicas-without-election.yaml"))
        .contains("operator.replicas > 1 needs operator.leaderElection.enabled=true");
    assertThat(Chart.templateError("broken-usage-export-without-tenants.yaml"))
        .contains("usageExport.enabled needs usageExport.tenants");
  }

  @Test
  void usageExportRunsTheIncrementalExportOnAKeptClaimWithRedisAccessOnly() {
    Chart.Rendered r = Chart.template("usage-export.yaml");
    JsonNode cron = r.get("CronJob", FULLNAME + "-usage-export");
    assertThat(cron.at("/spec/schedule").asText()).isEqualTo("5 2 * * *");
    assertThat(cron.at("/spec/timeZone").asText()).isEqualTo("Europe/Berlin");
    assertThat(cron.at("/spec/concurrencyPolicy").asText()).as("runs share one checkpoint").isEqualTo("Forbid");
    JsonNode pod = cron.at("/spec/jobTemplate/spec/template/spec");
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    JsonNode c = pod.path("containers").get(0);
    assertThat(c.path("image").asText()).isEqualTo(r.container("Deployment", FULLNAME + "-operator").path("image").asText());
    List<String> args = new ArrayList<>();
    c.path("args").forEach(a -> args.add(a.asText()));
    assertThat(args).containsExactly("usage-export", "--checkpoint", "/export/usage.checkpoint", "--format", "csv",
        "--out-dir", "/export", "--tenant", "agency/acme", "--tenant", "agency/globex");
    List<String> env = c.path("env").findValuesAsText("name");
    assertThat(env).contains("TOLLGATE_REDIS_URL", "TOLLGATE_REDIS_PASSWORD").doesNotContain("TOLLGATE_CREDENTIALS_KEY_FILE");
    assertThat(pod.path("volumes").findValuesAsText("name")).as("no provider credentials in the export pod")
        .containsExactlyInAnyOrder("tmp", "export");
    assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    c.path("volumeMounts").forEach(m ->
        assertThat(pod.path("volumes").findValuesAsText("name")).contains(m.path("name").asText()));

    JsonNode claim = r.get("PersistentVolumeClaim", FULLNAME + "-usage-export");
    assertThat(claim.at("/metadata/annotations/helm.sh~1resource-policy").asText()).as("billing data outlives the release")
        .isEqualTo("keep");
    assertThat(pod.at("/volumes/1/persistentVolumeClaim/claimName").asText()).isEqualTo(FULLNAME + "-usage-export");
    assertThat(r.get("NetworkPolicy", FULLNAME + "-redis").at("/spec/ingress/0/from").findValuesAsText("app.kubernetes.io/component"))
        .containsExactlyInAnyOrder("gateway", "operator", "usage-export");
  }

  @Test
  void usageExportWritesToAnExistingClaimAndTrustsTheRedisCa() {
    Chart.Rendered r = Chart.template("external-cluster-tls.yaml", "usage-export-existing-claim.yaml");
    assertThat(r.find("PersistentVolumeClaim", FULLNAME + "-usage-export")).isEmpty();
    JsonNode pod = r.get("CronJob", FULLNAME + "-usage-export").at("/spec/jobTemplate/spec/template/spec");
    assertThat(pod.at("/volumes/1/persistentVolumeClaim/claimName").asText()).isEqualTo("billing-exports");
    assertThat(pod.path("volumes").findValuesAsText("name")).contains("redis-tls");
    JsonNode c = pod.path("containers").get(0);
    assertThat(Chart.envValue(c, "TOLLGATE_REDIS_MODE")).isEqualTo("cluster");
    assertThat(Chart.envValue(c, "JAVA_TOOL_OPTIONS")).contains("-Djavax.net.ssl.trustStore=/etc/tollgate/redis-tls/");
    assertThat(c.path("volumeMounts").findValuesAsText("name")).contains("redis-tls");
    assertThat(Chart.template().ofKind("CronJob")).as("off by default").isEmpty();
  }

  @Test
  void refusesClustersOlderThanTheSupportedMinimum() {
    try {
      Chart.templateForKube("1.24.0");
      throw new AssertionError("rendered for Kubernetes 1.24");
    } catch (IllegalStateException e) {
      assertThat(e.getMessage()).contains("chart requires kubeVersion: >=1.25.0-0");
    }
  }
}
