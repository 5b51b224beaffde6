package dev.tollgate.operator.local;

import dev.tollgate.operator.Crds;
import dev.tollgate.operator.CredentialsKey;
import dev.tollgate.operator.OperatorSettings;
import dev.tollgate.operator.TollgateOperator;
import dev.tollgate.operator.redis.ConfigWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode ({@code TOLLGATE_LOCAL_MANIFESTS}): an in-process Kubernetes API server (fabric8's mock
 * in CRUD mode) fed from a folder of manifests, with the same operator and reconcilers as on a
 * cluster. Files are re-applied when they change and their objects deleted when they disappear.
 */
public final class LocalMode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalMode.class);

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final TollgateOperator operator;
  private final ScheduledExecutorService ticker;

  private LocalMode(KubernetesMockServer server, KubernetesClient client, TollgateOperator operator, ScheduledExecutorService ticker) {
    this.server = server;
    this.client = client;
    this.operator = operator;
    this.ticker = ticker;
  }

  /** The mock API server logs every request at INFO through java.util.logging: hundreds of lines a minute. */
  private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.WARNING);
    return logger;
  }

  /**
   * Starts the API server, installs the CRDs, applies the folder and starts the operator.
   *
   * @param out where {@code TOLLGATE_KEY <ns>/<apikey> <key>} lines go once each ApiKey is ready
   */
  public static LocalMode start(Path folder, OperatorSettings settings, ConfigWriter writer, CredentialsKey credentialsKey,
      MeterRegistry meters, PrintStream out) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient client = server.createClient();
    Crds.install(client);
    ManifestSync sync = new ManifestSync(client, folder);
    sync.syncOnce();
    TollgateOperator operator = TollgateOperator.start(client, settings.withoutLeaderElection(), writer, credentialsKey, meters,
        Clock.systemUTC());
    KeyAnnouncer announcer = new KeyAnnouncer(client, out);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tollgate-local-manifests");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleWithFixedDelay(() -> {
      try {
        sync.syncOnce();
        announcer.announceReadyKeys();
      } catch (RuntimeException e) {
        LOG.warn("local mode: {}", e.getMessage());
      }
    }, 0, 500, TimeUnit.MILLISECONDS);
    LOG.info("local mode: in-process API server on {}, manifests from {}", server.url("/"), folder.toAbsolutePath());
    return new LocalMode(server, client, operator, ticker);
  }

  public TollgateOperator operator() {
    return operator;
  }

  public KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    operator.close();
    client.close();
    server.destroy();
  }
}
