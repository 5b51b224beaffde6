package dev.tollgate.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.schema.RedisSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The gateway's settings, read once at start-up from the environment and, optionally, a YAML file
 * named by {@code TOLLGATE_CONFIG_FILE} (environment wins). A YAML key maps onto its variable name:
 * {@code redis.masterName} is {@code TOLLGATE_REDIS_MASTER_NAME}, {@code http.port} is {@code
 * TOLLGATE_HTTP_PORT}. Invalid or unknown settings stop the start with a message naming the setting.
 *
 * @param httpHost interface to listen on
 * @param httpPort API, health and metrics port (0 = any free port, for tests)
 * @param redis topology and credentials
 * @param redisTlsCaFile PEM file trusted for {@code rediss://} (null = the JVM's trust store)
 * @param redisTimeout per Redis command; a request fails closed (503) after it
 * @param credentialsKey base64 32-byte key opening provider credentials (null if unset)
 * @param credentialsKeyFile file holding that key, re-read when it changes (null if unset)
 * @param maxBodyBytes request bodies larger than this answer 413
 * @param defaultMaxTokens output ceiling reserved for requests that set no max_tokens
 * @param enforceDefaultMaxTokens also send that ceiling upstream, so the reservation is a hard bound
 * @param promptMarginPercent added to the prompt token estimate when reserving (tokenizer mismatch)
 * @param cacheTtl safety-net TTL of cached config (changes arrive at once over pub/sub)
 * @param reservationLease a reservation not settled within this is released by the next admission
 * @param usageStreamMaxLen approximate bound of each tenant's usage stream
 * @param metricsMaxTenants distinct tenant (and model) label values before "other" is used
 * @param vertxMetrics also export Vert.x's internal HTTP, pool and Redis client metrics (costs CPU)
 * @param eventLoops event-loop threads (each with its own server, Redis and upstream connections)
 * @param shutdownGrace on SIGTERM, how long in-flight requests (streams) may take to finish before
 *     their connections are closed; their settlements are flushed to Redis after that
 * @param settleSpoolDir where settlements that cannot reach Redis by the end of a stop are written,
 *     and replayed from at start (null: not kept; ADR 0045)
 * @param defaultMaxToolCalls searches reserved (and sent upstream as the bound) for a web search the
 *     request leaves unbounded (ADR 0047)
 * @param searchResultTokens prompt tokens reserved per web search for the results the provider adds
 *     to the prompt (billed as input; OpenAI bills a fixed 8,000 per search on its mini models)
 * @param accessLog write one JSON access-log line per {@code /v1/*} request ({@code
 *     TOLLGATE_ACCESS_LOG=json}; default {@code off})
 * @param maxAnswerBytes the largest provider answer body, or stream event, the gateway reads into
 *     memory; a provider sending more fails that attempt (a fallback trigger) instead of the heap
 * @param maxAudioBodyBytes audio uploads ({@code /v1/audio/transcriptions}, {@code
 *     /v1/audio/translations}) larger than this answer 413: OpenAI takes files up to 25 MB, so the
 *     default is 26 MiB (file plus form fields); read into memory, never to disk
 * @param audioMinBitrate bits per second the reservation assumes at least for an uploaded audio
 *     file, which bounds its duration by its size ({@code bytes * 8 / this}, ADR 0054)
 */
public record GatewayConfig(
    String httpHost,
    int httpPort,
    RedisSettings redis,
    String redisTlsCaFile,
    Duration redisTimeout,
    String credentialsKey,
    String credentialsKeyFile,
    long maxBodyBytes,
    long defaultMaxTokens,
    boolean enforceDefaultMaxTokens,
    int promptMarginPercent,
    Duration cacheTtl,
    Duration reservationLease,
    long usageStreamMaxLen,
    int metricsMaxTenants,
    boolean vertxMetrics,
    int eventLoops,
    Duration shutdownGrace,
    Path settleSpoolDir,
    long defaultMaxToolCalls,
    long searchResultTokens,
    boolean accessLog,
    long maxAnswerBytes,
    long maxAudioBodyBytes,
    long audioMinBitrate) {

  /** Every setting the gateway reads; anything else under TOLLGATE_ in the YAML file is an error. */
  static final Set<String> KNOWN =
      Set.of(
          "TOLLGATE_CONFIG_FILE",
          "TOLLGATE_HTTP_HOST",
          "TOLLGATE_HTTP_PORT",
          "TOLLGATE_REDIS_URL",
          "TOLLGATE_REDIS_MODE",
          "TOLLGATE_REDIS_MASTER_NAME",
          "TOLLGATE_REDIS_USERNAME",
          "TOLLGATE_REDIS_PASSWORD",
          "TOLLGATE_REDIS_TLS_CA_FILE",
          "TOLLGATE_REDIS_TIMEOUT",
          "TOLLGATE_CREDENTIALS_KEY",
          "TOLLGATE_CREDENTIALS_KEY_FILE",
          "TOLLGATE_MAX_BODY_BYTES",
          "TOLLGATE_DEFAULT_MAX_TOKENS",
          "TOLLGATE_ENFORCE_DEFAULT_MAX_TOKENS",
          "TOLLGATE_PROMPT_MARGIN_PERCENT",
          "TOLLGATE_CACHE_TTL",
          "TOLLGATE_RESERVATION_LEASE",
          "TOLLGATE_USAGE_STREAM_MAX_LEN",
          "TOLLGATE_METRICS_MAX_TENANTS",
          "TOLLGATE_VERTX_METRICS",
          "TOLLGATE_EVENT_LOOPS",
          "TOLLGATE_SHUTDOWN_GRACE",
          "TOLLGATE_SETTLE_SPOOL_DIR",
          "TOLLGATE_DEFAULT_MAX_TOOL_CALLS",
          "TOLLGATE_SEARCH_RESULT_TOKENS",
          "TOLLGATE_ACCESS_LOG",
          "TOLLGATE_MAX_ANSWER_BYTES",
          "TOLLGATE_MAX_AUDIO_BODY_BYTES",
          "TOLLGATE_AUDIO_MIN_BITRATE");

  /** The spool folder, created if missing; it must be writable (the stop that needs it is too late to find out). */
  private static Path spoolDir(String dir) {
    if (dir == null) {
      return null;
    }
    Path p = Path.of(dir);
    try {
      Files.createDirectories(p);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("TOLLGATE_SETTLE_SPOOL_DIR " + dir + " cannot be created: " + e.getMessage());
    }
    if (!Files.isWritable(p)) {
      throw new IllegalArgumentException("TOLLGATE_SETTLE_SPOOL_DIR " + dir + " is not a writable folder");
    }
    return p;
  }

  /** Environment plus the optional YAML file it names. */
  public static GatewayConfig load(Map<String, String> env) {
    Map<String, String> merged = new TreeMap<>();
    String file = env.get("TOLLGATE_CONFIG_FILE");
    if (file != null && !file.isBlank()) {
      merged.putAll(readYaml(Path.of(file.trim())));
    }
    env.forEach((k, v) -> {
      if (k.startsWith("TOLLGATE_")) {
        merged.put(k, v);
      }
    });
    return fromSettings(merged);
  }

  /** From a flat map of {@code TOLLGATE_*} names (what {@link #load} builds). */
  public static GatewayConfig fromSettings(Map<String, String> s) {
    RedisSettings redis = RedisSettings.fromEnv(s);
    String key = blankToNull(s.get("TOLLGATE_CREDENTIALS_KEY"));
    String keyFile = blankToNull(s.get("TOLLGATE_CREDENTIALS_KEY_FILE"));
    if (key != null && keyFile != null) {
      throw new IllegalArgumentException("set TOLLGATE_CREDENTIALS_KEY or TOLLGATE_CREDENTIALS_KEY_FILE, not both");
    }
    if (keyFile != null && !Files.isReadable(Path.of(keyFile))) {
      throw new IllegalArgumentException("TOLLGATE_CREDENTIALS_KEY_FILE " + keyFile + " is not a readable file");
    }
    String ca = blankToNull(s.get("TOLLGATE_REDIS_TLS_CA_FILE"));
    if (ca != null && !Files.isReadable(Path.of(ca))) {
      throw new IllegalArgumentException("TOLLGATE_REDIS_TLS_CA_FILE " + ca + " is not a readable file");
    }
    GatewayConfig c =
        new GatewayConfig(
            s.getOrDefault("TOLLGATE_HTTP_HOST", "0.0.0.0"),
            (int) number(s, "TOLLGATE_HTTP_PORT", 8080, 0, 65535),
            redis,
            ca,
            duration(s, "TOLLGATE_REDIS_TIMEOUT", "500ms"),
            key,
            keyFile,
            number(s, "TOLLGATE_MAX_BODY_BYTES", 4L << 20, 1024, 1L << 30),
            number(s, "TOLLGATE_DEFAULT_MAX_TOKENS", 4096, 1, 10_000_000),
            bool(s, "TOLLGATE_ENFORCE_DEFAULT_MAX_TOKENS", true),
            (int) number(s, "TOLLGATE_PROMPT_MARGIN_PERCENT", 10, 0, 1000),
            duration(s, "TOLLGATE_CACHE_TTL", "10s"),
            duration(s, "TOLLGATE_RESERVATION_LEASE", "15m"),
            number(s, "TOLLGATE_USAGE_STREAM_MAX_LEN", 0, 0, Long.MAX_VALUE),
            (int) number(s, "TOLLGATE_METRICS_MAX_TENANTS", 200, 1, 100_000),
            bool(s, "TOLLGATE_VERTX_METRICS", false),
            (int) number(s, "TOLLGATE_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 1024),
            duration(s, "TOLLGATE_SHUTDOWN_GRACE", "50s"),
            spoolDir(blankToNull(s.get("TOLLGATE_SETTLE_SPOOL_DIR"))),
            number(s, "TOLLGATE_DEFAULT_MAX_TOOL_CALLS", 10, 1, 1_000),
            number(s, "TOLLGATE_SEARCH_RESULT_TOKENS", 8_000, 0, 1_000_000),
            accessLog(blankToNull(s.get("TOLLGATE_ACCESS_LOG"))),
            number(s, "TOLLGATE_MAX_ANSWER_BYTES", 64L << 20, 64L << 10, 1L << 30),
            number(s, "TOLLGATE_MAX_AUDIO_BODY_BYTES", 26L << 20, 1024, 1L << 30),
            number(s, "TOLLGATE_AUDIO_MIN_BITRATE", 8_000, 1_000, 10_000_000));
    if (c.redisTimeout.isZero() || c.redisTimeout.toMillis() > 10_000) {
      throw new IllegalArgumentException("TOLLGATE_REDIS_TIMEOUT must be between 1ms and 10s");
    }
    if (c.shutdownGrace.toMinutes() > 10) {
      throw new IllegalArgumentException("TOLLGATE_SHUTDOWN_GRACE must be at most 10m");
    }
    if (c.reservationLease.toSeconds() < 1) {
      throw new IllegalArgumentException("TOLLGATE_RESERVATION_LEASE must be at least 1s");
    }
    return c;
  }

  /** Flattens the YAML file into {@code TOLLGATE_*} names, rejecting unknown keys. */
  static Map<String, String> readYaml(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("TOLLGATE_CONFIG_FILE " + file + " cannot be read: " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (root != null && !root.isNull()) {
      if (!root.isObject()) {
        throw new IllegalArgumentException("TOLLGATE_CONFIG_FILE " + file + " must hold a YAML mapping");
      }
      flatten("", root, out, file);
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        flatten(path, e.getValue(), out, file);
        continue;
      }
      String name = "TOLLGATE_" + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
      if (!KNOWN.contains(name) || "TOLLGATE_CONFIG_FILE".equals(name)) {
        throw new IllegalArgumentException("unknown setting '" + path + "' in " + file + " (see docs/gateway.md)");
      }
      out.put(name, e.getValue().asText());
    }
  }

  private static long number(Map<String, String> s, String name, long def, long min, long max) {
    String v = blankToNull(s.get(name));
    if (v == null) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  private static Duration duration(Map<String, String> s, String name, String def) {
    String v = blankToNull(s.get(name));
    return Durations.parse(name, v == null ? def : v);
  }

  private static boolean bool(Map<String, String> s, String name, boolean def) {
    String v = blankToNull(s.get(name));
    if (v == null) {
      return def;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
    };
  }

  /** {@code off} (default) or {@code json}: the one format there is, named so that others can follow. */
  private static boolean accessLog(String v) {
    if (v == null) {
      return false;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      // "false": a YAML file's unquoted off, which the YAML reader turns into a boolean
      case "off", "false" -> false;
      case "json" -> true;
      default -> throw new IllegalArgumentException("TOLLGATE_ACCESS_LOG must be off or json, got '" + v + "'");
    };
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }

  @Override
  public String toString() {
    return "GatewayConfig[http=" + httpHost + ":" + httpPort + ", " + redis + ", redisTimeout=" + redisTimeout
        + ", credentialsKey=" + (credentialsKey != null ? "env" : credentialsKeyFile != null ? "file" : "none")
        + ", maxBodyBytes=" + maxBodyBytes + ", maxAnswerBytes=" + maxAnswerBytes
        + ", maxAudioBodyBytes=" + maxAudioBodyBytes + ", audioMinBitrate=" + audioMinBitrate + ", defaultMaxTokens=" + defaultMaxTokens
        + ", settleSpool=" + (settleSpoolDir == null ? "off" : settleSpoolDir)
        + ", accessLog=" + (accessLog ? "json" : "off") + "]";
  }
}
