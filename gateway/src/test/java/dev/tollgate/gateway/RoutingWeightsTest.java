package dev.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.fake.FakeOpenAiCompatible;
import dev.tollgate.gateway.support.GatewayHarness;
import dev.tollgate.gateway.support.Seed;
import dev.tollgate.gateway.support.TestGateway;
import dev.tollgate.schema.RoutePlan;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Weighted balancing among equal priorities, through the gateway. */
class RoutingWeightsTest {

  @RegisterExtension static final GatewayHarness HARNESS = GatewayHarness.standalone();
  @RegisterExtension static final FakeOpenAiCompatible HEAVY = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);
  @RegisterExtension static final FakeOpenAiCompatible LIGHT = new FakeOpenAiCompatible(Seed.UPSTREAM_KEY);

  @Test
  void threeToOneWeightsSplitTrafficThreeToOne() {
    Seed seed = HARNESS.seed().tenant();
    seed.plan(Map.of("heavy", seed.provider(HEAVY.baseUrl()), "light", seed.provider(LIGHT.baseUrl())),
        List.of(new RoutePlan.Route(Seed.MODEL, List.of(
            new RoutePlan.Target("heavy", "m", 0, 3, Seed.IN_PRICE, Seed.OUT_PRICE, 0),
            new RoutePlan.Target("light", "m", 0, 1, Seed.IN_PRICE, Seed.OUT_PRICE, 0)), List.of())),
        null);
    String key = seed.key("k");
    int n = 200;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = HARNESS.gateway().post("/v1/chat/completions", key, TestGateway.chat(Seed.MODEL, 5, false));
      assertThat(r.statusCode()).isEqualTo(200);
    }
    // expected 150 +- sd 6.1; the band [110, 190] is over 6.5 sd wide on each side: it cannot flake
    assertThat(HEAVY.requests().size()).isBetween(110, 190);
    assertThat(HEAVY.requests().size() + LIGHT.requests().size()).isEqualTo(n);
  }
}
