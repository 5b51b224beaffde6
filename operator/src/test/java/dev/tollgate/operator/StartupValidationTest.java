package dev.tollgate.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testkit.RedisProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;

/** A bad environment stops the operator before it starts, with one line naming the variable at fault. */
class StartupValidationTest {

  @RegisterExtension
  static final RedisProcess REDIS = RedisProcess.standalone();

  /** An ACL user with a password, so that wrong credentials can be told apart from an absent Redis. */
  @BeforeAll
  static void aclUser() {
    try (Jedis admin = new Jedis(REDIS.host(), REDIS.port())) {
      admin.aclSetUser("tollgate", "on", ">right-password", "~*", "&*", "+@all");
    }
  }

  static final String GOOD_KEY = OperatorHarness.CREDENTIALS_KEY;

  Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of(
        "TOLLGATE_REDIS_URL", "redis://127.0.0.1:" + REDIS.port(),
        "TOLLGATE_REDIS_USERNAME", "tollgate",
        "TOLLGATE_REDIS_PASSWORD", "right-password",
        "TOLLGATE_CREDENTIALS_KEY", GOOD_KEY));
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "TOLLGATE_RESYNC_INTERVAL|abc|TOLLGATE_RESYNC_INTERVAL: duration must be a number with one unit",
      "TOLLGATE_RESYNC_INTERVAL|500ms|TOLLGATE_RESYNC_INTERVAL must be at least 1s",
      "TOLLGATE_HEALTH_PORT|80810|TOLLGATE_HEALTH_PORT must be a port number (0-65535), got '80810'",
      "TOLLGATE_LEADER_ELECTION|yes|TOLLGATE_LEADER_ELECTION must be true or false, got 'yes'",
      "TOLLGATE_LEADER_ELECTION_LEASE_DURATION|15|TOLLGATE_LEADER_ELECTION_LEASE_DURATION: duration must be",
      "TOLLGATE_LEADER_ELECTION_LEASE_DURATION|5s|TOLLGATE_LEADER_ELECTION_RENEW_DEADLINE (10000ms) must be less than "
          + "TOLLGATE_LEADER_ELECTION_LEASE_DURATION (5000ms)",
      "TOLLGATE_LEADER_ELECTION_RETRY_PERIOD|0s|TOLLGATE_LEADER_ELECTION_RETRY_PERIOD must be greater than zero",
      "TOLLGATE_REDIS_URL|http://127.0.0.1:6379|TOLLGATE_REDIS_URL must use redis:// or rediss://",
      "TOLLGATE_REDIS_URL|redis://127.0.0.1|TOLLGATE_REDIS_URL needs host:port",
      "TOLLGATE_REDIS_MODE|replicated|TOLLGATE_REDIS_MODE must be standalone, sentinel or cluster, got 'replicated'",
      "TOLLGATE_REDIS_PASSWORD|wrong-password|TOLLGATE_REDIS_USERNAME/TOLLGATE_REDIS_PASSWORD rejected by Redis",
      "TOLLGATE_CREDENTIALS_KEY|not base64!|TOLLGATE_CREDENTIALS_KEY: credentials key is not valid base64",
      "TOLLGATE_CREDENTIALS_KEY|c2hvcnQ=|TOLLGATE_CREDENTIALS_KEY: credentials key must be 32 bytes",
  })
  void aBadVariableIsNamedInTheError(String variable, String value, String message) {
    assertThatThrownBy(() -> OperatorMain.validate(env(variable, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void anUnreadableKeyFileIsNamed(@TempDir Path dir) {
    Map<String, String> env = env("TOLLGATE_CREDENTIALS_KEY_FILE", dir.resolve("missing").toString());
    env.remove("TOLLGATE_CREDENTIALS_KEY");
    assertThatThrownBy(() -> OperatorMain.validate(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TOLLGATE_CREDENTIALS_KEY_FILE cannot be read");
  }

  @Test
  void goodSettingsPassAndAnAbsentRedisIsNotAConfigurationError() throws IOException {
    OperatorMain.Startup ok = OperatorMain.validate(env("TOLLGATE_LEADER_ELECTION_LEASE_DURATION", "4s",
        "TOLLGATE_LEADER_ELECTION_RENEW_DEADLINE", "3s", "TOLLGATE_LEADER_ELECTION_RETRY_PERIOD", "500ms"));
    try (var redis = ok.redis()) {
      assertThat(ok.settings().leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(4));
      assertThat(ok.settings().leaderElection().retryPeriod()).isEqualTo(Duration.ofMillis(500));
      assertThat(redis.ping()).isEqualTo("PONG");
    }
    // Nothing listens there: the operator starts and reports RedisUnavailable on its resources instead.
    OperatorMain.Startup noRedis = OperatorMain.validate(env("TOLLGATE_REDIS_URL", "redis://127.0.0.1:" + freePort()));
    noRedis.redis().close();
  }

  @Test
  void theJarExitsWithStatus2AndOneLine() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        OperatorMain.class.getName()));
    pb.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_"));
    pb.environment().put("TOLLGATE_RESYNC_INTERVAL", "abc");
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(stderr.lines().toList()).containsExactly(
        "tollgate-operator: TOLLGATE_RESYNC_INTERVAL: duration must be a number with one unit (ms, s, m, h, d), e.g. 30s, got 'abc'");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
