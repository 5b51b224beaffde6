package dev.tollgate.operator;

import dev.tollgate.operator.local.LocalMode;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.operator.redis.RedisClients;
import dev.tollgate.operator.usage.UsageExportCommand;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * Entry point of {@code tollgate-operator.jar}: configuration from the environment, then run until
 * stopped; {@code usage-export ...} runs the usage export instead ({@link UsageExportCommand}).
 */
public final class OperatorMain {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  /** What start-up needs, validated: settings, the sealing key and a Redis client that accepted our credentials. */
  record Startup(OperatorSettings settings, CredentialsKey credentialsKey, UnifiedJedis redis) {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("usage-export")) {
      System.exit(UsageExportCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    Startup startup;
    try {
      startup = validate(System.getenv());
    } catch (IllegalArgumentException e) {
      // One line naming the variable, then exit: a bad setting must not look like a running operator.
      System.err.println("tollgate-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    run(startup);
  }

  /**
   * Reads and checks the whole configuration before anything starts; the message of the
   * IllegalArgumentException names the variable at fault. A Redis that is only unreachable passes
   * (standalone mode): the reconcilers report RedisUnavailable and retry.
   */
  static Startup validate(Map<String, String> env) {
    OperatorSettings settings = OperatorSettings.fromEnv(env);
    CredentialsKey credentialsKey = CredentialsKey.fromEnv(env);
    credentialsKey.current(); // a malformed key fails here, not on the first RoutePolicy
    UnifiedJedis redis = RedisClients.create(settings.redis());
    try {
      if (!RedisClients.check(redis, settings.redis())) {
        LOG.warn("Redis at {} does not answer yet; resources will report RedisUnavailable until it does", settings.redis());
      }
    } catch (IllegalArgumentException e) {
      redis.close();
      throw e;
    }
    return new Startup(settings, credentialsKey, redis);
  }

  private static void run(Startup startup) throws Exception {
    OperatorSettings settings = startup.settings();
    List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      closeAll(resources);
      stopped.countDown();
    }, "tollgate-shutdown"));

    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    UnifiedJedis redis = startup.redis();
    resources.add(redis);
    ConfigWriter writer = new ConfigWriter(redis, meters);
    LOG.info("tollgate-operator starting: {}, resync {}, namespaces {}, leader election {}", settings.redis(), settings.resync(),
        settings.namespaces().isEmpty() ? "all" : settings.namespaces(), settings.leaderElection());
    TollgateOperator operator;
    if (settings.localManifests() != null) {
      LocalMode local = LocalMode.start(settings.localManifests(), settings, writer, startup.credentialsKey(), meters, System.out);
      resources.add(0, local);
      operator = local.operator();
    } else {
      KubernetesClient client = new KubernetesClientBuilder().build();
      resources.add(client);
      operator = TollgateOperator.start(client, settings, writer, startup.credentialsKey(), meters, Clock.systemUTC());
      resources.add(0, operator);
    }
    resources.add(0, HealthServer.start(settings.healthPort(), operator, meters));
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
