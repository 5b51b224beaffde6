package dev.tollgate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds a real {@code redis-server}: the one on PATH when present (Debian's 7.x), else the linux
 * binary that the embedded-redis artifact from Maven Central ships, extracted once per JVM. So the
 * tests need nothing but a JDK. {@code TOLLGATE_TEST_REDIS_SERVER} overrides: a path, or {@code
 * embedded} to force the shipped binary.
 */
public final class RedisBinary {

  private static Path cached;

  private RedisBinary() {}

  public static synchronized Path path() {
    if (cached != null) {
      return cached;
    }
    String override = System.getenv("TOLLGATE_TEST_REDIS_SERVER");
    if ("embedded".equals(override)) {
      return cached = extractEmbedded();
    }
    if (override != null && !override.isBlank()) {
      return cached = Path.of(override);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "redis-server");
      if (Files.isExecutable(p)) {
        return cached = p;
      }
    }
    return cached = extractEmbedded();
  }

  private static Path extractEmbedded() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String resource;
    if (os.contains("linux")) {
      resource = arch.contains("aarch64") || arch.contains("arm64")
          ? "/redis-server-6.2.7-linux-arm64" : "/redis-server-6.2.6-v5-linux-amd64";
    } else if (os.contains("mac")) {
      resource = arch.contains("aarch64") ? "/redis-server-6.2.6-v5-darwin-arm64" : "/redis-server-6.2.6-v5-darwin-amd64";
    } else {
      throw new IllegalStateException("no redis-server on PATH and no embedded binary for " + os + "/" + arch);
    }
    try (InputStream in = RedisBinary.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("embedded-redis binary " + resource + " missing from the classpath");
      }
      Path dir = Files.createTempDirectory("tollgate-redis-bin");
      Path bin = dir.resolve("redis-server");
      Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
      bin.toFile().setExecutable(true);
      dir.toFile().deleteOnExit();
      bin.toFile().deleteOnExit();
      return bin;
    } catch (IOException e) {
      throw new IllegalStateException("cannot extract redis-server", e);
    }
  }
}
