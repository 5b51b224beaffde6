package dev.tollgate.gateway.store;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.schema.LuaScript;
import dev.tollgate.schema.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's only door to Redis: every command gets the configured timeout and a failure becomes
 * {@link RedisUnavailableException} (the request fails closed). Tracks reachability for /readyz with
 * a PING every second.
 *
 * <p>Why one connection and not the client's pool: commands of one event loop are pipelined on a
 * single connection (Redis answers in order), which measured ~10x faster than taking a pooled
 * connection per command. A broken connection is dropped and the next command reconnects, so the
 * gateway recovers by itself once Redis is back. In cluster mode the connection is the client's
 * cluster connection (one socket per master, routed by slot).
 */
public final class RedisStore {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Redis client;
  private final GatewayMetrics metrics;
  private final long timeoutMs;
  /** The verticle's context: futures built on it time out on its own event loop (see {@link #connection}). */
  private final ContextInternal context;
  private volatile boolean reachable;
  private long pingTimer = -1;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private boolean closed;

  public RedisStore(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.config = config;
    this.timeoutMs = config.redisTimeout().toMillis();
    this.context = (ContextInternal) vertx.getOrCreateContext();
    this.client = Redis.createClient(vertx, options(config, config.redis().mode()));
  }

  /** Options for the configured topology; {@code mode} may differ for the pub/sub connection. */
  static RedisOptions options(GatewayConfig config, RedisSettings.Mode mode) {
    RedisSettings s = config.redis();
    RedisOptions o = new RedisOptions()
        .setMaxPoolSize(4)
        .setMaxPoolWaiting(1024)
        .setMaxWaitingHandlers(16_384);
    List<URI> nodes = mode == RedisSettings.Mode.STANDALONE ? s.nodes().subList(0, 1) : s.nodes();
    for (URI n : nodes) {
      o.addConnectionString(n.getScheme() + "://" + n.getHost() + ":" + n.getPort());
    }
    switch (mode) {
      case CLUSTER -> o.setType(RedisClientType.CLUSTER);
      // the client caches the sentinels' answer (1 s by default): a reconnect right after a switch
      // would find the old master again, so ask the sentinel on every connect (connects are rare)
      case SENTINEL -> o.setType(RedisClientType.SENTINEL).setMasterName(s.masterName()).setRole(RedisRole.MASTER)
          .setTopologyCacheTTL(1);
      default -> o.setType(RedisClientType.STANDALONE);
    }
    if (s.username() != null) {
      o.setUser(s.username());
    }
    if (s.password() != null) {
      o.setPassword(s.password());
    }
    NetClientOptions net = o.getNetClientOptions();
    net.setConnectTimeout((int) Math.max(100, config.redisTimeout().toMillis())).setTcpNoDelay(true);
    if (s.tls()) {
      net.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
      if (config.redisTlsCaFile() != null) {
        net.setTrustOptions(new PemTrustOptions().addCertPath(config.redisTlsCaFile()));
      }
    }
    return o;
  }

  /** Starts the reachability probe. */
  public Future<Void> start() {
    pingTimer = vertx.setPeriodic(0, 1000, id -> ping());
    return ping().otherwiseEmpty().mapEmpty();
  }

  private Future<Response> ping() {
    return send(Request.cmd(Command.PING)).onSuccess(r -> {
      if (!reachable) {
        LOG.info("Redis reachable ({})", config.redis());
      }
      reachable = true;
    });
  }

  public boolean reachable() {
    return reachable;
  }

  /** Sends one command with the timeout; failures are {@link RedisUnavailableException}. */
  public Future<Response> send(Request request) {
    metrics.redisRoundTrip();
    return connection().compose(c -> watched(c, c.send(request))).timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(this::unavailable);
  }

  /**
   * Sends {@code requests} together as one pipeline (one round trip, no MULTI) with the timeout;
   * answers in order. In cluster mode every key must be in one slot (share a tenant's hash tag).
   */
  public Future<List<Response>> batch(List<Request> requests) {
    metrics.redisRoundTrip();
    return connection().compose(c -> watched(c, c.batch(requests))).timeout(timeoutMs, TimeUnit.MILLISECONDS).recover(this::unavailable);
  }

  private Future<RedisConnection> connection() {
    if (connection != null) {
      // bound to the event loop's context, not Future.succeededFuture: Vert.x schedules the timeout of
      // a context-less future on Netty's GlobalEventExecutor, one cross-thread wake-up per command
      // (profiled at ~20% of the gateway's CPU)
      return context.succeededFuture(connection);
    }
    if (closed) {
      return Future.failedFuture(new RedisUnavailableException("Redis client closed", null));
    }
    if (connecting != null) {
      return connecting;
    }
    // assigned before the callback is added: a pool may hand out an idle connection at once, and a
    // callback running before the assignment left a completed future here for good, so that every
    // later command got that connection, closed or not, and the gateway stayed unavailable
    Future<RedisConnection> attempt = client.connect();
    connecting = attempt;
    attempt.onComplete(ar -> {
      if (connecting == attempt) {
        connecting = null;
      }
      if (ar.succeeded()) {
        RedisConnection c = ar.result();
        connection = c;
        c.exceptionHandler(e -> drop(c));
        c.endHandler(v -> drop(c));
      }
    });
    return attempt;
  }

  /**
   * Leaves the current connection, so the next command connects again (in Sentinel mode, to the
   * node the sentinels name as master now). Called when they announce a new master ({@link
   * SentinelWatch}): the old one may still be up and accepting writes.
   */
  public void reconnect() {
    RedisConnection c = connection;
    if (c != null) {
      drop(c);
    }
  }

  /** Leaves {@code c} if it is still the current connection. */
  private void drop(RedisConnection c) {
    if (connection == c) {
      connection = null;
      // close the socket itself: recycled into the pool, a live connection (to the old node, after a
      // switch) would be handed out again (and Vert.x's pool trips over its later close)
      if (c instanceof PooledRedisConnection pooled) {
        pooled.actual().forceClose();
      }
      c.close();
    }
  }

  /**
   * Leaves {@code c} when a command on it fails because it is closed. Its close and exception
   * handlers do not always run (a socket closed while its pooled connection was being recycled):
   * kept, every later command failed at once with "Connection is closed" and the gateway stayed
   * unavailable however healthy Redis was. Only that connection is left, never a newer one.
   */
  private <T> Future<T> watched(RedisConnection c, Future<T> command) {
    return command.onFailure(e -> {
      if (connectionLost(String.valueOf(e.getMessage())) || e instanceof java.nio.channels.ClosedChannelException) {
        drop(c);
      }
    });
  }

  /**
   * EVALSHA, falling back to EVAL when this node has not cached the script yet (NOSCRIPT). {@code
   * keysAndArgs} appends the {@code numKeys} keys, then the arguments, straight to the request (no
   * intermediate lists or strings: these are the two calls every request makes); it may run twice.
   */
  public Future<Response> eval(LuaScript script, int numKeys, Consumer<Request> keysAndArgs) {
    metrics.redisRoundTrip();
    return connection()
        .compose(c -> watched(c, c.send(scriptRequest(Command.EVALSHA, script.sha1(), numKeys, keysAndArgs))
            .recover(e -> e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")
                ? countedRetry(c).send(scriptRequest(Command.EVAL, script.source(), numKeys, keysAndArgs))
                : Future.failedFuture(e))))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(this::unavailable);
  }

  private RedisConnection countedRetry(RedisConnection c) {
    metrics.redisRoundTrip();
    return c;
  }

  private static Request scriptRequest(Command cmd, String scriptOrSha, int numKeys, Consumer<Request> keysAndArgs) {
    Request r = Request.cmd(cmd).arg(scriptOrSha).arg(numKeys);
    keysAndArgs.accept(r);
    return r;
  }

  private <T> Future<T> unavailable(Throwable e) {
    if (e instanceof RedisUnavailableException) {
      return Future.failedFuture(e);
    }
    String msg = String.valueOf(e.getMessage());
    // A demoted master (now a replica) refuses writes; Redis 6 wraps it in a script's ERR. Leave that
    // node: the next command connects to whatever the sentinels name as master now.
    if (msg.contains("READONLY")) {
      reconnect();
    } else if ((msg.startsWith("ERR") || msg.startsWith("WRONGTYPE") || msg.startsWith("CROSSSLOT"))
        && !connectionLost(msg)) {
      // A script or type error is a bug or a corrupt key, not an outage: keep its message.
      return Future.failedFuture(new IllegalStateException("Redis error: " + msg, e));
    }
    if (reachable) {
      LOG.warn("Redis unreachable: {}", msg);
    }
    reachable = false;
    return Future.failedFuture(new RedisUnavailableException("Redis unavailable: " + msg, e));
  }

  /**
   * The Redis client fails the commands of a connection that died as {@code "CONNECTION_CLOSED"},
   * {@code "Connection is closed"}, or in a pipeline {@code "ERR [i] CONNECTION_CLOSED"} or {@code
   * "ERR [i] <a Java exception>"}: an outage, not an error Redis answered (whose messages never
   * name a Java exception).
   */
  private static boolean connectionLost(String msg) {
    return msg.contains("CONNECTION_CLOSED") || msg.contains("Connection is closed") || msg.contains("Exception");
  }

  public Future<Void> close() {
    closed = true;
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
    if (connection != null) {
      connection.close();
    }
    return client.close();
  }
}
