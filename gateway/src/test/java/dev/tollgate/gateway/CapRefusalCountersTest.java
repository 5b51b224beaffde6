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
import dev.tollgate.testkit.RedisProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * admit.lua counts a request in the rate windows first and undoes that when a cap refuses it (ADR
 * 0023): a 402 must leave the key's and the tenant's per-minute request and token counters as they
 * were, so a client refused for budget does not also use up its rate limit.
 */
class CapRefusalCountersTest {

  @RegisterExtension static final RedisProcess REDIS = RedisProcess.standalone();

  static Vertx vertx;
  static FakeOpenAiCompatible fake;
  static TestGateway gateway;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    fake = new FakeOpenAiCompatible(vertx, Seed.UPSTREAM_KEY);
    gateway = new TestGateway(vertx, REDIS.url());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    fake.close();
    vertx.close().await();
  }

  @Test
  void spendCapRefusalLeavesThePerMinuteCountersUnchanged() {
    fake.reset();
    fake.reportUsage(10, 5);
    Seed seed = new Seed(REDIS.client())
        .tenant(1_000, 1_000_000, Pricing.passThrough("USD"), List.of(), TenantRecord.ACTIVE)
        .plan(fake.baseUrl())
        // 1000 micros a day: a small request fits, one that may produce 100k tokens (60000 micros) does not
        .cap("daily", "Tenant", null, "Reject", Period.Day, 1_000);
    String key = seed.key("k", 1_000, 1_000_000, List.of(), ApiKeyRecord.ACTIVE, 0);

    HttpResponse<String> ok = gateway.post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false));
    assertThat(ok.statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(REDIS.client().hget(RedisKeys.totals(seed.tenant, Period.Month.key(Instant.now())), "requests"))
            .isEqualTo("1"));
    Map<String, String> before = rateCounters(seed);
    // the admitted request was counted: requests and tokens, for the key and the tenant
    assertThat(before.keySet()).anyMatch(k -> k.contains("rl:k:k:req:")).anyMatch(k -> k.contains("rl:k:k:tok:"))
        .anyMatch(k -> k.contains("rl:t:-:req:")).anyMatch(k -> k.contains("rl:t:-:tok:"));

    HttpResponse<String> refused = gateway.post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100_000, false));

    assertThat(refused.statusCode()).isEqualTo(402);
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code")).isEqualTo("spend_cap_exceeded");
    assertThat(fake.requests()).hasSize(1);
    assertThat(rateCounters(seed)).isEqualTo(before);
  }

  /**
   * Every non-zero rate window counter of the tenant (key and tenant scope, all minutes): a window
   * that a refusal created and emptied again in a new minute holds 0, which counts as absent.
   */
  private static Map<String, String> rateCounters(Seed seed) {
    String any = RedisKeys.rateWindow(seed.tenant, "t", "-", "req", 0);
    String prefix = any.substring(0, any.indexOf("rl:") + "rl:".length());
    Map<String, String> counters = new TreeMap<>();
    for (String k : REDIS.client().keys(prefix + "*")) {
      String v = REDIS.client().get(k);
      if (v != null && !"0".equals(v)) {
        counters.put(k, v);
      }
    }
    return counters;
  }
}
