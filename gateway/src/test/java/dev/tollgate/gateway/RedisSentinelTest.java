package dev.tollgate.gateway;

import static dev.tollgate.gateway.ErrorResponsesTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.testkit.RedisProcess;
import dev.tollgate.testkit.RedisSentinelSet;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * Redis Sentinel: the gateway finds the master through the sentinel, fails closed while the master
 * is gone, and follows the promoted replica by itself (requests, metering and config pub/sub).
 */
class RedisSentinelTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelTest.class);

  // a long cache TTL: after the failover, only the pub/sub subscription can bring a change in time
  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.sentinel().env("TOLLGATE_CACHE_TTL", "5m");

  @Test
  void followsTheMasterThroughACrashFailoverWithoutRestart() {
    RedisSentinelSet redis = HARNESS.sentinelSet();
    RedisProcess oldMaster = redis.initialMaster();
    RedisProcess replica = redis.initialReplica();
    HARNESS.fake().reportUsage(10, 5);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl())
        .cap("day", "Tenant", null, "Reject", Period.Day, 1_000_000_000);
    String key = seed.key("k");
    String body = TestGateway.chat(Seed.MODEL, 10, false);

    // 1. through the sentinel: served and metered on the master
    int served = 0;
    for (int i = 0; i < 3; i++) {
      assertThat(HARNESS.gateway().post("/v1/chat/completions", key, body).statusCode()).isEqualTo(200);
      served++;
    }
    assertMetered(oldMaster.client(), seed, served);
    assertThat(HARNESS.gateway().get("/readyz", null).statusCode()).isEqualTo(200);
    redis.awaitReplicated(Duration.ofSeconds(5));

    // 2. the master crashes: fail closed until the sentinel has promoted the replica ...
    long killedAt = System.nanoTime();
    redis.killMaster();
    error(HARNESS.gateway().post("/v1/chat/completions", key, body), 503, "api_error", "redis_unavailable");
    await().atMost(Duration.ofSeconds(5)).until(() -> HARNESS.gateway().get("/readyz", null).statusCode() == 503);
    // ... and every answer until the first success is the documented 503, never an unmetered 200
    List<HttpResponse<String>> answers = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, body);
      answers.add(r);
      return r.statusCode() == 200;
    });
    served++;
    Duration outage = Duration.ofNanos(System.nanoTime() - killedAt);
    LOG.info("sentinel failover: first success {} ms after the master was killed ({} refusals)", outage.toMillis(), answers.size() - 1);
    for (HttpResponse<String> refused : answers.subList(0, answers.size() - 1)) {
      error(refused, 503, "api_error", "redis_unavailable");
    }
    // no restart of the gateway: the same verticle now writes to the promoted replica
    assertThat(redis.currentMaster()).isSameAs(replica);
    await().atMost(Duration.ofSeconds(5)).until(() -> HARNESS.gateway().get("/readyz", null).statusCode() == 200);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, true)).statusCode()).isEqualTo(200);
    served++;
    assertMetered(replica.client(), seed, served);

    // 3. config changes after the failover still reach the gateway: the subscriber found the new master
    await().atMost(Duration.ofSeconds(10)).until(() -> subscribers(replica) >= 1);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, body).statusCode()).isEqualTo(200); // cached again
    served++;
    String hash = ApiKeys.sha256Hex(key);
    replica.client().set(RedisKeys.apiKey(hash), ConfigCodec.toJson(
        new ApiKeyRecord(seed.tenant.id(), "k", ApiKeyRecord.SUSPENDED, 0, List.of(), 0, 0, null, 2)));
    replica.client().publish(RedisKeys.CONFIG_CHANNEL, new ConfigChange(ConfigChange.API_KEY, hash).encode());
    await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        error(HARNESS.gateway().post("/v1/chat/completions", key, body), 401, "invalid_request_error", "api_key_revoked"));
    assertMetered(replica.client(), seed, served);
  }

  /** Connections subscribed to the config channel on {@code node}. */
  static long subscribers(RedisProcess node) {
    try (Jedis j = new Jedis(node.host(), node.port())) {
      return j.pubsubNumSub(RedisKeys.CONFIG_CHANNEL).getOrDefault(RedisKeys.CONFIG_CHANNEL, 0L);
    }
  }

  /** {@code served} usage records, and the day's spend equals their cost with nothing left reserved. */
  static void assertMetered(UnifiedJedis node, Seed seed, int served) {
    List<Map<String, String>> records = UsageRecords.atLeast(node, seed.tenant, served);
    assertThat(records).hasSize(served).allSatisfy(r -> assertThat(r).containsEntry("status", "200"));
    long cost = records.stream().mapToLong(r -> Long.parseLong(r.get("costMicros"))).sum();
    assertThat(cost).isPositive();
    String day = RedisKeys.spend(seed.tenant, "day", Period.Day.key(Instant.now()));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(node.hget(day, "spent")).isEqualTo(Long.toString(cost));
      assertThat(node.hget(day, "reserved")).isEqualTo("0");
    });
  }
}
