package dev.tollgate.gateway.store;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * Listens on {@link RedisKeys#CONFIG_CHANNEL} and drops the matching cache entries at once. While
 * the subscription is down, messages may be missed, so every (re)subscription drops all entries.
 * In Redis Cluster, PUBLISH reaches every node, so one plain connection to the first node suffices.
 * In Sentinel mode it subscribes on the master, and {@link #followNewMaster()} moves it there again
 * after a failover.
 */
public final class ConfigSubscriber {

  private final ConfigReader reader;
  private final Subscription subscription;

  public ConfigSubscriber(Vertx vertx, GatewayConfig config, ConfigReader reader) {
    this.reader = reader;
    RedisSettings.Mode mode =
        config.redis().mode() == RedisSettings.Mode.SENTINEL ? RedisSettings.Mode.SENTINEL : RedisSettings.Mode.STANDALONE;
    Redis client = Redis.createClient(vertx, RedisStore.options(config, mode));
    this.subscription = new Subscription(vertx, client, RedisKeys.CONFIG_CHANNEL, this::onMessage, reader::invalidateAll,
        reader::invalidateAll);
  }

  public Future<Void> start() {
    subscription.start();
    return Future.succeededFuture();
  }

  /** The sentinels named a new master: subscribe there (the old one may still be up, but hears nothing). */
  public void followNewMaster() {
    reader.invalidateAll();
    subscription.reconnect();
  }

  private void onMessage(String payload) {
    try {
      reader.onChange(ConfigChange.decode(payload));
    } catch (IllegalArgumentException e) {
      reader.invalidateAll();
    }
  }

  public Future<Void> close() {
    return subscription.close();
  }
}
