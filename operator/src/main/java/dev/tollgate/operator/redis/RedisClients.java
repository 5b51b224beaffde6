package dev.tollgate.operator.redis;

import dev.tollgate.schema.RedisSettings;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisSentineled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Builds the operator's Jedis client for the topology {@link RedisSettings} describes, and checks it
 * at start-up. Mistakes in the settings fail with an {@link IllegalArgumentException} naming the
 * variable; a Redis that is merely down is not a mistake (the operator reports and retries).
 */
public final class RedisClients {

  private static final int TIMEOUT_MS = 2_000;

  private RedisClients() {}

  /**
   * The client. Cluster and Sentinel clients learn the topology here, so they need a reachable node
   * (sentinel) at once: failing that, the exception names the variable to check and the pod restarts.
   */
  public static UnifiedJedis create(RedisSettings settings) {
    JedisClientConfig config = DefaultJedisClientConfig.builder()
        .user(settings.username())
        .password(settings.password())
        .ssl(settings.tls())
        .connectionTimeoutMillis(TIMEOUT_MS)
        .socketTimeoutMillis(TIMEOUT_MS)
        .clientName("tollgate-operator")
        .build();
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    for (URI u : settings.nodes()) {
      nodes.add(new HostAndPort(u.getHost(), u.getPort()));
    }
    try {
      return switch (settings.mode()) {
        case STANDALONE -> new JedisPooled(nodes.iterator().next(), config);
        case CLUSTER -> new JedisCluster(nodes, config);
        case SENTINEL -> new JedisSentineled(settings.masterName(), config, nodes,
            DefaultJedisClientConfig.builder().ssl(settings.tls()).connectionTimeoutMillis(TIMEOUT_MS)
                .socketTimeoutMillis(TIMEOUT_MS).build());
      };
    } catch (JedisException e) {
      throw new IllegalArgumentException(describe(settings, e), e);
    }
  }

  /**
   * PINGs Redis once. Rejected credentials throw IllegalArgumentException naming the variables; an
   * unreachable Redis returns false (the reconcilers report RedisUnavailable and retry).
   */
  public static boolean check(UnifiedJedis redis, RedisSettings settings) {
    try {
      redis.ping();
      return true;
    } catch (JedisException e) {
      if (isAuthFailure(e)) {
        throw new IllegalArgumentException(describe(settings, e), e);
      }
      return false;
    }
  }

  private static String describe(RedisSettings settings, JedisException e) {
    String cause = rootMessage(e);
    if (isAuthFailure(e)) {
      return "TOLLGATE_REDIS_USERNAME/TOLLGATE_REDIS_PASSWORD rejected by Redis at " + settings.nodes().get(0).getHost()
          + ":" + settings.nodes().get(0).getPort() + ": " + cause;
    }
    return switch (settings.mode()) {
      case CLUSTER -> "TOLLGATE_REDIS_URL: no Redis Cluster node answered with the cluster's slots (is TOLLGATE_REDIS_MODE=cluster "
          + "right, and is a node reachable?): " + cause;
      case SENTINEL -> cause.contains("not monitored")
          ? "TOLLGATE_REDIS_MASTER_NAME: the sentinels in TOLLGATE_REDIS_URL do not monitor a master named '"
              + settings.masterName() + "'"
          : "TOLLGATE_REDIS_URL: no sentinel answered for master '" + settings.masterName() + "': " + cause;
      case STANDALONE -> "TOLLGATE_REDIS_URL: " + cause;
    };
  }

  private static boolean isAuthFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JedisAccessControlException) {
        return true;
      }
      String m = t.getMessage();
      if (m != null && !(t instanceof JedisConnectionException)
          && (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains("invalid username-password"))) {
        return true;
      }
    }
    return false;
  }

  /** The innermost cause's message (its class name when it has none): what a person can act on. */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
