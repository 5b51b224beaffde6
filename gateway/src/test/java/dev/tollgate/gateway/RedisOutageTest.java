package dev.tollgate.gateway;

import static dev.tollgate.gateway.ErrorResponsesTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Redis down (or demoted to a read-only replica): fail closed with 503 within a second and report
 * not-ready; Redis back: serve again, no restart.
 */
class RedisOutageTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();

  @Test
  void failsClosedWhileRedisIsDownAndRecoversByItself() {
    String raw = ApiKeys.generate();
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    seed.key(raw, "k", 0, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    String body = TestGateway.chat(Seed.MODEL, 10, false);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", raw, body).statusCode()).isEqualTo(200);

    HARNESS.redisProcess().stop();
    long start = System.nanoTime();
    HttpResponse<String> down = HARNESS.gateway().post("/v1/chat/completions", raw, body);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    error(down, 503, "api_error", "redis_unavailable");
    assertThat(took).isLessThan(Duration.ofSeconds(1));
    // a key the gateway has never seen cannot be checked either: fail closed, not 401
    error(HARNESS.gateway().post("/v1/chat/completions", ApiKeys.generate(), body), 503, "api_error", "redis_unavailable");
    await().atMost(Duration.ofSeconds(3)).until(() -> HARNESS.gateway().get("/readyz", null).statusCode() == 503);
    assertThat(HARNESS.gateway().get("/healthz", null).statusCode()).isEqualTo(200);

    HARNESS.redisProcess().start();
    // the restarted Redis is empty; the operator's resync writes the projection again
    seed.using(HARNESS.redis()).tenant().plan(HARNESS.fake().baseUrl()).key(raw, "k", 0, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
        assertThat(HARNESS.gateway().post("/v1/chat/completions", raw, body).statusCode()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(3)).until(() -> HARNESS.gateway().get("/readyz", null).statusCode() == 200);
  }

  @Test
  void aMasterDemotedToAReplicaIsUnavailableNotAnInternalErrorAndRecovers() {
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());
    String key = seed.key("k");
    String body = TestGateway.chat(Seed.MODEL, 10, false);
    assertThat(HARNESS.gateway().post("/v1/chat/completions", key, body).statusCode()).isEqualTo(200);

    // REPLICAOF keeps the gateway's connection open; writes on it now fail with READONLY
    try (Jedis node = new Jedis(HARNESS.redisProcess().host(), HARNESS.redisProcess().port())) {
      node.replicaof("127.0.0.1", 1); // a master that is not there: the node stays a read-only replica
      try {
        error(HARNESS.gateway().post("/v1/chat/completions", key, body), 503, "api_error", "redis_unavailable");
      } finally {
        node.replicaofNoOne();
      }
    }
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
        assertThat(HARNESS.gateway().post("/v1/chat/completions", key, body).statusCode()).isEqualTo(200));
  }
}
