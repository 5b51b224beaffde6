package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Pins every key format of schema v1: changing one is an incompatible change (tg:v2 + ADR). */
class RedisKeysTest {

  private static final TenantId ACME = new TenantId("agency", "acme");

  @Test
  void configKeysHaveTheirPinnedFormat() {
    String hash = ApiKeys.sha256Hex("tg-example");
    assertThat(RedisKeys.apiKey(hash)).isEqualTo("tg:v1:apikey:" + hash);
    assertThat(RedisKeys.tenant(ACME)).isEqualTo("tg:v1:{t:agency/acme}:tenant");
    assertThat(RedisKeys.caps(ACME)).isEqualTo("tg:v1:{t:agency/acme}:caps");
    assertThat(RedisKeys.routePolicy("agency", "default")).isEqualTo("tg:v1:policy:agency/default");
    assertThat(RedisKeys.CONFIG_CHANNEL).isEqualTo("tg:v1:config");
  }

  @Test
  void counterKeysHaveTheirPinnedFormat() {
    Instant at = Instant.parse("2026-11-23T10:15:00Z");
    assertThat(RedisKeys.rateWindow(ACME, "k", "web", "req", 29_404_815L))
        .isEqualTo("tg:v1:{t:agency/acme}:rl:k:web:req:29404815");
    assertThat(RedisKeys.spend(ACME, "monthly", Period.Month.key(at)))
        .isEqualTo("tg:v1:{t:agency/acme}:spend:monthly:M202611");
    assertThat(RedisKeys.spend(ACME, "daily", Period.Day.key(at)))
        .isEqualTo("tg:v1:{t:agency/acme}:spend:daily:D20261123");
    assertThat(RedisKeys.spend(ACME, "weekly", Period.Week.key(at)))
        .isEqualTo("tg:v1:{t:agency/acme}:spend:weekly:W2026-48");
    assertThat(RedisKeys.spend(ACME, "prepaid", Period.Total.key(at)))
        .isEqualTo("tg:v1:{t:agency/acme}:spend:prepaid:T");
    assertThat(RedisKeys.reservations(ACME)).isEqualTo("tg:v1:{t:agency/acme}:resv");
    assertThat(RedisKeys.reservationLeases(ACME)).isEqualTo("tg:v1:{t:agency/acme}:resvexp");
    assertThat(RedisKeys.usage(ACME)).isEqualTo("tg:v1:{t:agency/acme}:usage");
    assertThat(RedisKeys.totals(ACME, "M202611")).isEqualTo("tg:v1:{t:agency/acme}:totals:M202611");
    assertThat(RedisKeys.storedResponse(ACME, "resp_67cc-d2be"))
        .isEqualTo("tg:v1:{t:agency/acme}:resp:resp_67cc-d2be");
  }

  @Test
  void everyTenantKeyCarriesTheSameHashTag() {
    String tag = "{t:agency/acme}";
    assertThat(RedisKeys.tenantPrefix(ACME)).contains(tag);
    for (String key : new String[] {
        RedisKeys.tenant(ACME), RedisKeys.caps(ACME), RedisKeys.reservations(ACME),
        RedisKeys.reservationLeases(ACME), RedisKeys.usage(ACME), RedisKeys.totals(ACME, "M202611"),
        RedisKeys.spend(ACME, "c", "D20261123"), RedisKeys.rateWindow(ACME, "t", "-", "tok", 1),
        RedisKeys.storedResponse(ACME, "resp_1")}) {
      // Redis hashes only the text between the first '{' and the next '}'.
      int open = key.indexOf('{');
      assertThat(key.substring(open, key.indexOf('}', open) + 1)).as(key).isEqualTo(tag);
    }
  }

  @Test
  void storedResponseRefusesAnIdThatCouldReshapeTheKey() {
    // a '{' or '}' could not move the key off the tenant's slot (the first tag wins), but ':' or a
    // space could make one tenant's id name another key of the same tenant
    for (String bad : new String[] {"", "resp:1", "resp 1", "{t:other/x}", "r".repeat(201)}) {
      assertThatThrownBy(() -> RedisKeys.storedResponse(ACME, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void apiKeyIndexRefusesAnythingButAHash() {
    assertThatThrownBy(() -> RedisKeys.apiKey("tg-rawkey")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tenantIdRejectsNamesThatWouldBreakKeys() {
    assertThat(TenantId.parse("ns/name")).isEqualTo(new TenantId("ns", "name"));
    assertThatThrownBy(() -> TenantId.parse("ns/a}b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TenantId.parse("nsname")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TenantId.parse("a/b/c")).isInstanceOf(IllegalArgumentException.class);
  }
}
