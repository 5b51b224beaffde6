package dev.tollgate.testkit;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import redis.clients.jedis.JedisPooled;

/**
 * A real {@code redis-server} process on a free loopback port, as a JUnit 5 extension: register it
 * as a {@code static} field with {@code @RegisterExtension} and every test class gets its own Redis.
 * It can be stopped and started again on the same port to test outages.
 */
public final class RedisProcess implements ClassScopedServer {

  private final List<String> extraArgs;
  private int port;
  private Path dir;
  private Process process;
  private JedisPooled client;

  private RedisProcess(List<String> extraArgs) {
    this.extraArgs = extraArgs;
  }

  /** A standalone server with persistence off. */
  public static RedisProcess standalone(String... extraArgs) {
    return new RedisProcess(List.of(extraArgs));
  }

  /** Starts the server (on the same port as before, if it ran before) and waits until it answers PING. */
  @Override
  public synchronized RedisProcess start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    try {
      if (port == 0) {
        port = freePort();
      }
      if (dir == null) {
        dir = Files.createTempDirectory("tollgate-redis-" + port);
      }
      List<String> cmd = new ArrayList<>(List.of(
          RedisBinary.path().toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no"));
      cmd.addAll(extraArgs);
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile())
          .start();
      waitUntilReady(port, Duration.ofSeconds(10));
      return this;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server", e);
    }
  }

  /** Kills the server process (as an outage would); {@link #start()} brings it back on the same port. */
  public synchronized void stop() {
    if (client != null) {
      client.close(); // its pooled connections die with the server
      client = null;
    }
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** A small synchronous client for seeding and assertions (shared, thread-safe). */
  public synchronized JedisPooled client() {
    if (client == null) {
      client = new JedisPooled(host(), port);
    }
    return client;
  }

  /** Drops every key. */
  public void flushAll() {
    client().flushAll();
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
    stop();
    deleteTree(dir);
    dir = null;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Waits until a Redis (or Sentinel) process on {@code port} answers PING. */
  public static void waitUntilReady(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try (var j = new redis.clients.jedis.Jedis("127.0.0.1", port, 500)) {
        if ("PONG".equals(j.ping())) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer in " + timeout, last);
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException ignored) {
      // best effort: a temp folder left behind is harmless
    }
  }
}
