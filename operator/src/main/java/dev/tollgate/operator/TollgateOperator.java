package dev.tollgate.operator;

import dev.tollgate.operator.reconciler.ApiKeyReconciler;
import dev.tollgate.operator.reconciler.RoutePolicyReconciler;
import dev.tollgate.operator.reconciler.SpendCapReconciler;
import dev.tollgate.operator.reconciler.TenantReconciler;
import dev.tollgate.operator.redis.ConfigWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Assembles the JOSDK {@link Operator} with the four reconcilers. The one place that does it: used by
 * {@link OperatorMain} on a cluster, by local mode against the in-process API server, and by tests.
 */
public final class TollgateOperator implements AutoCloseable {

  /** Lease used by leader election, in TOLLGATE_LEADER_ELECTION_NAMESPACE or the pod's namespace. */
  public static final String LEASE_NAME = "tollgate-operator";

  private final Operator operator;
  private final AtomicBoolean leading;

  private TollgateOperator(Operator operator, AtomicBoolean leading) {
    this.operator = operator;
    this.leading = leading;
  }

  /** Builds, registers and starts the operator; returns once it runs (or waits for leadership). */
  public static TollgateOperator start(KubernetesClient client, OperatorSettings settings, ConfigWriter writer,
      CredentialsKey credentialsKey, MeterRegistry meters, Clock clock) {
    // Without leader election this replica leads from the start; with it, JOSDK's callbacks say when.
    AtomicBoolean leading = new AtomicBoolean(!settings.leaderElection().enabled());
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // Merge patches, not server-side apply: one patch path for clusters and the CRUD mock (ADR 0006).
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters));
      OperatorSettings.LeaderElection election = settings.leaderElection();
      if (election.enabled()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME, election.namespace(),
            election.leaseDuration(), election.renewDeadline(), election.retryPeriod(), election.identity(),
            new LeaderCallbacks(() -> leading.set(true), () -> leading.set(false), leader -> { }),
            election.exitOnLostLease()));
      }
    });
    Duration resync = settings.resync();
    operator.register(new TenantReconciler(writer, resync, clock), configure(settings));
    operator.register(new RoutePolicyReconciler(writer, credentialsKey, resync, clock), configure(settings));
    operator.register(new ApiKeyReconciler(writer, resync, clock), configure(settings));
    operator.register(new SpendCapReconciler(writer, resync, clock, meters), configure(settings));
    operator.start();
    TollgateOperator started = new TollgateOperator(operator, leading);
    Gauge.builder("tollgate_operator_leader", leading, l -> l.get() ? 1 : 0)
        .description("1 while this replica holds the leader Lease and reconciles; 0 on a standby")
        .register(meters);
    return started;
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

  /** True while this replica reconciles: it holds the Lease, or leader election is off. */
  public boolean isLeader() {
    return leading.get();
  }

  /**
   * True once started and every informer is healthy. A standby is healthy too: its informers run and
   * keep their caches warm, only event processing waits for the Lease (ADR 0011).
   */
  public boolean isHealthy() {
    var info = operator.getRuntimeInfo();
    return info.isStarted() && info.allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
