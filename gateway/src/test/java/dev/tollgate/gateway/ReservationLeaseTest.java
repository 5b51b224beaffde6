package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.RedisKeys;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A reservation whose process died before settling holds its money only until its lease ends. */
class ReservationLeaseTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone().env("TOLLGATE_RESERVATION_LEASE", "1s");

  @Test
  void reservationOfAKilledReplicaIsReleasedAfterItsLease() throws Exception {
    HARNESS.fake().reportUsage(10, 50);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl())
        .cap("tight", "Tenant", null, "Reject", Period.Day, 520);
    String key = seed.key("k");
    String spendKey = RedisKeys.spend(seed.tenant, "tight", Period.Day.key(Instant.now()));

    // a replica reserves 500 through the real script, then is "killed": it never settles
    long now = System.currentTimeMillis();
    String admit;
    try (InputStream in = getClass().getResourceAsStream("/lua/admit.lua")) {
      admit = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    long minute = now / 60_000;
    List<String> keys = List.of(RedisKeys.reservations(seed.tenant), RedisKeys.reservationLeases(seed.tenant),
        RedisKeys.rateWindow(seed.tenant, "k", "ghost", "req", minute), RedisKeys.rateWindow(seed.tenant, "k", "ghost", "tok", minute),
        RedisKeys.rateWindow(seed.tenant, "t", "-", "req", minute), RedisKeys.rateWindow(seed.tenant, "t", "-", "tok", minute),
        spendKey);
    // ARGV as documented in admit.lua: now, window TTL, structures TTL, purge size, one request's block
    List<String> args = new ArrayList<>(List.of(Long.toString(now), "120000", "86400", "20", "1",
        "req_killed", "500", Long.toString(now + 60_000), "100", "3", "0", "4", "0", "5", "0", "6", "0", "1", "7", "520", "1", "86400"));
    Object admitted = HARNESS.redis().eval(admit, keys, args);
    assertThat(((List<?>) ((List<?>) admitted).get(0)).get(0)).isEqualTo(1L);
    assertThat(HARNESS.redis().hget(spendKey, "reserved")).isEqualTo("500");

    // while the lease runs, the dead reservation still counts: worst case ~62 does not fit in 20
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false)).statusCode()).isEqualTo(402);

    // its lease is then made to end half a second from now (a fixed short lease taken at the start
    // could end before the request above on a slow machine); after it, the next admission releases
    // the reservation and the request goes through
    HARNESS.redis().zadd(RedisKeys.reservationLeases(seed.tenant), System.currentTimeMillis() + 500, "req_killed");
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
        assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false)).statusCode()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().hget(spendKey, "reserved")).isEqualTo("0");
      // a tombstone, kept a week: a settle arriving after all (a replica cut off, not killed) is still
      // charged and recorded once (LongOutageSettlementTest)
      assertThat(HARNESS.redis().hget(RedisKeys.reservations(seed.tenant), "req_killed")).isEqualTo("x");
      assertThat(HARNESS.redis().zscore(RedisKeys.reservationLeases(seed.tenant), "req_killed"))
          .isGreaterThan(now + Duration.ofDays(6).toMillis());
      assertThat(HARNESS.redis().hget(spendKey, "spent")).isEqualTo("32");
    });
    // a week later, nothing came for it: the next admission deletes the tombstone
    HARNESS.redis().zadd(RedisKeys.reservationLeases(seed.tenant), System.currentTimeMillis() - 1, "req_killed");
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 100, false)).statusCode()).isEqualTo(200);
    assertThat(HARNESS.redis().hexists(RedisKeys.reservations(seed.tenant), "req_killed")).isFalse();
    assertThat(HARNESS.redis().zscore(RedisKeys.reservationLeases(seed.tenant), "req_killed")).isNull();
    // that request settles after its answer (in a batch): its settle removes the last lease, and with
    // it the leases key, so the keys are listed once it has run, not while it may still be running
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(HARNESS.redis().hget(spendKey, "reserved")).isEqualTo("0");
      assertThat(HARNESS.redis().hget(spendKey, "spent")).isEqualTo("64");
    });
    // every key the scripts wrote carries a TTL
    for (String k : HARNESS.redis().keys(RedisKeys.tenantPrefix(seed.tenant) + "*")) {
      if (!k.endsWith(":tenant") && !k.endsWith(":caps") && !k.endsWith(":usage")) {
        assertThat(HARNESS.redis().ttl(k)).as(k).isPositive();
      }
    }
  }
}
