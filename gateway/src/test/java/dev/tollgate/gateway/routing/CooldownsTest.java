package dev.tollgate.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.schema.RoutePlan;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CooldownsTest {

  final AtomicLong now = new AtomicLong(1_000_000);
  final Cooldowns cooldowns = new Cooldowns(now::get);
  static final RoutePlan.Cooldown SETTINGS = new RoutePlan.Cooldown(3, 1_000, 4_000);

  static UpstreamError error(UpstreamError.Kind kind, long retryAfterMs) {
    return new UpstreamError(500, kind, "x", retryAfterMs);
  }

  @Test
  void consecutiveFailuresStartACooldownThatAFailedProbeDoubles() {
    cooldowns.failed("t", error(UpstreamError.Kind.SERVER_ERROR, -1), SETTINGS);
    cooldowns.failed("t", error(UpstreamError.Kind.TIMEOUT, -1), SETTINGS);
    assertThat(cooldowns.coolingDown("t")).isFalse();
    cooldowns.failed("t", error(UpstreamError.Kind.CONNECT_ERROR, -1), SETTINGS);
    assertThat(cooldowns.coolingDown("t")).isTrue();
    now.addAndGet(1_000);
    assertThat(cooldowns.coolingDown("t")).isFalse();
    cooldowns.attempting("t"); // the probe: others keep avoiding it meanwhile
    assertThat(cooldowns.coolingDown("t")).isTrue();
    cooldowns.failed("t", error(UpstreamError.Kind.SERVER_ERROR, -1), SETTINGS);
    now.addAndGet(1_999);
    assertThat(cooldowns.coolingDown("t")).isTrue();
    now.addAndGet(1);
    assertThat(cooldowns.coolingDown("t")).isFalse();
    cooldowns.attempting("t");
    cooldowns.succeeded("t");
    assertThat(cooldowns.coolingDown("t")).isFalse();
    cooldowns.failed("t", error(UpstreamError.Kind.SERVER_ERROR, -1), SETTINGS);
    assertThat(cooldowns.coolingDown("t")).as("a success starts the count over").isFalse();
  }

  @Test
  void theRequestsFaultSaysNothingAboutTheTarget() {
    for (int i = 0; i < 5; i++) {
      cooldowns.failed("t", error(UpstreamError.Kind.CLIENT_ERROR, -1), SETTINGS);
      cooldowns.failed("t", error(UpstreamError.Kind.CONTEXT_LENGTH, -1), SETTINGS);
    }
    assertThat(cooldowns.coolingDown("t")).isFalse();
  }

  @Test
  void aRateLimitsRetryAfterStartsACooldownAtOnceCappedByTheMaximum() {
    cooldowns.failed("t", error(UpstreamError.Kind.RATE_LIMITED, 60_000), SETTINGS);
    assertThat(cooldowns.coolingDown("t")).isTrue();
    now.addAndGet(4_000);
    assertThat(cooldowns.coolingDown("t")).isFalse();
  }

  @Test
  void theSettingsOfTheFailingRequestsPlanApply() {
    RoutePlan.Cooldown eager = new RoutePlan.Cooldown(1, 500, 800);
    cooldowns.failed("t", error(UpstreamError.Kind.SERVER_ERROR, -1), eager);
    assertThat(cooldowns.coolingDown("t")).as("one failure is enough").isTrue();
    now.addAndGet(500);
    assertThat(cooldowns.coolingDown("t")).isFalse();
    cooldowns.attempting("t");
    cooldowns.failed("t", error(UpstreamError.Kind.SERVER_ERROR, -1), eager);
    now.addAndGet(799);
    assertThat(cooldowns.coolingDown("t")).as("doubled to 1,000, capped at 800").isTrue();
    now.addAndGet(1);
    assertThat(cooldowns.coolingDown("t")).isFalse();
    cooldowns.failed("u", error(UpstreamError.Kind.SERVER_ERROR, -1), SETTINGS);
    assertThat(cooldowns.coolingDown("u")).as("another plan's target keeps its threshold").isFalse();
  }
}
