package dev.tollgate.operator;

import dev.tollgate.testkit.RedisProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link OperatorBehaviour} against the cluster {@code KUBECONFIG} points at (CRDs are installed,
 * namespaces created per test). Opt-in: {@code ./mvnw -pl operator -am verify -Preal-cluster}.
 */
@Tag("real-cluster")
class RealClusterOperatorTest extends OperatorBehaviour {

  @RegisterExtension
  static final RedisProcess REDIS = RedisProcess.standalone();

  static KubernetesClient client;
  static OperatorHarness harness;

  @BeforeAll
  static void startOperator() {
    client = new KubernetesClientBuilder().build();
    harness = OperatorHarness.start(client, REDIS, RESYNC);
  }

  @AfterAll
  static void stopOperator() {
    harness.close();
    client.close();
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
}
