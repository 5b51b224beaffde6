package dev.tollgate.operator;

import dev.tollgate.testkit.RedisProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
}
