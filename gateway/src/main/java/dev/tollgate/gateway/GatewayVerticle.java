package dev.tollgate.gateway;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.filter.AdmissionFilter;
import dev.tollgate.gateway.filter.AuthFilter;
import dev.tollgate.gateway.filter.ModelFilter;
import dev.tollgate.gateway.filter.PreviousResponseFilter;
import dev.tollgate.gateway.http.AccessLog;
import dev.tollgate.gateway.http.GatewayRouter;
import dev.tollgate.gateway.metering.SpendLedger;
import dev.tollgate.gateway.metering.TokenEstimator;
import dev.tollgate.gateway.metering.UsageHandler;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import dev.tollgate.gateway.provider.ProviderRegistry;
import dev.tollgate.gateway.routing.AccessTokens;
import dev.tollgate.gateway.routing.Cooldowns;
import dev.tollgate.gateway.routing.ModelsHandler;
import dev.tollgate.gateway.routing.RouteHandler;
import dev.tollgate.gateway.routing.RoutePlanner;
import dev.tollgate.gateway.routing.StoredResponseHandler;
import dev.tollgate.gateway.routing.UpstreamCaller;
import dev.tollgate.gateway.store.ConfigReader;
import dev.tollgate.gateway.store.ConfigSubscriber;
import dev.tollgate.gateway.store.CredentialKeyring;
import dev.tollgate.gateway.store.RedisStore;
import dev.tollgate.gateway.store.ResponseStore;
import dev.tollgate.gateway.store.SentinelWatch;
import dev.tollgate.schema.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One gateway event loop: its own Redis client, config caches and pub/sub subscription, upstream
 * HTTP client and HTTP server (instances of one process share the port). Stateless apart from caches.
 */
public final class GatewayVerticle extends VerticleBase {

  /** After the grace period, how long the settlements of the last requests may take to reach Redis. */
  static final Duration SETTLE_FLUSH = Duration.ofSeconds(5);

  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private RedisStore redis;
  private ConfigSubscriber subscriber;
  /** Sentinel mode only: moves both connections to a new master as soon as the sentinels announce it. */
  private SentinelWatch sentinelWatch;
  private UpstreamCaller caller;
  private SpendLedger ledger;
  private HttpServer server;

  public GatewayVerticle(GatewayConfig config, GatewayMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    redis = new RedisStore(vertx, config, metrics);
    ConfigReader reader = new ConfigReader(redis, config.cacheTtl());
    subscriber = new ConfigSubscriber(vertx, config, reader);
    if (config.redis().mode() == RedisSettings.Mode.SENTINEL) {
      sentinelWatch = new SentinelWatch(vertx, config, () -> {
        redis.reconnect();
        subscriber.followNewMaster();
      });
    }
    caller = new UpstreamCaller(vertx, config.maxAnswerBytes());
    CredentialKeyring keyring = new CredentialKeyring(config);
    TokenEstimator tokens = new TokenEstimator();
    ProviderRegistry providers = ProviderRegistry.defaults();
    RoutePlanner planner = new RoutePlanner(reader, providers);
    ledger = new SpendLedger(vertx, redis, config, metrics);
    ResponseStore responses = new ResponseStore(redis);
    GatewayRouter.Chain chain = new GatewayRouter.Chain(
        new AuthFilter(reader),
        new ModelFilter(planner),
        new AdmissionFilter(vertx, reader, ledger, tokens, config),
        new RouteHandler(vertx, providers, caller, keyring, tokens, metrics, Cooldowns.shared(vertx),
            AccessTokens.shared(vertx), responses),
        new ModelsHandler(planner),
        new UsageHandler(reader, redis),
        new PreviousResponseFilter(responses),
        new StoredResponseHandler(ledger, responses, planner, providers, keyring, caller),
        redis,
        metrics,
        new AccessLog(config.accessLog()),
        config.maxBodyBytes(),
        config.maxAudioBodyBytes(),
        config.audioMinBitrate());
    server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false));
    // the tokenizer's tables take about a second to load: never on the event loop with traffic waiting
    return vertx.executeBlocking(() -> {
          TokenEstimator.warmUp();
          return null;
        })
        .compose(v -> redis.start())
        .compose(v -> subscriber.start())
        .compose(v -> sentinelWatch == null ? Future.succeededFuture() : sentinelWatch.start())
        .compose(v -> server.requestHandler(GatewayRouter.create(vertx, chain)).listen(config.httpPort(), config.httpHost()))
        // settlements a stopped replica could not get into Redis (ADR 0045)
        .onSuccess(v -> ledger.replaySpool());
  }

  /** The port actually bound (for {@code TOLLGATE_HTTP_PORT=0}). */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * Graceful stop (SIGTERM, a rolling update): the server stops accepting connections and lets the
   * requests in flight finish, streams included, for up to {@code TOLLGATE_SHUTDOWN_GRACE} (then
   * their connections close and they settle as abandoned); then the settlements of everything served
   * are flushed to Redis, and only then are the upstream client and Redis closed. Closing them first
   * would cut every stream of a rolling update and lose its usage record.
   */
  @Override
  public Future<?> stop() {
    return server.shutdown(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)
        .eventually(() -> ledger.settled(SETTLE_FLUSH))
        .eventually(() -> Future.join(
            sentinelWatch == null ? Future.succeededFuture() : sentinelWatch.close(),
            subscriber.close(), caller.close(), redis.close()));
  }
}
