package dev.tollgate.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schema.RoutePlan;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RoutePlannerTest {

  static RoutePlan.Target t(String provider, int priority, int weight) {
    return new RoutePlan.Target(provider, "m-" + provider, priority, weight, 1, 1, 0);
  }

  static List<String> order(RoutePlan.Route route, RandomGenerator random, String... cooling) {
    return RoutePlanner.order(route, "requested", random, t -> List.of(cooling).contains(t.provider()))
        .stream().map(RoutePlan.Target::provider).toList();
  }

  @Test
  void weightsShareTrafficAmongEqualPriorities() {
    RoutePlan.Route route = new RoutePlan.Route("m", List.of(t("a", 0, 3), t("b", 0, 1), t("backup", 1, 100)), List.of());
    // a fixed seed: the test is exact; with a fresh random source the 750 +- 100 band is over 7
    // standard deviations wide (sd = sqrt(1000 * 0.75 * 0.25) = 13.7), so it could not flake either
    RandomGenerator random = new SplittableRandom(20261105);
    int a = 0;
    for (int i = 0; i < 1000; i++) {
      List<String> o = order(route, random);
      assertThat(o).hasSize(3).endsWith("backup").containsOnlyOnce("a", "b");
      if (o.get(0).equals("a")) {
        a++;
      }
    }
    assertThat(a).isBetween(650, 850);
  }

  @Test
  void priorityComesBeforeWeight() {
    RoutePlan.Route route = new RoutePlan.Route("m", List.of(t("second", 1, 1000), t("first", 0, 1)), List.of());
    assertThat(order(route, new SplittableRandom(1))).containsExactly("first", "second");
  }

  @Test
  void targetsCoolingDownAreTriedLast() {
    RoutePlan.Route route = new RoutePlan.Route("m", List.of(t("a", 0, 1), t("b", 1, 1), t("c", 2, 1)), List.of());
    assertThat(order(route, new SplittableRandom(1), "a")).containsExactly("b", "c", "a");
    assertThat(order(route, new SplittableRandom(1), "a", "b", "c")).containsExactly("a", "b", "c");
  }

  @Test
  void aStarModelPassesTheRequestedNameThrough() {
    RoutePlan.Route route = new RoutePlan.Route("claude-*", List.of(new RoutePlan.Target("p", "*", 0, 1, 1, 1, 0)), List.of());
    assertThat(RoutePlanner.order(route, "claude-opus-4", new SplittableRandom(1), t -> false))
        .singleElement().satisfies(t -> assertThat(t.model()).isEqualTo("claude-opus-4"));
  }

  @Test
  void aStarTargetKeepsItsCacheAndWebSearchPrices() {
    RoutePlan.Target star = new RoutePlan.Target("p", "*", 0, 1, 1_000_000, 5_000_000, 0)
        .withCachePrices(100_000L, 1_250_000L)
        .withCacheWriteLongPrice(2_000_000L)
        .withWebSearchPrice(10_000_000L);
    RoutePlan.Route route = new RoutePlan.Route("claude-*", List.of(star), List.of());
    assertThat(RoutePlanner.order(route, "claude-opus-4", new SplittableRandom(1), t -> false))
        .containsExactly(new RoutePlan.Target("p", "claude-opus-4", 0, 1, 1_000_000, 5_000_000, 0)
            .withCachePrices(100_000L, 1_250_000L)
            .withCacheWriteLongPrice(2_000_000L)
            .withWebSearchPrice(10_000_000L));
  }
}
