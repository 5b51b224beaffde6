package dev.tollgate.gateway.routing;

import dev.tollgate.gateway.provider.UpstreamError;
import dev.tollgate.schema.RoutePlan;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Health of route targets in this gateway process (ADR 0031): {@code failureThreshold} consecutive
 * failures put a target in cooldown for {@code baseMs}, during which routing tries it only after
 * every other target; when the cooldown ends, the next request to reach it is a probe: success
 * returns it to service, failure puts it back for twice as long (up to {@code maxMs}). A 429's
 * Retry-After starts a cooldown at once. The settings are those of the plan the failing request
 * routed with ({@link RoutePlan#effectiveCooldown()}); the state is kept per target. Shared by the
 * verticles of one process; thread-safe.
 */
public final class Cooldowns implements Shareable {

  private static final String SHARED_NAME = "tollgate.routing";

  private final LongSupplier clock;
  /** Only targets that failed since their last success are here: the map stays small. */
  private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

  /**
   * @param failures consecutive failures
   * @param untilMs cooling down until then (0: never was)
   * @param periodMs the last cooldown's length, doubled on a failed probe
   */
  private record State(int failures, long untilMs, long periodMs) {}

  public Cooldowns(LongSupplier clockMs) {
    this.clock = clockMs;
  }

  /** The process's cooldowns (one per Vert.x instance), on the system clock, created on first use. */
  public static Cooldowns shared(Vertx vertx) {
    LocalMap<String, Cooldowns> map = vertx.sharedData().getLocalMap(SHARED_NAME);
    return map.computeIfAbsent("cooldowns", k -> new Cooldowns(System::currentTimeMillis));
  }

  /** Replaces the process's cooldowns before a gateway starts (tests: a clock of their own). */
  public static void install(Vertx vertx, Cooldowns cooldowns) {
    vertx.sharedData().<String, Cooldowns>getLocalMap(SHARED_NAME).put("cooldowns", cooldowns);
  }

  /** A target's identity across plan versions: policy, provider and upstream model. */
  public static String key(String policy, RoutePlan.Target t) {
    return policy + '\n' + t.provider() + '\n' + t.model();
  }

  /** True while the target is cooling down (routing tries it last). */
  public boolean coolingDown(String key) {
    State s = states.get(key);
    return s != null && s.untilMs() > clock.getAsLong();
  }

  /**
   * An attempt on the target starts. If its cooldown has ended, this attempt is the probe: the
   * cooldown is re-armed for its period meanwhile, so that concurrent requests keep avoiding it.
   */
  public void attempting(String key) {
    long now = clock.getAsLong();
    states.computeIfPresent(key, (k, s) -> s.untilMs() > 0 && s.untilMs() <= now
        ? new State(s.failures(), now + s.periodMs(), s.periodMs()) : s);
  }

  /** The target served: back in service. */
  public void succeeded(String key) {
    states.remove(key);
  }

  /**
   * The target failed in a way that says something about its health (not the request's fault);
   * {@code settings} are those of the plan the request routed with.
   */
  public void failed(String key, UpstreamError error, RoutePlan.Cooldown settings) {
    if (error.kind() == UpstreamError.Kind.CLIENT_ERROR || error.kind() == UpstreamError.Kind.CONTEXT_LENGTH) {
      return;
    }
    long now = clock.getAsLong();
    states.compute(key, (k, s) -> {
      int failures = s == null ? 1 : s.failures() + 1;
      long until = s == null ? 0 : s.untilMs();
      long period = s == null ? 0 : s.periodMs();
      long maxMs = settings.maxMs();
      if (failures >= settings.failureThreshold()) {
        // the first cooldown lasts the base period; each failed probe doubles it
        period = period == 0 ? Math.min(maxMs, settings.baseMs()) : Math.min(maxMs, period * 2);
        until = now + period;
      }
      if (error.kind() == UpstreamError.Kind.RATE_LIMITED && error.retryAfterMs() > 0) {
        until = Math.max(until, now + Math.min(maxMs, error.retryAfterMs()));
      }
      return new State(failures, until, period);
    });
  }
}
