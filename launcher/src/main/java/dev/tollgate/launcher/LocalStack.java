package dev.tollgate.launcher;

import dev.tollgate.schema.CredentialSealer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * The local one-command stack: Redis (embedded unless {@code TOLLGATE_REDIS_URL} is given), the demo
 * provider, the operator in local mode reading manifests from a folder (the same reconcilers, against
 * an in-process API server), and the gateway; prints the keys and a working curl line. Ctrl-C stops it.
 */
public final class LocalStack implements AutoCloseable {

  /** What to start. */
  public record Options(Path manifests, Path home, int gatewayPort, Map<String, String> env, PrintStream out) {}

  private final Options options;
  private final List<Process> children = new ArrayList<>();
  private final Map<String, String> keys = new LinkedHashMap<>();
  private final CountDownLatch firstKey = new CountDownLatch(1);
  private RedisServer redis;
  private DemoProvider demo;
  private Path workDir;
  private Thread watcher;
  private volatile boolean closed;
  private String gatewayUrl;

  public LocalStack(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Path manifests = Path.of(args.length > 0 ? args[0] : "examples");
    int port = Integer.parseInt(System.getenv().getOrDefault("TOLLGATE_HTTP_PORT", "8080"));
    LocalStack stack = new LocalStack(new Options(manifests, Path.of("."), port, System.getenv(), System.out));
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "tollgate-local-stop"));
    try {
      stack.start();
    } catch (Exception e) {
      System.err.println("tollgate-local: " + e.getMessage());
      stack.close();
      System.exit(1);
    }
    stack.out("Ctrl-C stops everything.");
    Thread.currentThread().join();
  }

  /** Starts everything and waits until the gateway is ready and a key is known. */
  public LocalStack start() throws Exception {
    PrintStream out = options.out();
    Path operatorJar = jar("operator", "tollgate-operator.jar");
    Path gatewayJar = jar("gateway", "tollgate-gateway.jar");
    if (!Files.isDirectory(options.manifests())) {
      throw new IllegalArgumentException("manifest folder " + options.manifests().toAbsolutePath() + " does not exist");
    }
    workDir = Files.createTempDirectory("tollgate-local");

    String redisUrl = options.env().get("TOLLGATE_REDIS_URL");
    if (redisUrl == null || redisUrl.isBlank()) {
      int redisPort = freePort();
      redis = RedisServer.newRedisServer().port(redisPort).setting("bind 127.0.0.1")
          .setting("save \"\"").setting("appendonly no").build();
      redis.start();
      redisUrl = "redis://127.0.0.1:" + redisPort;
      out("Redis: embedded redis-server at " + redisUrl + " (set TOLLGATE_REDIS_URL to use yours)");
    } else {
      out("Redis: " + redisUrl.replaceAll("//[^@/]*@", "//***@"));
    }

    demo = DemoProvider.start(0);
    out("Demo provider (canned answers, no real model): " + demo.baseUrl());

    Path rendered = workDir.resolve("manifests");
    ManifestRenderer renderer = new ManifestRenderer(options.env(), demo.baseUrl());
    renderer.render(options.manifests(), rendered).notes().forEach(this::out);

    Map<String, String> common = new HashMap<>();
    common.put("TOLLGATE_REDIS_URL", redisUrl);
    common.put("TOLLGATE_REDIS_MODE", "standalone");
    common.put("TOLLGATE_CREDENTIALS_KEY", options.env().getOrDefault("TOLLGATE_CREDENTIALS_KEY", CredentialSealer.newKeyBase64()));
    for (String passThrough : List.of("TOLLGATE_REDIS_PASSWORD", "TOLLGATE_REDIS_USERNAME")) {
      if (options.env().containsKey(passThrough)) {
        common.put(passThrough, options.env().get(passThrough));
      }
    }

    Map<String, String> operatorEnv = new HashMap<>(common);
    operatorEnv.put("TOLLGATE_LOCAL_MANIFESTS", rendered.toString());
    operatorEnv.put("TOLLGATE_LEADER_ELECTION", "false");
    operatorEnv.put("TOLLGATE_HEALTH_PORT", String.valueOf(freePort()));
    operatorEnv.put("TOLLGATE_RESYNC_INTERVAL", "30s");
    spawn("operator", operatorJar, operatorEnv);

    Map<String, String> gatewayEnv = new HashMap<>(common);
    gatewayEnv.put("TOLLGATE_HTTP_PORT", String.valueOf(options.gatewayPort()));
    spawn("gateway", gatewayJar, gatewayEnv);
    gatewayUrl = "http://localhost:" + options.gatewayPort();

    waitForReady(Duration.ofSeconds(90));
    if (!firstKey.await(90, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the operator reported no ready ApiKey; check the manifests in " + options.manifests());
    }
    awaitKeysSettled(Duration.ofMillis(1500), Duration.ofSeconds(15));
    printWelcome();
    watch(renderer, rendered);
    return this;
  }

  /** The gateway's base URL, e.g. {@code http://localhost:8080}. */
  public String gatewayUrl() {
    return gatewayUrl;
  }

  /** Keys reported by the operator: {@code <ns>/<apikey>} → raw key (local mode only). */
  public Map<String, String> keys() {
    synchronized (keys) {
      return Map.copyOf(keys);
    }
  }

  /** The key the welcome text uses: the first by name (stable from run to run). */
  public String demoKey() {
    synchronized (keys) {
      return keys.get(keys.keySet().stream().sorted().findFirst().orElseThrow());
    }
  }

  /** Waits until no new key was announced for {@code quiet}, so the welcome text lists them all. */
  private void awaitKeysSettled(Duration quiet, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    int seen = -1;
    while (System.nanoTime() < deadline) {
      int now;
      synchronized (keys) {
        now = keys.size();
      }
      if (now == seen) {
        return;
      }
      seen = now;
      Thread.sleep(quiet.toMillis());
    }
  }

  /** The model the welcome text uses: the first one the demo key may call. */
  public String demoModel() throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/models"))
            .header("Authorization", "Bearer " + demoKey()).build(),
        HttpResponse.BodyHandlers.ofString());
    var data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("data");
    return data.size() > 0 ? data.get(0).path("id").asText() : "gpt-4o-mini";
  }

  private void printWelcome() throws IOException, InterruptedException {
    out("");
    out("Tollgate is running. Gateway: " + gatewayUrl + "/v1");
    synchronized (keys) {
      keys.entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> out("  ApiKey " + e.getKey() + ": " + e.getValue()));
    }
    String model = demoModel();
    out("");
    out("Try it:");
    out("  curl " + gatewayUrl + "/v1/chat/completions -H 'Authorization: Bearer " + demoKey() + "' "
        + "-H 'Content-Type: application/json' "
        + "-d '{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'");
    out("Manifests are reloaded when files in " + options.manifests() + " change.");
  }

  private void watch(ManifestRenderer renderer, Path rendered) throws IOException {
    long initial = ManifestRenderer.lastModified(options.manifests());
    watcher = new Thread(() -> {
      long seen = initial;
      while (!closed) {
        try {
          Thread.sleep(1000);
          long now = ManifestRenderer.lastModified(options.manifests());
          if (now != seen) {
            seen = now;
            out("Manifests changed: reloading");
            renderer.render(options.manifests(), rendered).notes().forEach(this::out);
          }
        } catch (InterruptedException e) {
          return;
        } catch (IOException | RuntimeException e) {
          out("Cannot reload manifests: " + e.getMessage());
        }
      }
    }, "tollgate-local-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private void spawn(String name, Path jar, Map<String, String> env) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-jar", jar.toString())
        .redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    children.add(p);
    Thread pump = new Thread(() -> pump(name, p), "tollgate-local-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  private void pump(String name, Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("TOLLGATE_KEY ")) {
          String[] parts = line.split(" ", 3);
          if (parts.length == 3) {
            synchronized (keys) {
              keys.put(parts[1], parts[2]);
            }
            firstKey.countDown();
          }
          continue; // printed in the welcome text instead
        }
        out("[" + name + "] " + line);
      }
    } catch (IOException e) {
      // the process ended
    }
    if (!closed) {
      out("[" + name + "] exited with code " + p.exitValue());
    }
  }

  private void waitForReady(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Process p : children) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a component exited during start-up (see its output above)");
        }
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the gateway did not become ready within " + timeout);
  }

  private Path jar(String module, String file) {
    Path jar = options.home().resolve(module).resolve("target").resolve(file);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build first with ./mvnw -B -DskipTests package");
    }
    return jar;
  }

  private void out(String line) {
    options.out().println(line);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (watcher != null) {
      watcher.interrupt();
    }
    for (Process p : children) {
      p.destroy();
    }
    for (Process p : children) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (demo != null) {
      demo.close();
    }
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException e) {
        // already gone
      }
    }
    if (workDir != null) {
      try (var s = Files.walk(workDir)) {
        s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
      } catch (IOException e) {
        // temp folder, harmless
      }
    }
  }
}
