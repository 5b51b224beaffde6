package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeStatefulResponses;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.OpenAiShapedRoutes;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Stored-response mappings on a real 3-master Redis Cluster (ADR 0050): written, read and deleted on
 * the tenant's slot, next to its usage stream.
 */
class ResponseStateClusterTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.cluster().env("TOLLGATE_REDIS_TIMEOUT", "2s");
  @RegisterExtension static final FakeStatefulResponses A = new FakeStatefulResponses("a", Seed.UPSTREAM_KEY);

  @Test
  void aStoredResponseIsContinuedReadAndDeletedThroughTheCluster() {
    Seed seed = HARNESS.seed().tenant();
    OpenAiShapedRoutes.route(seed, Map.of("a", seed.provider(A.baseUrl())), List.of("a"),
        (p, prio) -> new RoutePlan.Target(p, "up-" + p, prio, 1, 150_000, 600_000, 128_000));
    String key = seed.key("k");
    String body = "{\"model\":\"" + Seed.MODEL + "\",\"input\":\"Say hello\"";

    HttpResponse<String> first = HARNESS.gateway().post("/v1/responses", key, body + "}");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    String id = new JsonObject(first.body()).getString("id");
    HttpResponse<String> next = HARNESS.gateway().post("/v1/responses", key,
        body + ",\"stream\":true,\"previous_response_id\":\"" + id + "\"}");
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    assertThat(next.body()).contains("turn 2 at a");

    String mapping = RedisKeys.storedResponse(seed.tenant, id);
    assertThat(HARNESS.redis().get(mapping)).contains("\"provider\":\"a\"");
    UsageRecords.atLeast(HARNESS.redis(), seed.tenant, 2);
    long slot = slot(mapping);
    assertThat(slot).isEqualTo(slot(RedisKeys.usage(seed.tenant)));

    assertThat(HARNESS.gateway().get("/v1/responses/" + id, key).statusCode()).isEqualTo(200);
    assertThat(HARNESS.gateway().send("DELETE", "/v1/responses/" + id, key).statusCode()).isEqualTo(200);
    assertThat(HARNESS.redis().exists(mapping)).isFalse();
    assertThat(HARNESS.gateway().get("/v1/responses/" + id, key).statusCode()).isEqualTo(404);
  }

  private static long slot(String key) {
    try (Jedis node = new Jedis("127.0.0.1", HARNESS.clusterProcess().ports().get(0))) {
      return node.clusterKeySlot(key);
    }
  }
}
