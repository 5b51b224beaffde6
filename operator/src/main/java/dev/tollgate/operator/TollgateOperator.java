package dev.tollgate.operator;

import dev.tollgate.operator.reconciler.ApiKeyReconciler;
import dev.tollgate.operator.reconciler.RoutePolicyReconciler;
import dev.tollgate.operator.reconciler.SpendCapReconciler;
import dev.tollgate.operator.reconciler.TenantReconciler;
import dev.tollgate.operator.redis.ConfigWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Assembles the JOSDK {@link Operator} with the four reconcilers. The one place that does it: used by
 * {@link OperatorMain} on a cluster, by local mode against the in-process API server, and by tests.
 */
public final class TollgateOperator implements AutoCloseable {

  /** Lease used by leader election, in TOLLGATE_LEADER_ELECTION_NAMESPACE or the pod's namespace. */
  public static final String LEASE_NAME = "tollgate-operator";

  private final Operator operator;

  private TollgateOperator(Operator operator) {
    this.operator = operator;
  }

  /** Builds, registers and starts the operator; returns once it runs (or waits for leadership). */
  public static TollgateOperator start(KubernetesClient client, OperatorSettings settings, ConfigWriter writer,
      CredentialsKey credentialsKey, MeterRegistry meters, Clock clock) {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // Merge patches, not server-side apply: one patch path for clusters and the CRUD mock (ADR 0011).
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(settings.leaderElectionNamespace() == null
            ? new LeaderElectionConfiguration(LEASE_NAME)
            : new LeaderElectionConfiguration(LEASE_NAME, settings.leaderElectionNamespace()));
      }
    });
    Duration resync = settings.resync();
    operator.register(new TenantReconciler(writer, resync, clock), configure(settings));
    operator.register(new RoutePolicyReconciler(writer, credentialsKey, resync, clock), configure(settings));
    operator.register(new ApiKeyReconciler(writer, resync, clock), configure(settings));
    operator.register(new SpendCapReconciler(writer, resync, clock), configure(settings));
    operator.start();
    return new TollgateOperator(operator);
  }

  private static <P extends HasMetadata> Consumer<ControllerConfigurationOverrider<P>> configure(OperatorSettings settings) {
    return o -> {
      // Redis outages: retry forever with capped exponential backoff; the resync interval bounds staleness.
      o.withRetry(new GenericRetry().setInitialInterval(500).setIntervalMultiplier(2).setMaxInterval(30_000).withoutMaxAttempts())
          .withReconciliationMaxInterval(settings.resync());
      if (!settings.namespaces().isEmpty()) {
        o.settingNamespaces(settings.namespaces());
      }
    };
  }

  public Operator operator() {
    return operator;
  }

  /** True once started and every informer is healthy. */
  public boolean isHealthy() {
    var info = operator.getRuntimeInfo();
    return info.isStarted() && info.allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
