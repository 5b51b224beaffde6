package dev.tollgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisProcessTest {

  @Test
  void startsStopsAndRestartsOnTheSamePort() {
    try (RedisProcess redis = RedisProcess.standalone().start()) {
      redis.client().set("k", "v");
      assertThat(redis.client().get("k")).isEqualTo("v");
      int port = redis.port();
      redis.stop();
      assertThatThrownBy(() -> new redis.clients.jedis.Jedis("127.0.0.1", port, 300).ping())
          .isInstanceOf(RuntimeException.class);
      redis.start();
      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.client().get("k")).as("persistence is off: a restart is an empty Redis").isNull();
    }
  }

  @Test
  void clusterServesKeysOnAllThreeMasters() {
    try (RedisClusterProcess cluster = RedisClusterProcess.threeMasters().start()) {
      for (int i = 0; i < 50; i++) {
        cluster.client().set("key" + i, "v" + i);
      }
      for (int i = 0; i < 50; i++) {
        assertThat(cluster.client().get("key" + i)).isEqualTo("v" + i);
      }
      assertThat(cluster.client().getClusterNodes()).hasSize(3);
    }
  }
}
