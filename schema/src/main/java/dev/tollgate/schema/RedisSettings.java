package dev.tollgate.schema;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How to reach Redis, shared by the operator and the gateway and read from the same environment
 * variables by both (each maps it onto its own client).
 *
 * <ul>
 *   <li>{@code TOLLGATE_REDIS_URL}: {@code redis://host:port} or {@code rediss://} (TLS); for Sentinel
 *       and Cluster a comma-separated list of nodes. Default {@code redis://127.0.0.1:6379}.
 *   <li>{@code TOLLGATE_REDIS_MODE}: {@code standalone} (default), {@code sentinel} or {@code cluster}.
 *   <li>{@code TOLLGATE_REDIS_MASTER_NAME}: the Sentinel master name (required for sentinel).
 *   <li>{@code TOLLGATE_REDIS_USERNAME}, {@code TOLLGATE_REDIS_PASSWORD}: ACL user and password.
 * </ul>
 */
public record RedisSettings(
    Mode mode, List<URI> nodes, String masterName, String username, String password, boolean tls) {

  /** Redis topology. */
  public enum Mode {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  public RedisSettings {
    nodes = List.copyOf(nodes);
  }

  /** Reads and validates the settings; the message of the exception names the variable at fault. */
  public static RedisSettings fromEnv(Map<String, String> env) {
    String modeText = env.getOrDefault("TOLLGATE_REDIS_MODE", "standalone").trim().toUpperCase(Locale.ROOT);
    Mode mode;
    try {
      mode = Mode.valueOf(modeText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "TOLLGATE_REDIS_MODE must be standalone, sentinel or cluster, got '" + modeText.toLowerCase(Locale.ROOT) + "'");
    }
    String urls = env.getOrDefault("TOLLGATE_REDIS_URL", "redis://127.0.0.1:6379");
    List<URI> nodes = new ArrayList<>();
    Boolean tls = null;
    for (String part : urls.split(",")) {
      String u = part.trim();
      if (u.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(u);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("TOLLGATE_REDIS_URL has an invalid URL: " + redact(u));
      }
      boolean thisTls = "rediss".equals(uri.getScheme());
      if (!thisTls && !"redis".equals(uri.getScheme())) {
        throw new IllegalArgumentException("TOLLGATE_REDIS_URL must use redis:// or rediss://, got " + redact(u));
      }
      if (uri.getHost() == null || uri.getPort() <= 0) {
        throw new IllegalArgumentException("TOLLGATE_REDIS_URL needs host:port in " + redact(u));
      }
      if (tls != null && tls != thisTls) {
        throw new IllegalArgumentException("TOLLGATE_REDIS_URL mixes redis:// and rediss:// nodes");
      }
      tls = thisTls;
      nodes.add(uri);
    }
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("TOLLGATE_REDIS_URL names no node");
    }
    if (mode == Mode.STANDALONE && nodes.size() > 1) {
      throw new IllegalArgumentException("TOLLGATE_REDIS_URL lists several nodes; set TOLLGATE_REDIS_MODE to cluster or sentinel");
    }
    String master = blankToNull(env.get("TOLLGATE_REDIS_MASTER_NAME"));
    if (mode == Mode.SENTINEL && master == null) {
      throw new IllegalArgumentException("TOLLGATE_REDIS_MASTER_NAME is required when TOLLGATE_REDIS_MODE=sentinel");
    }
    return new RedisSettings(
        mode,
        nodes,
        master,
        blankToNull(env.get("TOLLGATE_REDIS_USERNAME")),
        blankToNull(env.get("TOLLGATE_REDIS_PASSWORD")),
        tls);
  }

  /** A standalone, plain-text Redis at {@code host:port}. */
  public static RedisSettings standalone(String host, int port) {
    return new RedisSettings(Mode.STANDALONE, List.of(URI.create("redis://" + host + ":" + port)), null, null, null, false);
  }

  @Override
  public String toString() {
    return "RedisSettings[mode=" + mode + ", nodes=" + nodes.stream().map(u -> u.getHost() + ":" + u.getPort()).toList()
        + ", tls=" + tls + ", password=" + (password == null ? "none" : "***") + "]";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String redact(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}
