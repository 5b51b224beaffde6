package dev.tollgate.operator.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.RedisSettings;
import dev.tollgate.testkit.RedisSentinelSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.JedisSentineled;
import redis.clients.jedis.UnifiedJedis;

/**
 * Sentinel mode against a real {@code redis-server --sentinel} monitoring a real master and replica:
 * the operator's client finds the master through the sentinel and writes there; wrong settings fail
 * with a message naming the variable.
 */
class RedisSentinelTest {

  @RegisterExtension
  static final RedisSentinelSet REDIS = RedisSentinelSet.masterReplicaSentinel();

  static RedisSettings sentinelSettings(String master, int port) {
    return RedisSettings.fromEnv(Map.of(
        "TOLLGATE_REDIS_MODE", "sentinel",
        "TOLLGATE_REDIS_URL", "redis://127.0.0.1:" + port,
        "TOLLGATE_REDIS_MASTER_NAME", master));
  }

  @Test
  void findsTheMasterThroughTheSentinelAndWritesThere() {
    RedisSettings settings = sentinelSettings(RedisSentinelSet.MASTER_NAME, REDIS.sentinelPort());
    try (UnifiedJedis redis = RedisClients.create(settings)) {
      assertThat(redis).isInstanceOf(JedisSentineled.class);
      assertThat(RedisClients.check(redis, settings)).isTrue();
      new ConfigWriter(redis, new SimpleMeterRegistry()).put("tg:v1:sentinel-probe", Map.of("ok", true),
          new ConfigChange(ConfigChange.TENANT, "probe/probe"));
      assertThat(REDIS.initialMaster().client().get("tg:v1:sentinel-probe")).isEqualTo("{\"ok\":true}");
    } finally {
      REDIS.initialMaster().client().del("tg:v1:sentinel-probe");
    }
  }

  @Test
  void anUnknownMasterNameIsReportedByItsVariable() {
    assertThatThrownBy(() -> RedisClients.create(sentinelSettings("no-such-master", REDIS.sentinelPort())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TOLLGATE_REDIS_MASTER_NAME:")
        .hasMessageContaining("'no-such-master'");
  }

  @Test
  void noSentinelAnsweringIsReportedByTheUrlVariable() throws IOException {
    assertThatThrownBy(() -> RedisClients.create(sentinelSettings(RedisSentinelSet.MASTER_NAME, freePort())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TOLLGATE_REDIS_URL: no sentinel answered for master 'tollgate'");
  }

  @Test
  void aMissingMasterNameIsRejectedBeforeConnecting() {
    assertThatThrownBy(() -> RedisSettings.fromEnv(Map.of("TOLLGATE_REDIS_MODE", "sentinel", "TOLLGATE_REDIS_URL", "redis://127.0.0.1:1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TOLLGATE_REDIS_MASTER_NAME is required");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
