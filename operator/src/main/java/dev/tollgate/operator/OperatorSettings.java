package dev.tollgate.operator;

import dev.tollgate.operator.projection.Durations;
import dev.tollgate.schema.RedisSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration, read from the environment (names fixed by the Helm chart). Every
 * validation error names the variable at fault, so a bad value fails the start with one clear line.
 *
 * @param resync every projection is rewritten/checked at least this often ({@code TOLLGATE_RESYNC_INTERVAL}, 60s)
 * @param healthPort {@code /healthz}, {@code /readyz}, {@code /metrics} ({@code TOLLGATE_HEALTH_PORT}, 8081)
 * @param namespaces watched namespaces; empty = all ({@code TOLLGATE_WATCH_NAMESPACES})
 * @param leaderElection the {@code TOLLGATE_LEADER_ELECTION*} settings
 * @param localManifests {@code TOLLGATE_LOCAL_MANIFESTS}: run against an in-process API server fed from this folder
 */
public record OperatorSettings(
    Duration resync,
    int healthPort,
    Set<String> namespaces,
    LeaderElection leaderElection,
    Path localManifests,
    RedisSettings redis) {

  /**
   * Leader election over a {@code coordination.k8s.io} Lease named {@link TollgateOperator#LEASE_NAME}.
   *
   * @param enabled {@code TOLLGATE_LEADER_ELECTION} (true|false, default true)
   * @param namespace {@code TOLLGATE_LEADER_ELECTION_NAMESPACE}; null = the pod's namespace
   * @param leaseDuration {@code TOLLGATE_LEADER_ELECTION_LEASE_DURATION} (15s): how long a standby waits
   *     after the leader's last renewal before it takes over; the fail-over time after a crash
   * @param renewDeadline {@code TOLLGATE_LEADER_ELECTION_RENEW_DEADLINE} (10s): the leader gives up
   *     leading when it could not renew for this long; less than the lease duration
   * @param retryPeriod {@code TOLLGATE_LEADER_ELECTION_RETRY_PERIOD} (2s): how often every replica tries
   *     to acquire or renew; less than the renew deadline
   * @param identity this replica's name in the Lease; null = {@code HOSTNAME} (the pod name)
   * @param exitOnLostLease true in production: a replica that loses the Lease exits (and is restarted as a
   *     standby) so it never reconciles beside the new leader. Tests running two replicas in one JVM set false.
   */
  public record LeaderElection(boolean enabled, String namespace, Duration leaseDuration, Duration renewDeadline,
      Duration retryPeriod, String identity, boolean exitOnLostLease) {

    public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
    public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

    public LeaderElection {
      if (renewDeadline.compareTo(leaseDuration) >= 0) {
        throw new IllegalArgumentException("TOLLGATE_LEADER_ELECTION_RENEW_DEADLINE (" + renewDeadline.toMillis()
            + "ms) must be less than TOLLGATE_LEADER_ELECTION_LEASE_DURATION (" + leaseDuration.toMillis() + "ms)");
      }
      if (retryPeriod.compareTo(renewDeadline) >= 0) {
        throw new IllegalArgumentException("TOLLGATE_LEADER_ELECTION_RETRY_PERIOD (" + retryPeriod.toMillis()
            + "ms) must be less than TOLLGATE_LEADER_ELECTION_RENEW_DEADLINE (" + renewDeadline.toMillis() + "ms)");
      }
    }

    /** No leader election: this replica reconciles from the start (local mode, single-replica tests). */
    public static LeaderElection off() {
      return new LeaderElection(false, null, DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD, null, true);
    }
  }

  /** Reads and validates the environment; IllegalArgumentException's message names the variable at fault. */
  public static OperatorSettings fromEnv(Map<String, String> env) {
    Duration resync = duration(env, "TOLLGATE_RESYNC_INTERVAL", "60s");
    if (resync.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("TOLLGATE_RESYNC_INTERVAL must be at least 1s, got '" + env.get("TOLLGATE_RESYNC_INTERVAL") + "'");
    }
    String portText = env.getOrDefault("TOLLGATE_HEALTH_PORT", "8081").trim();
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("TOLLGATE_HEALTH_PORT must be a port number (0-65535), got '" + portText + "'");
    }
    Set<String> namespaces = Arrays.stream(env.getOrDefault("TOLLGATE_WATCH_NAMESPACES", "").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    String local = blankToNull(env.get("TOLLGATE_LOCAL_MANIFESTS"));
    LeaderElection election = new LeaderElection(
        bool(env, "TOLLGATE_LEADER_ELECTION", true),
        blankToNull(env.get("TOLLGATE_LEADER_ELECTION_NAMESPACE")),
        positive(duration(env, "TOLLGATE_LEADER_ELECTION_LEASE_DURATION", "15s"), "TOLLGATE_LEADER_ELECTION_LEASE_DURATION"),
        positive(duration(env, "TOLLGATE_LEADER_ELECTION_RENEW_DEADLINE", "10s"), "TOLLGATE_LEADER_ELECTION_RENEW_DEADLINE"),
        positive(duration(env, "TOLLGATE_LEADER_ELECTION_RETRY_PERIOD", "2s"), "TOLLGATE_LEADER_ELECTION_RETRY_PERIOD"),
        null,
        true);
    return new OperatorSettings(resync, port, namespaces, election, local == null ? null : Path.of(local),
        RedisSettings.fromEnv(env));
  }

  /** The same settings without leader election (local mode has a single replica by definition). */
  public OperatorSettings withoutLeaderElection() {
    return new OperatorSettings(resync, healthPort, namespaces, LeaderElection.off(), localManifests, redis);
  }

  private static Duration duration(Map<String, String> env, String name, String fallback) {
    String text = env.getOrDefault(name, fallback);
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage());
    }
  }

  private static Duration positive(Duration d, String name) {
    if (d.isZero()) {
      throw new IllegalArgumentException(name + " must be greater than zero");
    }
    return d;
  }

  private static boolean bool(Map<String, String> env, String name, boolean fallback) {
    String text = env.get(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, got '" + text.trim() + "'");
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
