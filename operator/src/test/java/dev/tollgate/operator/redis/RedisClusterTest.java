package dev.tollgate.operator.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.operator.Crds;
import dev.tollgate.operator.CredentialsKey;
import dev.tollgate.operator.Fixtures;
import dev.tollgate.operator.OperatorHarness;
import dev.tollgate.operator.OperatorSettings;
import dev.tollgate.operator.TollgateOperator;
import dev.tollgate.operator.api.v1alpha1.ApiKey;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RedisSettings;
import dev.tollgate.schema.TenantId;
import dev.tollgate.schema.TenantRecord;
import dev.tollgate.testkit.RedisClusterProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisMovedDataException;

/**
 * The operator on a real 3-master Redis Cluster, configured the way the chart does
 * ({@code TOLLGATE_REDIS_MODE=cluster}): projections of tenants in many namespaces (so many hash slots)
 * land on several masters and read back, and a cluster subscriber receives every config change.
 */
@EnableKubernetesMockClient(crud = true)
class RedisClusterTest {

  @RegisterExtension
  static final RedisClusterProcess CLUSTER = RedisClusterProcess.threeMasters();

  KubernetesClient client;

  @Test
  void projectsIntoTheClusterAndPublishesChangesToClusterSubscribers() throws Exception {
    RedisSettings redisSettings = RedisSettings.fromEnv(Map.of("TOLLGATE_REDIS_MODE", "cluster", "TOLLGATE_REDIS_URL", CLUSTER.urls()));
    List<String> changes = new CopyOnWriteArrayList<>();
    JedisPubSub subscriber = new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        changes.add(message);
      }
    };
    Thread subscriberThread = new Thread(() -> CLUSTER.client().subscribe(subscriber, RedisKeys.CONFIG_CHANNEL), "cluster-subscriber");
    subscriberThread.setDaemon(true);
    subscriberThread.start();
    await().atMost(Duration.ofSeconds(10)).until(subscriber::isSubscribed);

    Crds.install(client);
    OperatorSettings settings = new OperatorSettings(Duration.ofSeconds(30), 0, Set.of(), OperatorSettings.LeaderElection.off(),
        null, redisSettings);
    try (UnifiedJedis redis = RedisClients.create(redisSettings);
        TollgateOperator ignored = TollgateOperator.start(client, settings, new ConfigWriter(redis, new SimpleMeterRegistry()),
            CredentialsKey.of(OperatorHarness.CREDENTIALS_KEY), new SimpleMeterRegistry(), Clock.systemUTC())) {
      assertThat(redis).isInstanceOf(JedisCluster.class);
      assertThat(RedisClients.check(redis, redisSettings)).isTrue();
      List<String> namespaces = List.of(Fixtures.namespace(), Fixtures.namespace(), Fixtures.namespace(), Fixtures.namespace(),
          Fixtures.namespace(), Fixtures.namespace());
      for (String ns : namespaces) {
        client.resource(Fixtures.policy(ns, "default")).create();
        client.resource(Fixtures.tenant(ns, "acme", "default")).create();
        client.resource(Fixtures.apiKey(ns, "web", "acme")).create();
      }

      JedisCluster reader = CLUSTER.client();
      Set<Integer> mastersUsed = new HashSet<>();
      for (String ns : namespaces) {
        TenantId id = new TenantId(ns, "acme");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          String tenant = reader.get(RedisKeys.tenant(id));
          assertThat(tenant).isNotNull();
          assertThat(ConfigCodec.fromJson(tenant, TenantRecord.class).state()).isEqualTo(TenantRecord.ACTIVE);
          assertThat(reader.get(RedisKeys.routePolicy(ns, "default"))).isNotNull();
          ApiKey key = client.resources(ApiKey.class).inNamespace(ns).withName("web").get();
          assertThat(key.getStatus()).isNotNull();
          assertThat(key.getStatus().getKeyId()).isNotNull();
          String record = reader.get(RedisKeys.apiKey(key.getStatus().getKeyId()));
          assertThat(record).isNotNull();
          assertThat(ConfigCodec.fromJson(record, ApiKeyRecord.class).tenant()).isEqualTo(id.id());
        });
        mastersUsed.add(masterPortOf(RedisKeys.tenant(id)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(changes)
            .contains(new ConfigChange(ConfigChange.TENANT, id.id()).encode(),
                new ConfigChange(ConfigChange.ROUTE_POLICY, ns + "/default").encode()));
      }
      assertThat(mastersUsed).as("tenant keys spread over the masters").hasSizeGreaterThan(1);
    } finally {
      subscriber.unsubscribe();
    }
  }

  /** The port of the master that serves {@code key}'s slot. */
  private static int masterPortOf(String key) {
    for (int port : CLUSTER.ports()) {
      try (Jedis node = new Jedis("127.0.0.1", port)) {
        if (node.exists(key)) {
          return port;
        }
      } catch (JedisMovedDataException elsewhere) {
        // another master serves this slot
      }
    }
    throw new AssertionError("no master holds " + key);
  }
}
