package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** A real 3-master Redis Cluster: admission and settle run on the tenant's slot, no CROSSSLOT. */
class RedisClusterTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.cluster().env("TOLLGATE_REDIS_TIMEOUT", "2s");

  @Test
  void everyStepWorksOnAClusterAndAllTenantKeysShareOneSlot() {
    HARNESS.fake().reportUsage(10, 5);
    Seed seed = HARNESS.seed()
        .tenant(100, 100_000, Pricing.passThrough("USD"), List.of(), TenantRecord.ACTIVE)
        .plan(HARNESS.fake().baseUrl())
        .cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000)
        .cap("key-month", "ApiKey", "k", "Alert", Period.Month, 1_000_000);
    String key = seed.key("k", 10, 10_000, List.of(), ApiKeyRecord.ACTIVE, 0);

    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false)).statusCode()).isEqualTo(200);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, true)).statusCode()).isEqualTo(200);
    assertThat(HARNESS.gateway().get("/readyz", null).statusCode()).isEqualTo(200);

    String day = RedisKeys.spend(seed.tenant, "day", Period.Day.key(Instant.now()));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().xlen(RedisKeys.usage(seed.tenant))).isEqualTo(2);
      assertThat(HARNESS.redis().hget(day, "reserved")).isEqualTo("0");
      assertThat(HARNESS.redis().hget(day, "spent")).isEqualTo("10");
    });

    // the key's usage: its spend HASHes and the totals read in one pipeline on the tenant's slot
    HttpResponse<String> usage = HARNESS.gateway().get("/v1/tollgate/usage", key);
    assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
    JsonObject body = new JsonObject(usage.body());
    assertThat(body.getJsonArray("caps").stream().map(c -> ((JsonObject) c).getString("spent"))).containsExactly("0.00001", "0.00001");
    assertThat(body.getJsonObject("month_to_date").getLong("requests")).isEqualTo(2);

    // every key the gateway wrote for the tenant lives in one slot (KEYSLOT equality)
    Set<Long> slots = new HashSet<>();
    int tenantKeys = 0;
    for (int port : HARNESS.clusterProcess().ports()) {
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
