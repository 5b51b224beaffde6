package dev.tollgate.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.operator.CredentialsKey;
import dev.tollgate.operator.OperatorSettings;
import dev.tollgate.operator.redis.ConfigWriter;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.schema.ConfigCodec;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RedisSettings;
import dev.tollgate.schema.TenantId;
import dev.tollgate.testkit.RedisProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/** Local mode: manifests from a folder, the same reconcilers, the demo key printed once, reloads on change. */
class LocalModeTest {

  @RegisterExtension
  static final RedisProcess REDIS = RedisProcess.standalone();

  static final String POLICY_AND_TENANT = """
      apiVersion: tollgate.dev/v1alpha1
      kind: RoutePolicy
      metadata: {name: default}
      spec:
        providers: [{name: demo, type: openai-compatible, baseUrl: "http://127.0.0.1:9/v1"}]
        routes:
          - match: "*"
            targets: [{provider: demo, model: demo-echo, inputPricePerMillion: "1", outputPricePerMillion: "2"}]
      ---
      apiVersion: tollgate.dev/v1alpha1
      kind: Tenant
      metadata: {name: demo}
      spec:
        routePolicyRef: {name: default}
      """;

  static String key(String state) {
    return """
        apiVersion: tollgate.dev/v1alpha1
        kind: ApiKey
        metadata: {name: demo-key}
        spec:
          tenantRef: {name: demo}
          state: %s
        """.formatted(state);
  }

  @Test
  void appliesTheFolderPrintsTheKeyAndFollowsFileChanges(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("base.yaml"), POLICY_AND_TENANT);
    Path keyFile = dir.resolve("key.yaml");
    Files.writeString(keyFile, key("Active"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JedisPooled redis = REDIS.client();
    OperatorSettings settings = new OperatorSettings(Duration.ofSeconds(2), 0, Set.of(), OperatorSettings.fromEnv(Map.of()).leaderElection(), dir,
        RedisSettings.standalone(REDIS.host(), REDIS.port()));
    try (JedisPooled writerClient = new JedisPooled(REDIS.host(), REDIS.port());
        LocalMode local = LocalMode.start(dir, settings, new ConfigWriter(writerClient, new SimpleMeterRegistry()),
            CredentialsKey.none(), new SimpleMeterRegistry(), new PrintStream(out, true, StandardCharsets.UTF_8))) {
      Pattern line = Pattern.compile("^TOLLGATE_KEY default/demo-key (tg-[0-9A-Za-z]{43})$", Pattern.MULTILINE);
      String[] raw = new String[1];
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Matcher m = line.matcher(out.toString(StandardCharsets.UTF_8));
        assertThat(m.find()).as("stdout: %s", out).isTrue();
        raw[0] = m.group(1);
      });
      String hash = ApiKeys.sha256Hex(raw[0]);
      assertThat(redis.get(RedisKeys.tenant(new TenantId("default", "demo")))).isNotNull();
      assertThat(ConfigCodec.fromJson(redis.get(RedisKeys.apiKey(hash)), ApiKeyRecord.class).state()).isEqualTo(ApiKeyRecord.ACTIVE);

      rewrite(keyFile, key("Suspended"));
      await().atMost(Duration.ofSeconds(20)).until(() ->
          ApiKeyRecord.SUSPENDED.equals(ConfigCodec.fromJson(redis.get(RedisKeys.apiKey(hash)), ApiKeyRecord.class).state()));

      Files.delete(keyFile);
      await().atMost(Duration.ofSeconds(20)).until(() -> redis.get(RedisKeys.apiKey(hash)) == null);
      assertThat(line.matcher(out.toString(StandardCharsets.UTF_8)).results().count()).as("the key is printed once").isEqualTo(1);
    }
  }

  private static void rewrite(Path file, String content) throws Exception {
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
  }
}
