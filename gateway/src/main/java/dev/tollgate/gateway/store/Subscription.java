package dev.tollgate.gateway.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SUBSCRIBE kept alive on its own connection: a lost connection is retried every 500 ms, and
 * {@link #reconnect()} moves it on purpose (e.g. to a new master). Messages may be missed while it
 * is down, so {@code onLost} runs when it breaks and {@code onSubscribed} after every successful
 * (re)subscription. Confined to the event loop that started it.
 */
final class Subscription {

  private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);

  private final Vertx vertx;
  private final Redis client;
  private final String channel;
  private final Consumer<String> onMessage;
  private final Runnable onSubscribed;
  private final Runnable onLost;
  private RedisConnection connection;
  private boolean connecting;
  /** Bumped by {@link #reconnect()}, so an attempt that started before it does not count. */
  private int generation;
  private boolean closed;

  Subscription(Vertx vertx, Redis client, String channel, Consumer<String> onMessage, Runnable onSubscribed, Runnable onLost) {
    this.vertx = vertx;
    this.client = client;
    this.channel = channel;
    this.onMessage = onMessage;
    this.onSubscribed = onSubscribed;
    this.onLost = onLost;
  }

  void start() {
    connect();
  }

  /** Drops the current connection (if any) and subscribes again through a new one at once. */
  void reconnect() {
    generation++;
    if (connecting) {
      return; // the attempt under way sees the new generation and starts over
    }
    RedisConnection old = connection;
    connection = null;
    if (old != null) {
      old.close();
    }
    connect();
  }

  private void connect() {
    if (closed || connecting || connection != null) {
      return;
    }
    connecting = true;
    int gen = generation;
    client.connect()
        .compose(conn -> {
          connection = conn;
          conn.handler(this::onResponse);
          conn.exceptionHandler(e -> lost(conn, e.getMessage()));
          conn.endHandler(v -> lost(conn, "connection closed"));
          return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
        })
        .onComplete(ar -> {
          connecting = false;
          if (ar.succeeded() && gen == generation) {
            onSubscribed.run();
            return;
          }
          RedisConnection c = connection;
          connection = null;
          if (c != null) {
            c.close();
          }
          if (ar.succeeded()) {
            connect(); // asked to move while connecting: the node it reached may be the old one
          } else {
            retry();
          }
        });
  }

  private void lost(RedisConnection conn, String why) {
    if (conn != connection) {
      return;
    }
    connection = null;
    if (!closed) {
      LOG.warn("subscription to {} lost ({}); reconnecting", channel, why);
      onLost.run();
      retry();
    }
  }

  private void retry() {
    if (!closed) {
      vertx.setTimer(500, id -> connect());
    }
  }

  private void onResponse(Response r) {
    if (r != null && r.size() >= 3 && "message".equals(r.get(0).toString())) {
      onMessage.accept(r.get(2).toString());
    }
  }

  Future<Void> close() {
    closed = true;
    if (connection != null) {
      connection.close();
    }
    return client.close();
  }
}
