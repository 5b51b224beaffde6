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

/** Builds the operator's Jedis client for the topology {@link RedisSettings} describes. */
public final class RedisClients {

  private static final int TIMEOUT_MS = 2_000;

  private RedisClients() {}

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
    return switch (settings.mode()) {
      case STANDALONE -> new JedisPooled(nodes.iterator().next(), config);
      case CLUSTER -> new JedisCluster(nodes, config);
      case SENTINEL -> new JedisSentineled(settings.masterName(), config, nodes,
          DefaultJedisClientConfig.builder().ssl(settings.tls()).connectionTimeoutMillis(TIMEOUT_MS)
              .socketTimeoutMillis(TIMEOUT_MS).build());
    };
  }
}
