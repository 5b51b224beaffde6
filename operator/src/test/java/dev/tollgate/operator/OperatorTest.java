package dev.tollgate.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.operator.api.v1alpha1.Condition;
import dev.tollgate.operator.api.v1alpha1.RoutePolicy;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.testkit.RedisProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link OperatorBehaviour} against fabric8's CRUD mock API server and a real redis-server. */
@EnableKubernetesMockClient(crud = true)
class OperatorTest extends OperatorBehaviour {

  @RegisterExtension
  static final RedisProcess REDIS = RedisProcess.standalone();

  static KubernetesClient client;
  static OperatorHarness harness;

  @BeforeAll
  static void startOperator() {
    harness = OperatorHarness.start(client, REDIS, RESYNC);
  }

  @AfterAll
  static void stopOperator() {
    harness.close();
  }

  @Override
  KubernetesClient client() {
    return client;
  }

  @Override
  RedisProcess redisProcess() {
    return REDIS;
  }

  @Override
  OperatorHarness harness() {
    return harness;
  }

  /**
   * A real API server refuses a negative price (the CRD's pattern); the mock, like local mode,
   * lets it through, and the operator must still refuse to project it.
   */
  @Test
  void aNegativeCachePriceIsReportedAndNothingIsWritten() {
    String ns = newNamespace();
    RoutePolicy policy = Fixtures.policy(ns, "neg");
    policy.getSpec().getRoutes().get(0).getTargets().get(0).setCachedInputPricePerMillion("-0.075");
    create(policy);
    Condition c = awaitReady(RoutePolicy.class, ns, "neg", "False", "InvalidSpec");
    assertThat(c.getMessage()).isEqualTo("cachedInputPricePerMillion must not be negative, got '-0.075'");
    assertThat(redis().get(RedisKeys.routePolicy(ns, "neg"))).isNull();
  }

  /**
   * A real API server refuses a zero threshold (the CRD's minimum); the mock, like local mode, lets
   * it through, and the operator must still refuse to project it.
   */
  @Test
  void aZeroCooldownThresholdIsReportedAndNothingIsWritten() {
    String ns = newNamespace();
    create(Fixtures.policyWithCooldown(ns, "zero", 0, "10s", "300s"));
    Condition c = awaitReady(RoutePolicy.class, ns, "zero", "False", "InvalidSpec");
    assertThat(c.getMessage()).isEqualTo("cooldown.failureThreshold must be at least 1, got 0");
    assertThat(redis().get(RedisKeys.routePolicy(ns, "zero"))).isNull();
  }
}
