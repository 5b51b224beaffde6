package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.fake.Sse;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.gateway.support.UsageRecords;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code TOLLGATE_MAX_ANSWER_BYTES}: a provider that sends more than the gateway holds in memory (a
 * huge body, a chunked body without length, an event line that never ends) fails that attempt like a
 * server error, so the request falls back to the next target, or a stream already under way ends with
 * an error event and is billed for what reached the client. One broken endpoint cannot exhaust the
 * heap every tenant shares.
 */
class UpstreamAnswerLimitTest {

  static final int LIMIT = 64 * 1024;

  @RegisterExtension
  static final GatewayHarness HARNESS = GatewayHarness.standalone().env("TOLLGATE_MAX_ANSWER_BYTES", Integer.toString(LIMIT));
  @RegisterExtension static final FakeOpenAiCompatible PRIMARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);

  static final String HUGE = "h".repeat(LIMIT * 2);

  static Seed seed() {
    Seed seed = HARNESS.seed().tenant();
    return seed.plan(
        Map.of("primary", seed.provider(PRIMARY.baseUrl()), "secondary", seed.provider(SECONDARY.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(
            new RoutePlan.Target("primary", "m-primary", 0, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0),
            new RoutePlan.Target("secondary", "m-secondary", 1, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0)), List.of())),
        new RoutePlan.Retry(3, 10, 1_000), null);
  }

  static void assertServedBySecondary(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("secondary");
    assertThat(r.headers().firstValue("x-tollgate-attempts")).contains("2");
  }

  @Test
  void aBodyLargerThanTheLimitFallsBackToTheNextTarget() {
    PRIMARY.always(Reply.json(200, FakeOpenAiCompatible.completion(HUGE, 10, 5)));
    Seed seed = seed();

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, false));

    assertServedBySecondary(r);
    assertThat(new JsonObject(r.body()).encode()).doesNotContain(HUGE.substring(0, 100));
  }

  /** No content-length to check up front: the bound holds while the body arrives. */
  @Test
  void aChunkedBodyWithoutLengthIsCutOffAtTheLimit() {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pieces.add(Sse.data("y".repeat(4096)));
    }
    PRIMARY.always(Reply.sse(pieces).header("content-type", "application/json"));
    Seed seed = seed();

    assertServedBySecondary(
        HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, false)));
  }

  @Test
  void aStreamWhoseFirstEventIsTooLargeFallsBackBeforeAnythingReachedTheClient() {
    PRIMARY.always(Reply.sse(List.of(Sse.data(FakeOpenAiCompatible.chunk(new JsonObject().put("content", HUGE), null).encode()))));
    Seed seed = seed();

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, true));

    assertServedBySecondary(r);
    assertThat(r.body()).contains(FakeOpenAiCompatible.DEFAULT_TEXT.split(" ")[0]).doesNotContain("hhhhhhhh");
  }

  @Test
  void aTooLargeEventMidStreamEndsItWithAnErrorAndBillsWhatWasStreamed() {
    List<String> events = new ArrayList<>(FakeOpenAiCompatible.textEvents(List.of("one ", "two "), 10, 2, false));
    // after the role chunk and two words, a line that never ends within the limit
    events.add(3, "data: " + "z".repeat(LIMIT * 2));
    PRIMARY.always(Reply.sse(events));
    Seed seed = seed();

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("k"), TestGateway.chat(Seed.MODEL, 10, true));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains("primary");
    assertThat(r.body()).contains("one ").contains("two ").doesNotContain("zzzz");
    List<String> data = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    JsonObject last = new JsonObject(data.get(data.size() - 1));
    assertThat(last.getJsonObject("error").getString("code")).isEqualTo("upstream_error");
    assertThat(SECONDARY.requests()).isEmpty();
    Map<String, String> record = UsageRecords.nth(HARNESS.redis(), seed.tenant, 1);
    assertThat(record).containsEntry("provider", "primary").containsEntry("status", "502");
    assertThat(Long.parseLong(record.get("tokensOut"))).isPositive();
  }
}
