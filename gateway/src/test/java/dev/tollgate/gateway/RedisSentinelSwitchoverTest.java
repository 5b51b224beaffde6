package dev.tollgate.gateway;

import static dev.tollgate.gateway.ErrorResponsesTest.error;
import static dev.tollgate.gateway.RedisSentinelTest.assertMetered;
import static dev.tollgate.gateway.RedisSentinelTest.subscribers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantRecord;
import dev.tollgate.testkit.RedisProcess;
import dev.tollgate.testkit.RedisSentinelSet;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A planned switch-over ({@code SENTINEL FAILOVER}): the old master stays up and keeps calling itself
 * master for seconds until the sentinel converts it. The gateway must leave it as soon as the sentinel
 * names the new master, or what it serves meanwhile is metered on a node whose data is then discarded,
 * and config changes published on the new master never reach it.
 */
class RedisSentinelSwitchoverTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.sentinel().env("TOLLGATE_CACHE_TTL", "5m");

  @Test
  void leavesTheDemotedMasterAsSoonAsTheSentinelNamesTheNewOne() {
    RedisSentinelSet redis = HARNESS.sentinelSet();
    RedisProcess oldMaster = redis.initialMaster();
    RedisProcess newMaster = redis.initialReplica();
    HARNESS.fake().reportUsage(10, 5);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl())
        .cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
    String key = seed.key("k");
    String body = TestGateway.chat(Seed.MODEL, 10, false);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, body).statusCode()).isEqualTo(200);
    int served = 1;
    assertMetered(oldMaster.client(), seed, served);
    redis.awaitReplicated(Duration.ofSeconds(5));

    redis.failover();
    redis.awaitMaster(newMaster, Duration.ofSeconds(30));
    // the old master is still up and still a master (the sentinel converts it only seconds later)
    assertThat(RedisSentinelSet.saysMaster(oldMaster)).isTrue();

    // within a few seconds every request is served on the new master (a brief 503 at most)
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> subscribers(newMaster) >= 1);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, body);
      if (r.statusCode() != 200) {
        error(r, 503, "api_error", "redis_unavailable");
      } else {
        served++;
      }
    }
    assertThat(served).isGreaterThan(1);
    assertMetered(newMaster.client(), seed, served);

    // and a change published on the new master reaches the gateway over pub/sub
    newMaster.client().set(RedisKeys.tenant(seed.tenant), ConfigCodec.toJson(new TenantRecord(seed.tenant.id(), "Acme",
        TenantRecord.SUSPENDED, List.of(), seed.policy, 0, 0, Pricing.passThrough("USD"), 2)));
    newMaster.client().publish(RedisKeys.CONFIG_CHANNEL, new ConfigChange(ConfigChange.TENANT, seed.tenant.id()).encode());
    await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        error(HARNESS.gateway().post("/v1/chat/completions", key, body), 403, "permission_error", "tenant_suspended"));
  }
}
