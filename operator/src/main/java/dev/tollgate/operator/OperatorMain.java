package dev.tollgate.operator;

import dev.tollgate.operator.local.LocalMode;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.operator.redis.RedisClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/** Entry point of {@code tollgate-operator.jar}: configuration from the environment, then run until stopped. */
public final class OperatorMain {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    OperatorSettings settings;
    CredentialsKey credentialsKey = CredentialsKey.fromEnv(env);
    try {
      settings = OperatorSettings.fromEnv(env);
      credentialsKey.current(); // a malformed key fails here, not on the first RoutePolicy
    } catch (IllegalArgumentException e) {
      System.err.println("tollgate-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      closeAll(resources);
      stopped.countDown();
    }, "tollgate-shutdown"));

    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    UnifiedJedis redis = RedisClients.create(settings.redis());
    resources.add(redis);
    ConfigWriter writer = new ConfigWriter(redis, meters);
    LOG.info("tollgate-operator starting: {}, resync {}, namespaces {}", settings.redis(), settings.resync(),
        settings.namespaces().isEmpty() ? "all" : settings.namespaces());
    TollgateOperator operator;
    if (settings.localManifests() != null) {
      LocalMode local = LocalMode.start(settings.localManifests(), settings, writer, credentialsKey, meters, System.out);
      resources.add(0, local);
      operator = local.operator();
    } else {
      KubernetesClient client = new KubernetesClientBuilder().build();
      resources.add(client);
      operator = TollgateOperator.start(client, settings, writer, credentialsKey, meters, Clock.systemUTC());
      resources.add(0, operator);
    }
    resources.add(0, HealthServer.start(settings.healthPort(), operator::isHealthy, writer::ping, meters));
    stopped.await();
  }

  private static void closeAll(List<AutoCloseable> resources) {
    synchronized (resources) {
      for (AutoCloseable c : resources) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("error while stopping: {}", e.getMessage());
        }
      }
    }
  }
}
