package dev.tollgate.gateway.store;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.schema.ConfigChange;
import dev.tollgate.schema.RedisKeys;
import dev.tollgate.schema.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@link RedisKeys#CONFIG_CHANNEL} and drops the matching cache entries at once. While
 * the subscription is down, messages may be missed, so every (re)subscription drops all entries.
 * In Redis Cluster, PUBLISH reaches every node, so one plain connection to the first node suffices.
 */
public final class ConfigSubscriber {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigSubscriber.class);

  private final Vertx vertx;
  private final ConfigReader reader;
  private final Redis client;
  private RedisConnection connection;
  private boolean closed;

  public ConfigSubscriber(Vertx vertx, GatewayConfig config, ConfigReader reader) {
    this.vertx = vertx;
    this.reader = reader;
    RedisSettings.Mode mode =
        config.redis().mode() == RedisSettings.Mode.SENTINEL ? RedisSettings.Mode.SENTINEL : RedisSettings.Mode.STANDALONE;
    this.client = Redis.createClient(vertx, RedisStore.options(config, mode));
  }

  public Future<Void> start() {
    connect();
    return Future.succeededFuture();
  }

  private void connect() {
    if (closed) {
      return;
    }
    client.connect()
        .compose(conn -> {
          connection = conn;
          conn.handler(this::onMessage);
          conn.exceptionHandler(e -> lost(conn, e.getMessage()));
          conn.endHandler(v -> lost(conn, "connection closed"));
          return conn.send(Request.cmd(Command.SUBSCRIBE).arg(RedisKeys.CONFIG_CHANNEL));
        })
        .onSuccess(r -> reader.invalidateAll())
        .onFailure(e -> {
          if (connection != null) {
            connection.close();
            connection = null;
          }
          retry();
        });
  }

  private void lost(RedisConnection conn, String why) {
    if (conn != connection) {
      return;
    }
    connection = null;
    if (!closed) {
      LOG.warn("config subscription lost ({}); caches dropped, reconnecting", why);
      reader.invalidateAll();
      retry();
    }
  }

  private void retry() {
    if (!closed) {
      vertx.setTimer(500, id -> connect());
    }
  }

  private void onMessage(Response r) {
    if (r == null || r.size() < 3 || !"message".equals(r.get(0).toString())) {
      return;
    }
    String payload = r.get(2).toString();
    try {
      reader.onChange(ConfigChange.decode(payload));
    } catch (IllegalArgumentException e) {
      reader.invalidateAll();
    }
  }

  public Future<Void> close() {
    closed = true;
    if (connection != null) {
      connection.close();
    }
    return client.close();
  }
}
