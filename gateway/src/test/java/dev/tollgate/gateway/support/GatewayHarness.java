package dev.tollgate.gateway.support;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.testkit.RedisClusterProcess;
import dev.tollgate.testkit.RedisProcess;
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
 * One gateway end to end per test class, as a JUnit 5 extension: a real Redis (standalone or a
 * 3-master cluster), a Vert.x instance, an OpenAI-compatible fake provider on it, and the gateway
 * verticle. All start before the class and stop after it; the fake forgets its script before each
 * test. Tests that need more providers register their own {@code FakeProvider} extensions.
 *
 * <p>{@code @RegisterExtension static final GatewayHarness HARNESS =
 * GatewayHarness.standalone().env("TOLLGATE_RESERVATION_LEASE", "1s");}
 */
public final class GatewayHarness implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

  private final RedisProcess standalone;
  private final RedisClusterProcess cluster;
  private final Map<String, String> env = new HashMap<>();
  private final List<Consumer<Vertx>> beforeDeploy = new ArrayList<>();

  private GatewayHarness(RedisProcess standalone, RedisClusterProcess cluster) {
    this.standalone = standalone;
    this.cluster = cluster;
  }

  // started in beforeAll, stopped in afterAll
  private Vertx vertx;
  private FakeOpenAiCompatible fake;
  private TestGateway gateway;

  /** Against a standalone redis-server. */
  public static GatewayHarness standalone() {
    return new GatewayHarness(RedisProcess.standalone(), null);
  }

  /** Against a real 3-master Redis Cluster, with {@code TOLLGATE_REDIS_MODE=cluster}. */
  public static GatewayHarness cluster() {
    return new GatewayHarness(null, RedisClusterProcess.threeMasters()).env("TOLLGATE_REDIS_MODE", "cluster");
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
    } else {
      cluster.start();
    }
    vertx = Vertx.vertx();
    beforeDeploy.forEach(step -> step.accept(vertx));
    fake = new FakeOpenAiCompatible(vertx, Seed.UPSTREAM_KEY);
    gateway = new TestGateway(vertx, standalone != null ? standalone.url() : cluster.urls(), env);
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
      } else {
        cluster.close();
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

  /** A client for seeding and asserts (a new one after a {@link RedisProcess#start() restart}). */
  public UnifiedJedis redis() {
    return standalone != null ? standalone.client() : cluster.client();
  }

  /** A new tenant's projection writer on this Redis. */
  public Seed seed() {
    return new Seed(redis());
  }

  /** The standalone server, to stop and start it as an outage would. */
  public RedisProcess redisProcess() {
    if (standalone == null) {
      throw new IllegalStateException("this harness runs a Redis Cluster");
    }
    return standalone;
  }

  /** The cluster, to look at its nodes one by one. */
  public RedisClusterProcess clusterProcess() {
    if (cluster == null) {
      throw new IllegalStateException("this harness runs a standalone Redis");
    }
    return cluster;
  }
}
