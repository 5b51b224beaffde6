package dev.tollgate.gateway.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as in Kubernetes manifests: {@code 500ms}, {@code 10s}, {@code 15m}, {@code 1h}. */
public final class Durations {

  private static final Pattern FORMAT = Pattern.compile("^([0-9]{1,9})(ms|s|m|h)$");

  private Durations() {}

  public static Duration parse(String name, String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(name + " must be a duration like 500ms, 10s, 15m or 1h, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
