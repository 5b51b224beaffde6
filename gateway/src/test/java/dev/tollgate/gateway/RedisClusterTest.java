package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantRecord;
import dev.tollgate.testkit.RedisClusterProcess;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** A real 3-master Redis Cluster: admission and settle run on the tenant's slot, no CROSSSLOT. */
class RedisClusterTest {

  @RegisterExtension static final RedisClusterProcess CLUSTER = RedisClusterProcess.threeMasters();

  static Vertx vertx;
  static FakeOpenAiCompatible fake;
  static TestGateway gateway;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    fake = new FakeOpenAiCompatible(vertx, Seed.UPSTREAM_KEY);
    gateway = new TestGateway(vertx, CLUSTER.urls(), Map.of("TOLLGATE_REDIS_MODE", "cluster", "TOLLGATE_REDIS_TIMEOUT", "2s"));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    fake.close();
    vertx.close().await();
  }

  @Test
  void everyStepWorksOnAClusterAndAllTenantKeysShareOneSlot() {
    fake.reset();
    fake.reportUsage(10, 5);
    Seed seed = new Seed(CLUSTER.client())
        .tenant(100, 100_000, Pricing.passThrough("USD"), List.of(), TenantRecord.ACTIVE)
        .plan(fake.baseUrl())
        .cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000)
        .cap("key-month", "ApiKey", "k", "Alert", Period.Month, 1_000_000);
    String key = seed.key("k", 10, 10_000, List.of(), ApiKeyRecord.ACTIVE, 0);

    assertThat(gateway.post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false)).statusCode()).isEqualTo(200);
    assertThat(gateway.post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, true)).statusCode()).isEqualTo(200);
    assertThat(gateway.get("/readyz", null).statusCode()).isEqualTo(200);

    String day = RedisKeys.spend(seed.tenant, "day", Period.Day.key(Instant.now()));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(CLUSTER.client().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(2);
      assertThat(CLUSTER.client().hget(day, "reserved")).isEqualTo("0");
      assertThat(CLUSTER.client().hget(day, "spent")).isEqualTo("10");
    });

    // every key the gateway wrote for the tenant lives in one slot (KEYSLOT equality)
    Set<Long> slots = new HashSet<>();
    int tenantKeys = 0;
    for (int port : CLUSTER.ports()) {
      try (Jedis node = new Jedis("127.0.0.1", port)) {
        for (String k : node.keys(RedisKeys.tenantPrefix(seed.tenant) + "*")) {
          slots.add(node.clusterKeySlot(k));
          tenantKeys++;
        }
      }
    }
    // tenant, caps, 4 rate windows, 2 spend, usage, totals (settled: no reservations left)
    assertThat(tenantKeys).isEqualTo(10);
    assertThat(slots).hasSize(1);
  }
}
