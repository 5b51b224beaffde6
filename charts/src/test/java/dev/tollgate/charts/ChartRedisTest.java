package dev.tollgate.charts;

import static dev.tollgate.charts.Chart.FULLNAME;
import static dev.tollgate.charts.Chart.env;
import static dev.tollgate.charts.Chart.envValue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** External Redis (standalone, Sentinel, Cluster, TLS) and the settings that reach both processes. */
class ChartRedisTest {

  @Test
  void externalClusterWithTlsPasswordAndTrustStoreReachesOperatorAndGateway() {
    Chart.Rendered r = Chart.template("external-cluster-tls.yaml");

    assertThat(r.ofKind("StatefulSet")).isEmpty();
    assertThat(r.find("Secret", FULLNAME + "-redis")).isEmpty();
    // credentials.existingSecret: the chart creates no key of its own.
    assertThat(r.find("Secret", FULLNAME + "-credentials")).isEmpty();

    for (String component : List.of("operator", "gateway")) {
      JsonNode podSpec = r.get("Deployment", FULLNAME + "-" + component).at("/spec/template/spec");
      JsonNode c = podSpec.path("containers").get(0);
      assertThat(envValue(c, "TOLLGATE_REDIS_MODE")).isEqualTo("cluster");
      assertThat(envValue(c, "TOLLGATE_REDIS_URL"))
          .isEqualTo("rediss://redis-0.redis:6379,rediss://redis-1.redis:6379,rediss://redis-2.redis:6379");
      assertThat(envValue(c, "TOLLGATE_REDIS_USERNAME")).isEqualTo("tollgate");
      assertThat(env(c, "TOLLGATE_REDIS_PASSWORD").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("redis-auth");
      assertThat(env(c, "TOLLGATE_REDIS_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
      assertThat(env(c, "TOLLGATE_REDIS_MASTER_NAME").isMissingNode()).isTrue();

      assertThat(ChartDefaultsTest.volume(podSpec, "credentials").at("/secret/secretName").asText()).isEqualTo("tollgate-key");
      assertThat(ChartDefaultsTest.volume(podSpec, "redis-tls").at("/secret/secretName").asText()).isEqualTo("redis-ca");
      String tlsDir = ChartDefaultsTest.mountPath(c, "redis-tls");
      assertThat(envValue(c, "JAVA_TOOL_OPTIONS"))
          .contains("-Djavax.net.ssl.trustStore=" + tlsDir + "/truststore.p12")
          .contains("-Djavax.net.ssl.trustStorePassword=$(TOLLGATE_TRUSTSTORE_PASSWORD)");
      assertThat(names(c)).as("Kubernetes expands $(VAR) only from variables defined earlier")
          .containsSubsequence("TOLLGATE_TRUSTSTORE_PASSWORD", "JAVA_TOOL_OPTIONS");
    }
    // The component's own JVM options follow the trust store settings.
    assertThat(envValue(r.container("Deployment", FULLNAME + "-gateway"), "JAVA_TOOL_OPTIONS")).endsWith(" -XX:+UseZGC");
  }

  @Test
  void externalSentinelPassesTheMasterName() {
    JsonNode gw = Chart.template("external-sentinel.yaml").container("Deployment", FULLNAME + "-gateway");
    assertThat(envValue(gw, "TOLLGATE_REDIS_MODE")).isEqualTo("sentinel");
    assertThat(envValue(gw, "TOLLGATE_REDIS_MASTER_NAME")).isEqualTo("mymaster");
    assertThat(envValue(gw, "TOLLGATE_REDIS_URL")).startsWith("redis://sentinel-0:26379,");
    assertThat(env(gw, "TOLLGATE_REDIS_PASSWORD").isMissingNode()).isTrue();
    assertThat(env(gw, "JAVA_TOOL_OPTIONS").isMissingNode()).isTrue();
  }

  @Test
  void rejectsSentinelWithoutMasterName() {
    assertThat(Chart.templateError("external-sentinel-no-master.yaml"))
        .contains("redis.external.masterName is required when redis.external.mode=sentinel");
  }

  @Test
  void rejectsExternalUrlWhileBundledRedisIsStillOn() {
    assertThat(Chart.templateError("external-and-bundled.yaml"))
        .contains("set redis.bundled.enabled=false to use the external Redis");
  }

  @Test
  void rejectsNoRedisAtAll() {
    assertThat(Chart.templateError("no-redis.yaml"))
        .contains("set redis.external.url (your Redis) or redis.bundled.enabled=true");
  }

  @Test
  void rejectsCredentialsInTheUrlWithoutEchoingThem() {
    String error = Chart.templateError("broken-url.yaml");
    assertThat(error).contains("redis.external.url must not carry credentials").doesNotContain("hunter2");
  }

  private static List<String> names(JsonNode container) {
    return container.path("env").findValuesAsText("name");
  }
}
