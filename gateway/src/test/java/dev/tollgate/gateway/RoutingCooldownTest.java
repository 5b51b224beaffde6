package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.fake.Reply;
import dev.tollgate.gateway.routing.Cooldowns;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.RoutePlan;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A primary failing for a stretch of time: every request succeeds through the secondary, the primary
 * is skipped while cooling down, probed when the cooldown ends, and used again once it recovers. The
 * gateway's cooldown clock is the test's, so nothing depends on how fast the machine is.
 */
class RoutingCooldownTest {

  static final AtomicLong NOW = new AtomicLong(1_000_000_000L);

  @RegisterExtension
  static final GatewayHarness HARNESS = GatewayHarness.standalone()
      .beforeDeploy(vertx -> Cooldowns.install(vertx, new Cooldowns(NOW::get)));
  @RegisterExtension static final FakeOpenAiCompatible PRIMARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeOpenAiCompatible SECONDARY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);

  static void servedBy(String key, String provider) {
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("x-tollgate-provider")).contains(provider);
  }

  /** A tenant whose route falls back from PRIMARY to SECONDARY, with these cooldown settings. */
  static String primaryThenSecondary(RoutePlan.Cooldown cooldown) {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("primary", seed.provider(PRIMARY.baseUrl()), "secondary", seed.provider(SECONDARY.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(
            new RoutePlan.Target("primary", "m-primary", 0, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0),
            new RoutePlan.Target("secondary", "m-secondary", 1, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0)), List.of())),
        new RoutePlan.Retry(2, 10, 100), null, cooldown);
    return seed.key("k");
  }

  /** The defaults (a plan without cooldown settings): 3 failures, 10 s, doubled on a failed probe. */
  @Test
  void aFailingPrimaryIsSkippedWhileCoolingDownAndUsedAgainAfter() {
    String key = primaryThenSecondary(null);
    PRIMARY.always(Reply.json(503, FakeOpenAiCompatible.error("overloaded", "server_error", null)));

    // three failures in a row: each request still served, by the secondary
    for (int i = 0; i < 3; i++) {
      servedBy(key, "secondary");
    }
    assertThat(PRIMARY.requests()).hasSize(3);

    // cooling down: the primary gets nothing at all
    for (int i = 0; i < 10; i++) {
      servedBy(key, "secondary");
    }
    NOW.addAndGet(9_999);
    servedBy(key, "secondary");
    assertThat(PRIMARY.requests()).hasSize(3);

    // the cooldown ends: one probe, which fails, so it cools down again, twice as long
    NOW.addAndGet(1);
    servedBy(key, "secondary");
    assertThat(PRIMARY.requests()).hasSize(4);
    NOW.addAndGet(19_999);
    servedBy(key, "secondary");
    assertThat(PRIMARY.requests()).hasSize(4);

    // recovered: the next probe succeeds and the primary serves again
    PRIMARY.always(null);
    NOW.addAndGet(1);
    for (int i = 0; i < 5; i++) {
      servedBy(key, "primary");
    }
    assertThat(PRIMARY.requests()).hasSize(9);
    assertThat(SECONDARY.requests()).hasSize(16);
  }

  /** A policy's own settings: one failure is enough, and the cooldown lasts its 2 s. */
  @Test
  void aPolicysCooldownSettingsApplyToItsTargets() {
    String key = primaryThenSecondary(new RoutePlan.Cooldown(1, 2_000, 60_000));
    PRIMARY.always(Reply.json(503, FakeOpenAiCompatible.error("overloaded", "server_error", null)));

    servedBy(key, "secondary");
    assertThat(PRIMARY.requests()).as("one failure").hasSize(1);
    // cooling down after that single failure: the primary gets nothing
    for (int i = 0; i < 5; i++) {
      servedBy(key, "secondary");
    }
    NOW.addAndGet(1_999);
    servedBy(key, "secondary");
    assertThat(PRIMARY.requests()).hasSize(1);

    // 2 s later the primary is probed; it has recovered and serves again
    PRIMARY.always(null);
    NOW.addAndGet(1);
    for (int i = 0; i < 3; i++) {
      servedBy(key, "primary");
    }
    assertThat(PRIMARY.requests()).hasSize(4);
    assertThat(SECONDARY.requests()).hasSize(7);
  }

  @Test
  void aSingleTargetInCooldownIsStillTriedRatherThanRefusingTheRequest() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("only", seed.provider(PRIMARY.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(
            new RoutePlan.Target("only", "m", 0, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0)), List.of())),
        new RoutePlan.Retry(3, 1, 10), null);
    String key = seed.key("k");
    PRIMARY.always(Reply.json(500, FakeOpenAiCompatible.error("down", "server_error", null)));
    HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 10, false));
    assertThat(r.statusCode()).isEqualTo(502);
    PRIMARY.always(null);
    servedBy(key, "only");
  }
}
