package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.Money;
import dev.tollgate.schema.Period;
import dev.tollgate.schema.Pricing;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.TenantRecord;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * A chat request without {@code max_tokens} is bounded by the configured default ceiling: the
 * provider is asked for at most that many tokens (enforcement is on by default), and the spend
 * reservation is that ceiling's worst-case cost, so no request can overshoot a cap.
 */
class DefaultMaxTokensTest {

  static final long CEILING = 1000;

  // TOLLGATE_ENFORCE_DEFAULT_MAX_TOKENS is left unset: its default must be on
  @RegisterExtension
  static final GatewayHarness HARNESS = GatewayHarness.standalone()
      .env("TOLLGATE_DEFAULT_MAX_TOKENS", Long.toString(CEILING))
      .env("TOLLGATE_PROMPT_MARGIN_PERCENT", "0");

  @Test
  void requestWithoutMaxTokensGetsTheDefaultCeilingUpstreamAndInTheReservation() {
    HARNESS.fake().reportUsage(10, 5);
    Pricing markup = new Pricing(Pricing.PERCENTAGE_MARKUP, "USD", 200_000, 0);
    Seed seed = HARNESS.seed()
        .tenant(0, 0, markup, List.of(), TenantRecord.ACTIVE)
        .plan(HARNESS.fake().baseUrl())
        .cap("monthly", "Tenant", null, "Reject", Period.Month, 1_000_000);
    String key = seed.key("no-ceiling");
    String body = TestGateway.chat(Seed.MODEL, null, false);

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, body);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().json().getValue("max_tokens")).isEqualTo((int) CEILING);
    long prompt = new TokenEstimator().chatPrompt(new JsonObject(body));
    long worstCase = markup.capBasisMicros(
        Money.costMicros(prompt, Seed.IN_PRICE) + Money.costMicros(CEILING, Seed.OUT_PRICE));
    // 1000 output tokens at 0.60/M = 600 micros (+20%): far from the 4096-token default's figure
    assertThat(worstCase).isBetween(720L, 800L);
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      List<StreamEntry> usage = HARNESS.redis().xrange(RedisKeys.usage(seed.tenant), (StreamEntryID) null, (StreamEntryID) null);
      assertThat(usage).singleElement().satisfies(e -> assertThat(e.getFields())
          .containsEntry("requestId", id)
          .containsEntry("reservedMicros", Long.toString(worstCase)));
    });
  }

  @Test
  void anExplicitMaxTokensIsLeftAsTheClientSentIt() {
    HARNESS.fake().reportUsage(10, 5);
    Seed seed = HARNESS.seed().tenant().plan(HARNESS.fake().baseUrl());

    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", seed.key("explicit"), TestGateway.chat(Seed.MODEL, 77, false));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(HARNESS.fake().lastRequest().json().getValue("max_tokens")).isEqualTo(77);
  }
}
