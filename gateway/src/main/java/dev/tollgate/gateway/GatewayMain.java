package dev.tollgate.gateway;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of {@code tollgate-gateway.jar}: reads and validates the configuration, then serves. */
public final class GatewayMain {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayMain.class);

  private GatewayMain() {}

  public static void main(String[] args) {
    GatewayConfig config;
    try {
      config = GatewayConfig.load(System.getenv());
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("tollgate-gateway: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    GatewayMetrics metrics = GatewayMetrics.create(config.metricsMaxTenants());
    new JvmMemoryMetrics().bindTo(metrics.registry());
    new JvmGcMetrics().bindTo(metrics.registry());
    new ProcessorMetrics().bindTo(metrics.registry());
    int loops = config.eventLoops();
    // Vert.x's own HTTP/pool metrics cost CPU on every request; the gateway's metrics cover what
    // operators need, so the internal ones are opt-in
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(loops);
    Vertx vertx = config.vertxMetrics()
        ? Vertx.builder()
            .with(options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)))
            .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
            .build()
        : Vertx.vertx(options);
    vertx.deployVerticle(() -> new GatewayVerticle(config, metrics), new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> LOG.info("tollgate gateway listening on {}:{} with {} event loops ({})",
            config.httpHost(), config.httpPort(), loops, config))
        .onFailure(e -> {
          LOG.error("gateway failed to start: {}", e.getMessage(), e);
          vertx.close();
          System.exit(1);
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // the verticles' graceful stop: the grace period, then the settlements' flush
        vertx.close().await(config.shutdownGrace().toSeconds() + GatewayVerticle.SETTLE_FLUSH.toSeconds() + 5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // shutting down anyway
      }
    }, "tollgate-shutdown"));
  }
}
