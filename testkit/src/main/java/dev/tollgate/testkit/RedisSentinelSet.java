package dev.tollgate.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;

/**
 * A real Sentinel deployment on loopback: a master, one replica ({@code --replicaof}) and one
 * {@code redis-server --sentinel} monitoring them as {@link #MASTER_NAME} with quorum 1. Down
 * detection is tuned to ~1 s so a failover completes in a few seconds. JUnit 5 extension, one per
 * class; {@link #killMaster()} and {@link #awaitMaster(RedisProcess, Duration)} drive a failover.
 */
public final class RedisSentinelSet implements ClassScopedServer {

  public static final String MASTER_NAME = "tollgate";

  private RedisProcess first;
  private RedisProcess second;
  private Path dir;
  private int sentinelPort;
  private Process sentinel;

  public static RedisSentinelSet masterReplicaSentinel() {
    return new RedisSentinelSet();
  }

  /** Starts master, replica and sentinel; returns once the sentinel knows the replica (so it can fail over). */
  @Override
  public synchronized RedisSentinelSet start() {
    try {
      first = RedisProcess.standalone().start();
      second = RedisProcess.standalone("--replicaof", first.host(), String.valueOf(first.port())).start();
      waitFor(Duration.ofSeconds(10), "replica in sync with the master", () -> linkUp(second));
      dir = Files.createTempDirectory("tollgate-sentinel");
      sentinelPort = RedisProcess.freePort();
      Path conf = dir.resolve("sentinel.conf");
      // the sentinel rewrites its file (it must be writable); failover-timeout also spaces retries
      Files.writeString(conf, String.join("\n",
          "port " + sentinelPort,
          "bind 127.0.0.1",
          "dir " + dir,
          "sentinel monitor " + MASTER_NAME + " " + first.host() + " " + first.port() + " 1",
          "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
          "sentinel failover-timeout " + MASTER_NAME + " 5000",
          "sentinel parallel-syncs " + MASTER_NAME + " 1",
          ""));
      sentinel = new ProcessBuilder(RedisBinary.path().toString(), conf.toString(), "--sentinel")
          .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
      RedisProcess.waitUntilReady(sentinelPort, Duration.ofSeconds(10));
      waitFor(Duration.ofSeconds(15), "sentinel to discover the replica", () -> {
        try (Jedis s = sentinelClient()) {
          return s.sentinelReplicas(MASTER_NAME).stream().anyMatch(r -> String.valueOf(second.port()).equals(r.get("port"))
              && !r.get("flags").contains("down") && !r.get("flags").contains("disconnected"));
        }
      });
      return this;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the sentinel set", e);
    }
  }

  /** {@code redis://127.0.0.1:<sentinel port>}: the TOLLGATE_REDIS_URL of sentinel mode. */
  public String sentinelUrl() {
    return "redis://127.0.0.1:" + sentinelPort;
  }

  public int sentinelPort() {
    return sentinelPort;
  }

  /** The node started as master. */
  public RedisProcess initialMaster() {
    return first;
  }

  /** The node started as its replica (the one a failover promotes). */
  public RedisProcess initialReplica() {
    return second;
  }

  /** The node the sentinel names as master right now. */
  public RedisProcess currentMaster() {
    int port = masterPort();
    return port == first.port() ? first : second;
  }

  /** A client to the node the sentinel names as master right now (for seeding and asserts). */
  public JedisPooled client() {
    return currentMaster().client();
  }

  /** Kills the master process, as a crash would; the sentinel then promotes the replica. */
  public void killMaster() {
    currentMaster().stop();
  }

  /** A planned switch-over ({@code SENTINEL FAILOVER}): the master is demoted, not killed. */
  public void failover() {
    try (Jedis s = sentinelClient()) {
      s.sentinelFailover(MASTER_NAME);
    }
  }

  /** Waits until the sentinel reports {@code node} as master and {@code node} itself says so. */
  public void awaitMaster(RedisProcess node, Duration timeout) {
    waitFor(timeout, "sentinel to promote port " + node.port(), () -> {
      try (Jedis s = sentinelClient()) {
        return masterPort(s) == node.port() && saysMaster(node);
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  /** Whether {@code node} itself reports the master role (a demoted master does until it is converted). */
  public static boolean saysMaster(RedisProcess node) {
    try (Jedis n = new Jedis(node.host(), node.port(), 500)) {
      return n.info("replication").contains("role:master");
    }
  }

  /** Waits until {@code node} replicates the current master with its link up (e.g. a restarted old master). */
  public void awaitReplica(RedisProcess node, Duration timeout) {
    waitFor(timeout, "port " + node.port() + " to replicate the master", () -> {
      try {
        return linkUp(node) && masterPort() != node.port();
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  /** Waits until every write so far on the master has reached its replica (WAIT 1). */
  public void awaitReplicated(Duration timeout) {
    try (Jedis m = new Jedis(currentMaster().host(), currentMaster().port(), (int) timeout.toMillis())) {
      if (m.waitReplicas(1, timeout.toMillis()) < 1) {
        throw new IllegalStateException("the replica did not acknowledge the master's writes in " + timeout);
      }
    }
  }

  private int masterPort() {
    try (Jedis s = sentinelClient()) {
      return masterPort(s);
    }
  }

  private static int masterPort(Jedis sentinel) {
    List<String> addr = sentinel.sentinelGetMasterAddrByName(MASTER_NAME);
    return Integer.parseInt(addr.get(1));
  }

  private Jedis sentinelClient() {
    return new Jedis("127.0.0.1", sentinelPort, 1000);
  }

  private static boolean linkUp(RedisProcess node) {
    try (Jedis r = new Jedis(node.host(), node.port(), 500)) {
      String info = r.info("replication");
      return info.contains("role:slave") && info.contains("master_link_status:up");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void waitFor(Duration timeout, String what, BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (sentinel != null) {
      sentinel.destroy();
      try {
        sentinel.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sentinel = null;
    }
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
    RedisProcess.deleteTree(dir);
    dir = null;
  }
}
