package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schema.RedisSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {

  @TempDir Path dir;

  @Test
  void defaultsNeedNothingButAreSane() {
    GatewayConfig c = GatewayConfig.load(Map.of());
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.redis().mode()).isEqualTo(RedisSettings.Mode.STANDALONE);
    assertThat(c.redisTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.defaultMaxTokens()).isEqualTo(4096);
    assertThat(c.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void eventLoopsFromEnvironmentOrFile() throws Exception {
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_EVENT_LOOPS", "1")).eventLoops()).isEqualTo(1);
    Path file = dir.resolve("loops.yaml");
    Files.writeString(file, "eventLoops: 3\n");
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_CONFIG_FILE", file.toString())).eventLoops()).isEqualTo(3);
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_EVENT_LOOPS", "0")))
        .hasMessage("TOLLGATE_EVENT_LOOPS must be between 1 and 1024, got 0");
  }

  @Test
  void defaultMaxToolCallsFromEnvironmentOrFile() throws Exception {
    assertThat(GatewayConfig.load(Map.of()).defaultMaxToolCalls()).isEqualTo(10);
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_DEFAULT_MAX_TOOL_CALLS", "3")).defaultMaxToolCalls()).isEqualTo(3);
    Path file = dir.resolve("tools.yaml");
    Files.writeString(file, "defaultMaxToolCalls: 5\n");
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_CONFIG_FILE", file.toString())).defaultMaxToolCalls()).isEqualTo(5);
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_DEFAULT_MAX_TOOL_CALLS", "0")))
        .hasMessage("TOLLGATE_DEFAULT_MAX_TOOL_CALLS must be between 1 and 1000, got 0");
  }

  @Test
  void accessLogIsOffUnlessSetToJson() throws Exception {
    assertThat(GatewayConfig.load(Map.of()).accessLog()).isFalse();
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_ACCESS_LOG", "json")).accessLog()).isTrue();
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_ACCESS_LOG", "off")).accessLog()).isFalse();
    Path file = dir.resolve("access.yaml");
    Files.writeString(file, "accessLog: json\n");
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_CONFIG_FILE", file.toString())).accessLog()).isTrue();
    // unquoted off, a YAML 1.1 boolean to the reader, still means off
    Files.writeString(file, "accessLog: off\n");
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_CONFIG_FILE", file.toString())).accessLog()).isFalse();
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_ACCESS_LOG", "true")))
        .hasMessage("TOLLGATE_ACCESS_LOG must be off or json, got 'true'");
  }

  @Test
  void yamlFileWithEnvironmentWinning() throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, """
        http:
          port: 9090
        redis:
          url: redis://a:1,redis://b:2
          mode: cluster
          timeout: 250ms
        defaultMaxTokens: 1024
        """);
    GatewayConfig c = GatewayConfig.load(Map.of("TOLLGATE_CONFIG_FILE", file.toString(), "TOLLGATE_HTTP_PORT", "7070"));
    assertThat(c.httpPort()).isEqualTo(7070);
    assertThat(c.redis().mode()).isEqualTo(RedisSettings.Mode.CLUSTER);
    assertThat(c.redis().nodes()).hasSize(2);
    assertThat(c.redisTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.defaultMaxTokens()).isEqualTo(1024);
  }

  @Test
  void invalidSettingsNameTheirVariable() throws Exception {
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_HTTP_PORT", "http")))
        .hasMessage("TOLLGATE_HTTP_PORT must be a whole number, got 'http'");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_REDIS_TIMEOUT", "5 seconds")))
        .hasMessageStartingWith("TOLLGATE_REDIS_TIMEOUT must be a duration");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_REDIS_MODE", "sentinel", "TOLLGATE_REDIS_URL", "redis://s:26379")))
        .hasMessageContaining("TOLLGATE_REDIS_MASTER_NAME is required");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_CREDENTIALS_KEY_FILE", "/nonexistent/key")))
        .hasMessageContaining("TOLLGATE_CREDENTIALS_KEY_FILE /nonexistent/key is not a readable file");
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "redis:\n  uri: redis://x:1\n");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_CONFIG_FILE", file.toString())))
        .hasMessageContaining("unknown setting 'redis.uri'");
  }

  @Test
  void settleSpoolFolderIsCreatedAndMustBeWritable() throws Exception {
    assertThat(GatewayConfig.load(Map.of()).settleSpoolDir()).isNull();
    Path spool = dir.resolve("var/spool");
    assertThat(GatewayConfig.load(Map.of("TOLLGATE_SETTLE_SPOOL_DIR", spool.toString())).settleSpoolDir()).isEqualTo(spool);
    assertThat(spool).isDirectory();
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThatThrownBy(() -> GatewayConfig.load(Map.of("TOLLGATE_SETTLE_SPOOL_DIR", file.resolve("spool").toString())))
        .hasMessageStartingWith("TOLLGATE_SETTLE_SPOOL_DIR " + file.resolve("spool") + " cannot be created");
  }

  @Test
  void toStringNeverShowsSecrets() {
    GatewayConfig c = GatewayConfig.load(Map.of("TOLLGATE_REDIS_PASSWORD", "hunter2", "TOLLGATE_CREDENTIALS_KEY", "c2VjcmV0"));
    assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("c2VjcmV0");
  }
}
