package dev.tollgate.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

/**
 * A real 3-master Redis Cluster: three {@code redis-server --cluster-enabled yes} processes on free
 * loopback ports, slots split evenly, joined with CLUSTER MEET. JUnit 5 extension, one per class.
 */
public final class RedisClusterProcess implements ClassScopedServer {

  private static final int MASTERS = 3;
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private Path dir;
  private JedisCluster client;

  public static RedisClusterProcess threeMasters() {
    return new RedisClusterProcess();
  }

  @Override
  public synchronized RedisClusterProcess start() {
    try {
      dir = Files.createTempDirectory("tollgate-redis-cluster");
      for (int i = 0; i < MASTERS; i++) {
        int port = RedisProcess.freePort();
        Path nodeDir = Files.createDirectories(dir.resolve("n" + port));
        ports.add(port);
        processes.add(new ProcessBuilder(
                RedisBinary.path().toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--save", "", "--appendonly", "no", "--dir", nodeDir.toString(), "--protected-mode", "no")
            .redirectErrorStream(true)
            .redirectOutput(nodeDir.resolve("redis.log").toFile())
            .start());
      }
      for (int port : ports) {
        RedisProcess.waitUntilReady(port, Duration.ofSeconds(10));
      }
      int per = 16384 / MASTERS;
      for (int i = 0; i < MASTERS; i++) {
        int from = i * per;
        int to = i == MASTERS - 1 ? 16383 : (i + 1) * per - 1;
        try (Jedis j = new Jedis("127.0.0.1", ports.get(i))) {
          int[] slots = new int[to - from + 1];
          for (int s = from; s <= to; s++) {
            slots[s - from] = s;
          }
          j.clusterAddSlots(slots);
          if (i > 0) {
            j.clusterMeet("127.0.0.1", ports.get(0));
          }
        }
      }
      waitForClusterOk(Duration.ofSeconds(20));
      return this;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis cluster", e);
    }
  }

  private void waitForClusterOk(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean ok = true;
      for (int port : ports) {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
          String info = j.clusterInfo();
          if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + MASTERS)) {
            ok = false;
          }
        }
      }
      if (ok) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("redis cluster did not reach cluster_state:ok in " + timeout);
  }

  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** {@code redis://127.0.0.1:p1,redis://127.0.0.1:p2,...}, the TOLLGATE_REDIS_URL form. */
  public String urls() {
    return String.join(",", ports.stream().map(p -> "redis://127.0.0.1:" + p).toList());
  }

  public synchronized JedisCluster client() {
    if (client == null) {
      Set<HostAndPort> nodes = new HashSet<>();
      ports.forEach(p -> nodes.add(new HostAndPort("127.0.0.1", p)));
      client = new JedisCluster(nodes);
    }
    return client;
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
    RedisProcess.deleteTree(dir);
  }
}
