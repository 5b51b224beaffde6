package dev.tollgate.gateway.support;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.testkit.RedisClusterProcess;
import dev.tollgate.testkit.RedisProcess;
import dev.tollgate.testkit.RedisSentinelSet;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.UnifiedJedis;

/**
 * One gateway end to end per test class, as a JUnit 5 extension: a real Redis (standalone, a
 * 3-master cluster, or a master, replica and sentinel), a Vert.x instance, an OpenAI-compatible fake provider on it, and the gateway
 * verticle. All start before the class and stop after it; the fake forgets its script before each
 * test. Tests that need more providers register their own {@code FakeProvider} extensions.
 *
 * <p>{@code @RegisterExtension static final GatewayHarness HARNESS =
 * GatewayHarness.standalone().env("TOLLGATE_RESERVATION_LEASE", "1s");}
 */
public final class GatewayHarness implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

  private final RedisProcess standalone;
  private final RedisClusterProcess cluster;
  private final RedisSentinelSet sentinel;
  private final Map<String, String> env = new HashMap<>();
  private final List<Consumer<Vertx>> beforeDeploy = new ArrayList<>();

  private GatewayHarness(RedisProcess standalone, RedisClusterProcess cluster, RedisSentinelSet sentinel) {
    this.standalone = standalone;
    this.cluster = cluster;
    this.sentinel = sentinel;
  }

  // started in beforeAll, stopped in afterAll
  private Vertx vertx;
  private FakeOpenAiCompatible fake;
  private TestGateway gateway;

  /** Against a standalone redis-server. */
  public static GatewayHarness standalone() {
    return new GatewayHarness(RedisProcess.standalone(), null, null);
  }

  /** Against a real 3-master Redis Cluster, with {@code TOLLGATE_REDIS_MODE=cluster}. */
  public static GatewayHarness cluster() {
    return new GatewayHarness(null, RedisClusterProcess.threeMasters(), null).env("TOLLGATE_REDIS_MODE", "cluster");
  }

  /** Through a sentinel watching a master and its replica, with {@code TOLLGATE_REDIS_MODE=sentinel}. */
  public static GatewayHarness sentinel() {
    return new GatewayHarness(null, null, RedisSentinelSet.masterReplicaSentinel())
        .env("TOLLGATE_REDIS_MODE", "sentinel")
        .env("TOLLGATE_REDIS_MASTER_NAME", RedisSentinelSet.MASTER_NAME);
  }

  /** A gateway setting, over the test defaults of {@link TestGateway}. */
  public GatewayHarness env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Runs on the gateway's Vert.x instance before the gateway is deployed (e.g. to install a test clock). */
  public GatewayHarness beforeDeploy(Consumer<Vertx> step) {
    beforeDeploy.add(step);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (standalone != null) {
      standalone.start();
    } else if (cluster != null) {
      cluster.start();
    } else {
      sentinel.start();
    }
    vertx = Vertx.vertx();
    beforeDeploy.forEach(step -> step.accept(vertx));
    fake = new FakeOpenAiCompatible(vertx, Seed.UPSTREAM_KEY);
    String url = standalone != null ? standalone.url() : cluster != null ? cluster.urls() : sentinel.sentinelUrl();
    gateway = new TestGateway(vertx, url, env);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    fake.reset();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (gateway != null) {
        gateway.close();
      }
      if (fake != null) {
        fake.close();
      }
      if (vertx != null) {
        vertx.close().await();
      }
    } finally {
      if (standalone != null) {
        standalone.close();
      } else if (cluster != null) {
        cluster.close();
      } else {
        sentinel.close();
      }
    }
  }

  public TestGateway gateway() {
    return gateway;
  }

  /** The OpenAI-compatible fake provider that {@link Seed#plan(String)} can route to. */
  public FakeOpenAiCompatible fake() {
    return fake;
  }

  /**
   * A client for seeding and asserts (a new one after a {@link RedisProcess#start() restart}; with
   * a sentinel, one to the node it names as master now).
   */
  public UnifiedJedis redis() {
    return standalone != null ? standalone.client() : cluster != null ? cluster.client() : sentinel.client();
  }

  /** A new tenant's projection writer on this Redis. */
  public Seed seed() {
    return new Seed(redis());
  }

  /** The standalone server, to stop and start it as an outage would. */
  public RedisProcess redisProcess() {
    if (standalone == null) {
      throw new IllegalStateException("this harness does not run a standalone Redis");
    }
    return standalone;
  }

  /** The cluster, to look at its nodes one by one. */
  public RedisClusterProcess clusterProcess() {
    if (cluster == null) {
      throw new IllegalStateException("this harness does not run a Redis Cluster");
    }
    return cluster;
  }

  /** The master, replica and sentinel, to fail the master over. */
  public RedisSentinelSet sentinelSet() {
    if (sentinel == null) {
      throw new IllegalStateException("this harness does not run a sentinel");
    }
    return sentinel;
  }
}
