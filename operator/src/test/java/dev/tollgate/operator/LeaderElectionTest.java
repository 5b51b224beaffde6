package dev.tollgate.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.operator.api.v1alpha1.Tenant;
import dev.tollgate.operator.api.v1alpha1.TenantSpec;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RedisSettings;
import dev.tollgate.schema.TenantId;
import dev.tollgate.testkit.RedisProcess;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisPooled;

/**
 * Two replicas with leader election against one API server (the CRUD mock stores the Lease): only
 * the Lease holder reconciles, both are live and ready, and the standby takes over when the leader
 * stops. Health and metrics are read over HTTP from each replica's real endpoint.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

  @RegisterExtension
  static final RedisProcess REDIS = RedisProcess.standalone();

  static final String LEASE_NAMESPACE = "tollgate-system";
  static final Duration LEASE = Duration.ofSeconds(3);
  static final Duration WAIT = Duration.ofSeconds(20);

  KubernetesClient client;
  KubernetesMockServer server;

  @BeforeEach
  void apiServer() {
    Crds.install(client);
    // JOSDK checks its Lease permissions with a SelfSubjectRulesReview, which only a real API server evaluates.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().addNewResourceRule()
            .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("*").endResourceRule()
            .withIncomplete(false).endStatus().build())
        .always();
  }

  Replica replica(String identity) {
    var election = new OperatorSettings.LeaderElection(true, LEASE_NAMESPACE, LEASE, Duration.ofSeconds(2),
        Duration.ofMillis(250), identity, false);
    return Replica.start(client, Replica.settings(RedisSettings.standalone(REDIS.host(), REDIS.port()), election),
        new JedisPooled(REDIS.host(), REDIS.port()));
  }

  String leaseHolder() {
    Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(TollgateOperator.LEASE_NAME).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  @Test
  void onlyTheLeaderReconcilesAndTheStandbyTakesOverWhenItStops() {
    String ns = Fixtures.namespace();
    TenantId id = new TenantId(ns, "acme");
    try (Replica a = replica("op-a")) {
      await().atMost(WAIT).until(() -> "op-a".equals(leaseHolder()) && a.operator().isLeader());
      try (Replica b = replica("op-b")) {
        client.resource(Fixtures.policy(ns, "default")).create();
        client.resource(Fixtures.tenant(ns, "acme", "default")).create();
        await().atMost(WAIT).until(() -> REDIS.client().get(RedisKeys.tenant(id)) != null);
        await().atMost(WAIT).until(() -> a.metric("operator_sdk_reconciliations_success_total") >= 2);

        assertThat(leaseHolder()).isEqualTo("op-a");
        assertThat(b.operator().isLeader()).isFalse();
        // The standby saw the same objects (its informers run) but never reconciled or wrote.
        assertThat(b.metric("operator_sdk_reconciliations_started_total")).isZero();
        assertThat(b.metric("tollgate_operator_redis_writes_total")).isZero();
        assertThat(a.metric("tollgate_operator_redis_writes_total")).isGreaterThanOrEqualTo(2);

        // Both replicas are live and ready: a standby that is not ready would stall a rolling update.
        assertThat(a.get("/healthz").status()).isEqualTo(200);
        assertThat(b.get("/healthz").status()).isEqualTo(200);
        assertThat(a.get("/readyz")).satisfies(r -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).contains("role: leader");
        });
        assertThat(b.get("/readyz")).satisfies(r -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).contains("role: standby");
        });
        assertThat(a.metric("tollgate_operator_leader")).isEqualTo(1.0);
        assertThat(b.metric("tollgate_operator_leader")).isEqualTo(0.0);

        a.close(); // the leader's pod goes away
        REDIS.flushAll(); // and Redis loses the projection meanwhile: the new leader must rebuild it
        client.resources(Tenant.class).inNamespace(ns).withName("acme").edit(t -> {
          t.getSpec().setState(TenantSpec.State.Suspended);
          return t;
        });

        // Takeover within the lease duration (plus one retry period and the reconcile itself).
        await().atMost(LEASE.plusSeconds(3)).untilAsserted(() -> {
          assertThat(leaseHolder()).isEqualTo("op-b");
          assertThat(REDIS.client().get(RedisKeys.tenant(id))).contains("\"state\":\"Suspended\"");
          assertThat(REDIS.client().get(RedisKeys.routePolicy(id.namespace(), "default"))).isNotNull();
        });
        assertThat(b.operator().isLeader()).isTrue();
        assertThat(b.metric("tollgate_operator_leader")).isEqualTo(1.0);
        assertThat(b.metric("tollgate_operator_redis_writes_total")).isGreaterThanOrEqualTo(2);
        assertThat(b.metric("tollgate_operator_config_changes_published_total")).isGreaterThanOrEqualTo(2);
      }
    }
  }
}
