package dev.tollgate.operator;

import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.RedisSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import redis.clients.jedis.UnifiedJedis;

/**
 * One operator replica as a pod runs it: {@link TollgateOperator} with its own Redis client, its own
 * Prometheus registry and the real {@link HealthServer} on a free port, reached over HTTP.
 */
final class Replica implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** An HTTP answer from the health server. */
  record Answer(int status, String body) {}

  private final UnifiedJedis redis;
  private final TollgateOperator operator;
  private final HealthServer health;

  private Replica(UnifiedJedis redis, TollgateOperator operator, HealthServer health) {
    this.redis = redis;
    this.operator = operator;
    this.health = health;
  }

  static Replica start(KubernetesClient client, OperatorSettings settings, UnifiedJedis redis) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TollgateOperator operator = TollgateOperator.start(client, settings, new ConfigWriter(redis, meters),
        CredentialsKey.of(OperatorHarness.CREDENTIALS_KEY), meters, Clock.systemUTC());
    try {
      return new Replica(redis, operator, HealthServer.start(0, operator, meters));
    } catch (IOException e) {
      operator.close();
      throw new UncheckedIOException(e);
    }
  }

  static OperatorSettings settings(RedisSettings redis, OperatorSettings.LeaderElection election) {
    return new OperatorSettings(Duration.ofSeconds(30), 0, Set.of(), election, null, redis);
  }

  TollgateOperator operator() {
    return operator;
  }

  Answer get(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The sum of every sample of {@code name} (all label sets) in this replica's {@code /metrics}, read
   * over HTTP as Prometheus would; 0 when the metric is absent.
   */
  double metric(String name) {
    double sum = 0;
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Override
  public void close() {
    health.close();
    operator.close();
    redis.close();
  }
}
