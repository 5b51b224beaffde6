package dev.tollgate.charts;

import static dev.tollgate.charts.Chart.FULLNAME;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
