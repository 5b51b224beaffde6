package dev.tollgate.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.operator.api.v1alpha1.Condition;
import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.api.v1alpha1.TenantSpec;
import dev.tollgate.operator.reconciler.Conditions;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantId;
import dev.tollgate.testkit.RedisProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis unreachable: conditions say RedisUnavailable; when it is back the projection is rewritten without a restart. */
@EnableKubernetesMockClient(crud = true)
class RedisOutageTest {

  @RegisterExtension
  static final RedisProcess REDIS = RedisProcess.standalone();

  KubernetesClient client;

  @Test
  void reportsRedisUnavailableAndRecoversByItself() {
    try (OperatorHarness ignored = OperatorHarness.start(client, REDIS, Duration.ofSeconds(2))) {
      String ns = Fixtures.namespace();
      client.resource(Fixtures.policy(ns, "default")).create();
      client.resource(Fixtures.tenant(ns, "acme", "default")).create();
      TenantId id = new TenantId(ns, "acme");
      await().atMost(Duration.ofSeconds(20)).until(() -> REDIS.client().get(RedisKeys.tenant(id)) != null);

      REDIS.stop();
      client.resources(Tenant.class).inNamespace(ns).withName("acme").edit(t -> {
        t.getSpec().setState(TenantSpec.State.Suspended);
        return t;
      });
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        Tenant t = client.resources(Tenant.class).inNamespace(ns).withName("acme").get();
        Condition ready = Conditions.get(t.getStatus(), Condition.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("RedisUnavailable");
      });

      REDIS.start(); // an empty Redis on the same port: the projection must come back on its own
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(REDIS.client().get(RedisKeys.tenant(id))).contains("Suspended");
        Tenant t = client.resources(Tenant.class).inNamespace(ns).withName("acme").get();
        assertThat(Conditions.get(t.getStatus(), Condition.READY).orElseThrow().getReason()).isEqualTo("Suspended");
      });
    }
  }
}
