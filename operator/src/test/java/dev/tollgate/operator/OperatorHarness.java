package dev.tollgate.operator;

import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RedisSettings;
import dev.tollgate.testkit.RedisProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisPubSub;

/**
 * The operator as a test runs it: the real {@link TollgateOperator} against a Kubernetes client (the
 * CRUD mock, or a real cluster in the real-cluster profile) and a real redis-server, plus a
 * subscriber that records every {@code ConfigChange} published.
 */
public final class OperatorHarness implements AutoCloseable {

  public static final String CREDENTIALS_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

  private final JedisPooled redis;
  private final TollgateOperator operator;
  private final List<String> changes = new CopyOnWriteArrayList<>();
  private final JedisPubSub subscriber;
  private final Thread subscriberThread;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private OperatorHarness(KubernetesClient client, RedisProcess redisProcess, Duration resync) {
    Crds.install(client);
    this.redis = new JedisPooled(redisProcess.host(), redisProcess.port());
    this.subscriber = new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        changes.add(message);
      }
    };
    this.subscriberThread = new Thread(() -> {
      try (JedisPooled sub = new JedisPooled(redisProcess.host(), redisProcess.port())) {
        sub.subscribe(subscriber, RedisKeys.CONFIG_CHANNEL);
      } catch (RuntimeException ignored) {
        // the Redis outage test kills the server under the subscriber
      }
    }, "config-subscriber");
    subscriberThread.setDaemon(true);
    subscriberThread.start();
    OperatorSettings settings = new OperatorSettings(resync, 0, Set.of(), OperatorSettings.LeaderElection.off(), null,
        RedisSettings.standalone(redisProcess.host(), redisProcess.port()));
    this.operator = TollgateOperator.start(client, settings, new ConfigWriter(redis, new SimpleMeterRegistry()),
        CredentialsKey.of(CREDENTIALS_KEY), meters, Clock.systemUTC());
  }

  /** The operator's meters (what /metrics exports). */
  public SimpleMeterRegistry meters() {
    return meters;
  }

  public static OperatorHarness start(KubernetesClient client, RedisProcess redis, Duration resync) {
    return new OperatorHarness(client, redis, resync);
  }

  /** Messages published on the config channel so far. */
  public List<String> changes() {
    return changes;
  }

  @Override
  public void close() {
    operator.close();
    try {
      subscriber.unsubscribe();
    } catch (RuntimeException ignored) {
      // not subscribed (yet, or any more)
    }
    redis.close();
  }
}
