package dev.tollgate.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

  @Test
  void defaultsToLocalStandalone() {
    RedisSettings s = RedisSettings.fromEnv(Map.of());
    assertThat(s.mode()).isEqualTo(RedisSettings.Mode.STANDALONE);
    assertThat(s.nodes()).hasSize(1);
    assertThat(s.nodes().get(0).getPort()).isEqualTo(6379);
    assertThat(s.tls()).isFalse();
  }

  @Test
  void readsClusterNodesTlsAndPasswordWithoutPrintingIt() {
    RedisSettings s = RedisSettings.fromEnv(Map.of(
        "TOLLGATE_REDIS_MODE", "cluster",
        "TOLLGATE_REDIS_URL", "rediss://r1:7000, rediss://r2:7001",
        "TOLLGATE_REDIS_PASSWORD", "hunter2"));
    assertThat(s.mode()).isEqualTo(RedisSettings.Mode.CLUSTER);
    assertThat(s.nodes()).hasSize(2);
    assertThat(s.tls()).isTrue();
    assertThat(s.password()).isEqualTo("hunter2");
    assertThat(s.toString()).doesNotContain("hunter2");
  }

  @Test
  void explainsWhatIsWrong() {
    assertThatThrownBy(() -> RedisSettings.fromEnv(Map.of("TOLLGATE_REDIS_MODE", "ring")))
        .hasMessageContaining("TOLLGATE_REDIS_MODE");
    assertThatThrownBy(() -> RedisSettings.fromEnv(Map.of("TOLLGATE_REDIS_URL", "http://x:1")))
        .hasMessageContaining("redis://");
    assertThatThrownBy(() -> RedisSettings.fromEnv(Map.of("TOLLGATE_REDIS_MODE", "sentinel", "TOLLGATE_REDIS_URL", "redis://s:26379")))
        .hasMessageContaining("TOLLGATE_REDIS_MASTER_NAME");
    assertThatThrownBy(() -> RedisSettings.fromEnv(Map.of("TOLLGATE_REDIS_URL", "redis://a:1,redis://b:2")))
        .hasMessageContaining("TOLLGATE_REDIS_MODE");
    assertThatThrownBy(() -> RedisSettings.fromEnv(Map.of("TOLLGATE_REDIS_URL", "redis://user:secret@host")))
        .hasMessageNotContaining("secret");
  }

  @Test
  void periodsResetAtUtcBoundaries() {
    var at = java.time.Instant.parse("2026-12-31T23:59:59Z");
    assertThat(Period.Day.reset(at)).isEqualTo(java.time.Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(Period.Month.reset(at)).isEqualTo(java.time.Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(Period.Month.start(at)).isEqualTo(java.time.Instant.parse("2026-12-01T00:00:00Z"));
  }

  @Test
  void recordsSurviveAJsonRoundTripAndIgnoreUnknownFields() {
    var rec = new ApiKeyRecord("a/b", "web", ApiKeyRecord.ACTIVE, 0, java.util.List.of("gpt-*"), 60, 1000, null, 3);
    String json = ConfigCodec.toJson(rec);
    assertThat(ConfigCodec.fromJson(json, ApiKeyRecord.class)).isEqualTo(rec);
    String newer = json.replace("{", "{\"fieldFromTheFuture\":1,");
    assertThat(ConfigCodec.fromJson(newer, ApiKeyRecord.class)).isEqualTo(rec);
    assertThat(rec.usableAt(System.currentTimeMillis())).isTrue();
    var expired = new ApiKeyRecord("a/b", "web", ApiKeyRecord.ACTIVE, 1000, null, 0, 0, null, 1);
    assertThat(expired.usableAt(1000)).isFalse();
  }
}
