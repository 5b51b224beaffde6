package dev.tollgate.gateway.store;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.schema.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sentinel mode: listens to the sentinels' {@code +switch-master} announcements and calls {@code
 * onSwitch} when our master changes, so the gateway's connections leave the old master at once.
 *
 * <p>Why: after a planned failover ({@code SENTINEL FAILOVER}) or a partition, the old master stays
 * up and keeps accepting writes for seconds until the sentinel converts it into a replica (measured
 * ~10 s with Redis 7.0), and that conversion discards what was written there: requests metered on it
 * would be lost, and config changes published on the new master would not reach its subscribers. A
 * crashed master closes its connections by itself and needs no watch. While the watch is down an
 * announcement may be missed, so every (re)subscription counts as a switch.
 */
public final class SentinelWatch {

  private static final Logger LOG = LoggerFactory.getLogger(SentinelWatch.class);

  private final String masterName;
  private final Runnable onSwitch;
  private final Subscription subscription;
  private boolean subscribedBefore;

  public SentinelWatch(Vertx vertx, GatewayConfig config, Runnable onSwitch) {
    this.masterName = config.redis().masterName();
    this.onSwitch = onSwitch;
    Redis client = Redis.createClient(vertx, RedisStore.options(config, RedisSettings.Mode.SENTINEL).setRole(RedisRole.SENTINEL));
    this.subscription = new Subscription(vertx, client, "+switch-master", this::onMessage, this::onSubscribed, () -> { });
  }

  public Future<Void> start() {
    subscription.start();
    return Future.succeededFuture();
  }

  private void onSubscribed() {
    if (subscribedBefore) {
      onSwitch.run(); // a switch may have gone by while the watch was down
    }
    subscribedBefore = true;
  }

  /** {@code <name> <old-ip> <old-port> <new-ip> <new-port>}. */
  private void onMessage(String payload) {
    if (payload.startsWith(masterName + " ")) {
      LOG.info("sentinel switched master {}; reconnecting", payload);
      onSwitch.run();
    }
  }

  public Future<Void> close() {
    return subscription.close();
  }
}
