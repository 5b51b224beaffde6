package dev.tollgate.gateway;

import static dev.tollgate.gateway.ErrorResponsesTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.ApiKeyRecord;
import dev.tollgate.schema.ApiKeys;
import dev.tollgate.testkit.RedisProcess;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis down: fail closed with 503 within a second and report not-ready; Redis back: serve again, no restart. */
class RedisOutageTest {

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
  void failsClosedWhileRedisIsDownAndRecoversByItself() {
    String raw = ApiKeys.generate();
    Seed seed = new Seed(REDIS.client()).tenant().plan(fake.baseUrl());
    seed.key(raw, "k", 0, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    String body = TestGateway.chat(Seed.MODEL, 10, false);
    assertThat(gateway.post("/v1/chat/completions", raw, body).statusCode()).isEqualTo(200);

    REDIS.stop();
    long start = System.nanoTime();
    HttpResponse<String> down = gateway.post("/v1/chat/completions", raw, body);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    error(down, 503, "api_error", "redis_unavailable");
    assertThat(took).isLessThan(Duration.ofSeconds(1));
    // a key the gateway has never seen cannot be checked either: fail closed, not 401
    error(gateway.post("/v1/chat/completions", ApiKeys.generate(), body), 503, "api_error", "redis_unavailable");
    await().atMost(Duration.ofSeconds(3)).until(() -> gateway.get("/readyz", null).statusCode() == 503);
    assertThat(gateway.get("/healthz", null).statusCode()).isEqualTo(200);

    REDIS.start();
    // the restarted Redis is empty; the operator's resync writes the projection again
    seed.using(REDIS.client()).tenant().plan(fake.baseUrl()).key(raw, "k", 0, 0, List.of(), ApiKeyRecord.ACTIVE, 0);
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
        assertThat(gateway.post("/v1/chat/completions", raw, body).statusCode()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(3)).until(() -> gateway.get("/readyz", null).statusCode() == 200);
  }
}
