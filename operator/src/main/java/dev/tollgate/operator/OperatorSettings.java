package dev.tollgate.operator;

import dev.tollgate.operator.projection.Durations;
import dev.tollgate.schema.RedisSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration, read from the environment (names fixed by the Helm chart).
 *
 * @param resync every projection is rewritten/checked at least this often ({@code TOLLGATE_RESYNC_INTERVAL}, 60s)
 * @param healthPort {@code /healthz}, {@code /readyz}, {@code /metrics} ({@code TOLLGATE_HEALTH_PORT}, 8081)
 * @param namespaces watched namespaces; empty = all ({@code TOLLGATE_WATCH_NAMESPACES})
 * @param leaderElection {@code TOLLGATE_LEADER_ELECTION}, default true
 * @param leaderElectionNamespace {@code TOLLGATE_LEADER_ELECTION_NAMESPACE}; null = the pod's namespace
 * @param localManifests {@code TOLLGATE_LOCAL_MANIFESTS}: run against an in-process API server fed from this folder
 */
public record OperatorSettings(
    Duration resync,
    int healthPort,
    Set<String> namespaces,
    boolean leaderElection,
    String leaderElectionNamespace,
    Path localManifests,
    RedisSettings redis) {

  public static OperatorSettings fromEnv(Map<String, String> env) {
    Duration resync;
    try {
      resync = Durations.parse(env.getOrDefault("TOLLGATE_RESYNC_INTERVAL", "60s"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TOLLGATE_RESYNC_INTERVAL: " + e.getMessage());
    }
    if (resync.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("TOLLGATE_RESYNC_INTERVAL must be at least 1s");
    }
    int port;
    try {
      port = Integer.parseInt(env.getOrDefault("TOLLGATE_HEALTH_PORT", "8081").trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("TOLLGATE_HEALTH_PORT must be a port number");
    }
    Set<String> namespaces = Arrays.stream(env.getOrDefault("TOLLGATE_WATCH_NAMESPACES", "").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    String local = blankToNull(env.get("TOLLGATE_LOCAL_MANIFESTS"));
    return new OperatorSettings(
        resync,
        port,
        namespaces,
        !"false".equalsIgnoreCase(env.getOrDefault("TOLLGATE_LEADER_ELECTION", "true").trim()),
        blankToNull(env.get("TOLLGATE_LEADER_ELECTION_NAMESPACE")),
        local == null ? null : Path.of(local),
        RedisSettings.fromEnv(env));
  }

  /** The same settings without leader election (local mode has a single replica by definition). */
  public OperatorSettings withoutLeaderElection() {
    return new OperatorSettings(resync, healthPort, namespaces, false, leaderElectionNamespace, localManifests, redis);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
